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
}
