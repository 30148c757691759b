package gatehouse.config;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.catalog.Assignment;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.catalog.ServerDef;
import gatehouse.identity.UpstreamClients;
import gatehouse.testing.TestDatabase;

/**
 * Applying a declarative file: idempotent, minimal, and clear about what is wrong. Shares the H2
 * context with the admin API and persistence tests; {@code ${id}} in the files keeps names apart.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ConfigApplierTest {
    @Autowired ConfigApplier applier;
    @Autowired CatalogService catalog;
    @Autowired UpstreamClients clients;

    private DeclarativeConfig load(String resource, String id) throws Exception {
        return ConfigApplier.read(ConfigFiles.instantiate(resource, id));
    }

    private DeclarativeConfig loadText(String text) throws Exception {
        return ConfigApplier.read(ConfigFiles.write("edited.yaml", text));
    }

    @Test
    void applyingTheSameFileTwiceChangesNothingTheSecondTime() throws Exception {
        String id = unique("idem");
        DeclarativeConfig config = load("apply.yaml", id);

        assertThat(applier.apply(config)).as("2 servers, 1 gateway, 2 assignments").isEqualTo(5);
        ServerDef docs = catalog.serverByName("docs-" + id).orElseThrow();
        ServerDef search = catalog.serverByName("search-" + id).orElseThrow();
        GatewayDef team = catalog.gatewayByName("team-" + id).orElseThrow();
        assertThat(docs.command()).containsExactly("docs-server", "--root", "/srv/docs");
        assertThat(docs.env()).isEqualTo(Map.of("DOCS_TOKEN", "docs-secret-1"));
        assertThat(search.headers()).isEqualTo(Map.of("Authorization", "Bearer search-secret"));
        assertThat(catalog.snapshot().assignments(team.id())).extracting(Assignment::serverId, Assignment::prefix)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(docs.id(), "docs-" + id),
                        org.assertj.core.groups.Tuple.tuple(search.id(), "find"));

        long version = catalog.snapshot().version();
        assertThat(applier.apply(load("apply.yaml", id))).isZero();
        assertThat(catalog.snapshot().version()).as("no new snapshot published").isEqualTo(version);
        assertThat(catalog.serverByName("docs-" + id)).contains(docs);
        assertThat(catalog.serverByName("search-" + id)).contains(search);
    }

    @Test
    void changingOneFieldUpdatesOnlyThatServer() throws Exception {
        String id = unique("edit");
        String original = ConfigFiles.read("apply.yaml").replace("${id}", id);
        applier.apply(loadText(original));
        ServerDef docs = catalog.serverByName("docs-" + id).orElseThrow();
        ServerDef search = catalog.serverByName("search-" + id).orElseThrow();

        String moved = original.replace("https://search.example.test/mcp", "https://search2.example.test/mcp");
        assertThat(moved).isNotEqualTo(original);
        assertThat(applier.apply(loadText(moved))).isEqualTo(1);
        ServerDef searchAfter = catalog.serverByName("search-" + id).orElseThrow();
        assertThat(searchAfter.id()).isEqualTo(search.id());
        assertThat(searchAfter.url()).isEqualTo("https://search2.example.test/mcp");
        assertThat(searchAfter.headers()).isEqualTo(search.headers());
        assertThat(searchAfter.createdAt()).isEqualTo(search.createdAt());
        assertThat(searchAfter.updatedAt()).isAfterOrEqualTo(search.updatedAt());
        assertThat(catalog.serverByName("docs-" + id)).as("untouched, same updatedAt").contains(docs);

        // a secret value counts as a field too, and so does an assignment's prefix
        assertThat(applier.apply(loadText(moved.replace("docs-secret-1", "docs-secret-2")))).isEqualTo(1);
        assertThat(catalog.serverByName("docs-" + id).orElseThrow().env()).containsEntry("DOCS_TOKEN", "docs-secret-2");
        assertThat(catalog.serverByName("search-" + id)).contains(searchAfter);
        String reprefixed = moved.replace("docs-secret-1", "docs-secret-2").replace("prefix: find", "prefix: lookup");
        assertThat(applier.apply(loadText(reprefixed))).isEqualTo(1);
        GatewayDef team = catalog.gatewayByName("team-" + id).orElseThrow();
        assertThat(catalog.snapshot().assignments(team.id())).extracting(Assignment::prefix).contains("lookup").doesNotContain("find");
        assertThat(applier.apply(loadText(reprefixed))).isZero();
    }

    @Test
    void aMissingServerReferenceNamesTheGatewayAndTheServer() throws Exception {
        String id = unique("ref");
        DeclarativeConfig config = load("missing-server.yaml", id);
        assertThatThrownBy(() -> applier.apply(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway 'team-" + id + "'").hasMessageContaining("'ghost-" + id + "'");
    }

    /**
     * All or nothing: the file's first server and its gateway are valid and written before the
     * missing reference is found, and none of them remains afterwards, in the database or in memory.
     */
    @Test
    void aFileWithAnErrorIsNotAppliedAtAllAndTheErrorNamesFileAndLine() throws Exception {
        String id = unique("atomic");
        java.nio.file.Path file = ConfigFiles.instantiate("missing-server.yaml", id);
        long version = catalog.snapshot().version();
        assertThatThrownBy(() -> applier.applyFile(file)).isInstanceOf(gatehouse.platform.StartupProblem.class)
                .hasMessage(file + ", line 9: gateway 'team-" + id + "': no server named 'ghost-" + id + "' (declare it under servers:)");
        assertThat(catalog.serverByName("known-" + id)).as("rolled back").isEmpty();
        assertThat(catalog.gatewayByName("team-" + id)).as("rolled back").isEmpty();
        assertThat(catalog.snapshot().version()).as("the in-memory view was re-read").isGreaterThan(version);
        catalog.reload();
        assertThat(catalog.serverByName("known-" + id)).isEmpty();
    }

    @Test
    void aServerErrorPointsAtTheServersLineInTheFile() throws Exception {
        String id = unique("line");
        java.nio.file.Path file = ConfigFiles.instantiate("invalid-server.yaml", id);
        assertThatThrownBy(() -> applier.applyFile(file)).isInstanceOf(gatehouse.platform.StartupProblem.class)
                .hasMessageStartingWith(file + ", line 2: server 'broken-" + id + "': ").hasMessageContaining("command")
                .satisfies(e -> assertThat(((gatehouse.platform.StartupProblem) e).action()).contains("nothing from it was applied"));
    }

    @Test
    void anInvalidServerNamesTheServerAndTheField() throws Exception {
        String id = unique("invalid");
        DeclarativeConfig config = load("invalid-server.yaml", id);
        assertThatThrownBy(() -> applier.apply(config)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server 'broken-" + id + "'").hasMessageContaining("command");
        assertThat(catalog.serverByName("broken-" + id)).isEmpty();
    }

    @Test
    void serversAreMatchedByNameSoAdminApiChangesAreReconciled() throws Exception {
        String id = unique("drift");
        applier.apply(load("apply.yaml", id));
        ServerDef docs = catalog.serverByName("docs-" + id).orElseThrow();
        catalog.updateServer(docs.id(), new CatalogService.ServerInput(null, null, List.of("hand-edited"), null, null, null));

        assertThat(applier.apply(load("apply.yaml", id))).isEqualTo(1);
        assertThat(catalog.server(docs.id()).command()).containsExactly("docs-server", "--root", "/srv/docs");
    }

    @Test
    void aServersPreRegisteredOAuthClientAndKeyHeaderComeFromTheFileWithTheSecretFromTheEnvironment() throws Exception {
        String id = unique("oauth");
        System.setProperty("GATEHOUSE_TEST_TRACKER_SECRET", "tracker-secret-" + id);
        try {
            java.nio.file.Path file = ConfigFiles.write("oauth.yaml", ConfigFiles.read("upstream-oauth.yaml")
                    .replace("${id}", id));
            assertThat(applier.applyFile(file)).as("2 servers, 1 client, 1 header").isEqualTo(4);
            ServerDef tracker = catalog.serverByName("tracker-" + id).orElseThrow();
            ServerDef keyed = catalog.serverByName("keyed-" + id).orElseThrow();
            assertThat(clients.oauth(tracker.id())).contains(new UpstreamClients.OAuthClient("gatehouse-at-tracker", "tracker-secret-" + id,
                    List.of("issues.read", "issues.write"), "https://login.tracker.example.test/oauth/authorize",
                    "https://login.tracker.example.test/oauth/token"));
            assertThat(clients.oauthView(tracker.id()).orElseThrow().clientSecret()).isEqualTo("<redacted>");
            assertThat(clients.configuredKeyHeader(keyed.id())).contains(new UpstreamClients.KeyHeader("Authorization", "Token {token}"));
            assertThat(clients.oauth(keyed.id())).isEmpty();
            assertThat(applier.applyFile(file)).as("the same again").isZero();

            // A rotated secret in the environment is applied at the next start; nothing else changes.
            System.setProperty("GATEHOUSE_TEST_TRACKER_SECRET", "rotated-" + id);
            assertThat(applier.applyFile(file)).isEqualTo(1);
            assertThat(clients.oauth(tracker.id()).orElseThrow().clientSecret()).isEqualTo("rotated-" + id);
        } finally {
            System.clearProperty("GATEHOUSE_TEST_TRACKER_SECRET");
        }
    }

    @Test
    void aBadClientOrKeyHeaderIsNamedWithItsLineAndNothingIsWritten() throws Exception {
        String id = unique("oauthbad");
        String good = ConfigFiles.read("upstream-oauth.yaml").replace("${id}", id);
        System.setProperty("GATEHOUSE_TEST_TRACKER_SECRET", "tracker-secret");
        try {
            Object[][] cases = {
                    {good.replace("${GATEHOUSE_TEST_TRACKER_SECRET}", "plain-secret-in-the-file"), 7,
                            "server 'tracker-" + id + "': oauth.clientSecret must name an environment variable, such as ${GITHUB_CLIENT_SECRET}"},
                    {good.replace("${GATEHOUSE_TEST_TRACKER_SECRET}", "${GATEHOUSE_TEST_UNSET_" + id.replace('-', '_') + "}"), 7,
                            "which is not set"},
                    {good.replace("      clientId: gatehouse-at-tracker\n", ""), 5, "oauth.clientId is required"},
                    {good.replace("      tokenEndpoint: https://login.tracker.example.test/oauth/token\n", ""), 5,
                            "give both oauth.authorizationEndpoint and oauth.tokenEndpoint"},
                    {good.replace("Token {token}", "Token"), 14, "server 'keyed-" + id + "': credentialHeader.format must contain {token}"},
                    {good.replace("name: Authorization", "name: Content-Type"), 14, "credentialHeader.name must be an HTTP header name"},
            };
            for (Object[] c : cases) {
                java.nio.file.Path file = ConfigFiles.write("bad-oauth.yaml", (String) c[0]);
                assertThatThrownBy(() -> applier.applyFile(file)).as((String) c[2]).isInstanceOf(gatehouse.platform.StartupProblem.class)
                        .hasMessageStartingWith(file + ", line " + c[1] + ": ").hasMessageContaining((String) c[2])
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tracker-secret").doesNotContain("plain-secret-in-the-file"));
                assertThat(catalog.serverByName("tracker-" + id)).as("nothing written").isEmpty();
            }
            java.nio.file.Path typo = ConfigFiles.write("typo.yaml", good.replace("clientSecret:", "clientSecrett:"));
            assertThatThrownBy(() -> ConfigApplier.read(typo)).isInstanceOf(gatehouse.platform.StartupProblem.class)
                    .hasMessageContaining("line 7: unknown key 'clientSecrett'; did you mean 'clientSecret'?");
        } finally {
            System.clearProperty("GATEHOUSE_TEST_TRACKER_SECRET");
        }
    }
}
