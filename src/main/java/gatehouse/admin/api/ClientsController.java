package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.authserver.GatehouseClients;
import gatehouse.platform.ProblemException;

/**
 * OAuth clients registered by dynamic client registration. Each is also a host of kind
 * {@code interactive} (same id) whose connections {@code GET /connections} lists; deleting a client
 * removes its grants and connections, so its tokens stop working at once.
 */
@RestController
@RequestMapping("/api/v1")
class ClientsController {
    private final GatehouseClients clients;

    ClientsController(GatehouseClients clients) {
        this.clients = clients;
    }

    record ClientView(String id, String clientId, String clientName, List<String> redirectUris, Set<String> grantTypes,
                      Set<String> tokenEndpointAuthMethods, Set<String> scopes, Instant createdAt) {
        static ClientView of(RegisteredClient c) {
            return new ClientView(c.getId(), c.getClientId(), c.getClientName(), c.getRedirectUris().stream().sorted().toList(),
                    c.getAuthorizationGrantTypes().stream().map(AuthorizationGrantType::getValue).collect(Collectors.toCollection(java.util.TreeSet::new)),
                    c.getClientAuthenticationMethods().stream().map(ClientAuthenticationMethod::getValue).collect(Collectors.toCollection(java.util.TreeSet::new)),
                    c.getScopes(), c.getClientIdIssuedAt());
        }
    }

    @GetMapping("/clients")
    List<ClientView> clients() {
        return clients.all().stream().map(ClientView::of).toList();
    }

    @GetMapping("/clients/{id}")
    ClientView client(@PathVariable String id) {
        RegisteredClient c = clients.findById(id);
        if (c == null) {
            throw ProblemException.notFound("client", id);
        }
        return ClientView.of(c);
    }

    @DeleteMapping("/clients/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        clients.delete(id);
    }
}
