package gatehouse.console;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.admin.tokens.AdminTokens;
import gatehouse.testing.AdminClient;
import gatehouse.testing.TestDatabase;

/**
 * What the console page tests share: the real application on a random port, two gateways made
 * through the admin API, and people signed in through the real sign-in form with a role.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
abstract class ConsoleWorld {
    static final String ADMIN_TOKEN = "gha_console-pages-test-token-0123456789abcdefghijklmnop";
    static final String PASSWORD = "correct horse battery staple";
    static final String HOSTILE = "<img src=x onerror=alert(1)>";

    @LocalServerPort int port;
    @Autowired AdminTokens adminTokens;
    AdminClient admin;
    String gwA, gwB;

    @BeforeEach
    void world() {
        adminTokens.ensure(ADMIN_TOKEN, "console-pages-test");
        admin = new AdminClient(base(), ADMIN_TOKEN);
        gwA = admin.createGateway(unique("alpha"));
        gwB = admin.createGateway(unique("bravo"));
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** A person with a password and, when {@code roleId} is given, that role (scoped to {@code gatewayId} when given). */
    ConsoleSession person(String roleId, String gatewayId) {
        String username = unique("p");
        String uid = admin.createUser(username, PASSWORD, username + "@example.com");
        if (roleId != null) {
            admin.expect(200, "PUT", "/users/" + uid + "/roles/" + roleId,
                    gatewayId == null ? null : Map.of("scope", Map.of("gatewayId", gatewayId)));
        }
        ConsoleSession s = new ConsoleSession(base());
        assertThat(s.signIn(username, PASSWORD).status()).isEqualTo(302);
        return s;
    }

    /** Where a redirect leads, as a path. */
    static String path(ConsoleSession.Page redirect) {
        assertThat(redirect.status()).as("a redirect").isEqualTo(302);
        return redirect.location().replaceFirst("^https?://[^/]+", "");
    }
}
