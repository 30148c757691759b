package gatehouse.admin.api;

import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import gatehouse.sso.SsoProvider;
import gatehouse.sso.SsoProviders;

/** OpenID Connect providers for sign-in; the client secret goes in and never comes back out. */
@RestController
@RequestMapping("/api/v1")
class SsoProvidersController {
    private final SsoProviders providers;

    SsoProvidersController(SsoProviders providers) {
        this.providers = providers;
    }

    record ProviderView(String id, String name, String issuer, String clientId, List<String> emailDomains, String groupsClaim,
                        String redirectUri, String signInUrl, Instant createdAt) {
    }

    private ProviderView view(SsoProvider p) {
        return new ProviderView(p.id(), p.name(), p.issuer(), p.clientId(), p.emailDomains(), p.groupsClaim(),
                providers.redirectUri(p.name()), "/oauth2/authorization/" + p.name(), p.createdAt());
    }

    @PostMapping("/sso-providers")
    @ResponseStatus(HttpStatus.CREATED)
    ProviderView create(@RequestBody SsoProviders.Input in) {
        return view(providers.create(in));
    }

    @GetMapping("/sso-providers")
    List<ProviderView> list() {
        return providers.list().stream().map(this::view).toList();
    }

    @GetMapping("/sso-providers/{id}")
    ProviderView get(@PathVariable String id) {
        return view(providers.get(id));
    }

    @DeleteMapping("/sso-providers/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        providers.delete(id);
    }
}
