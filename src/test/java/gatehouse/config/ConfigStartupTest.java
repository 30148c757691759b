package gatehouse.config;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import gatehouse.GatehouseApplication;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.testing.TestDatabase;

/**
 * {@code java -jar gatehouse.jar --config FILE.yaml}: the application itself, started with
 * command-line arguments as a user passes them.
 */
class ConfigStartupTest {

    private static String[] args(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--gatehouse.data-dir=" + dataDir,
                "--gatehouse.public-url=http://localhost:8080",
                "--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void theConfigFilesGivenOnTheCommandLineAreAppliedAtStart() {
        String first = unique("first");
        String second = unique("second");
        Path spaced = ConfigFiles.instantiate("apply.yaml", first);
        Path joined = ConfigFiles.instantiate("apply.yaml", second);
        Path dataDir = TestDatabase.newDataDir("startup");
        // both spellings: "--config FILE" as documented, and "--config=FILE"
        try (ConfigurableApplicationContext app = SpringApplication.run(GatehouseApplication.class,
                args(dataDir, "--config", spaced.toString(), "--config=" + joined))) {
            CatalogService catalog = app.getBean(CatalogService.class);
            for (String id : List.of(first, second)) {
                assertThat(catalog.serverByName("docs-" + id)).as("docs-" + id).isPresent();
                assertThat(catalog.serverByName("search-" + id)).as("search-" + id).isPresent();
                GatewayDef team = catalog.gatewayByName("team-" + id).orElseThrow();
                assertThat(catalog.snapshot().assignments(team.id())).hasSize(2);
            }
        }
    }

    @Test
    void aBadConfigFileStopsTheStartNamingTheProblem() {
        Path bad = ConfigFiles.resource("unknown-key.yaml");
        assertThatThrownBy(() -> SpringApplication.run(GatehouseApplication.class,
                args(TestDatabase.newDataDir("startup-bad"), "--config", bad.toString())).close())
                .isInstanceOf(gatehouse.platform.StartupProblem.class)
                .hasMessageContaining("comand").hasMessageContaining("unknown-key.yaml").hasMessageContaining("line 5");
    }

    /**
     * A start that fails on its file leaves nothing behind: no server of the file, and no admin token
     * or sign-in password generated (they would have been shown to nobody); the next, good start
     * generates them.
     */
    @Test
    void aFailedStartLeavesNeitherConfigurationNorUnseenSecretsBehind() {
        String id = unique("half");
        Path dataDir = TestDatabase.newDataDir("startup-half");
        Path bad = ConfigFiles.instantiate("missing-server.yaml", id);
        assertThatThrownBy(() -> SpringApplication.run(GatehouseApplication.class, args(dataDir, "--config", bad.toString())).close())
                .isInstanceOf(gatehouse.platform.StartupProblem.class).hasMessageContaining("ghost-" + id);
        try (ConfigurableApplicationContext app = SpringApplication.run(GatehouseApplication.class, args(dataDir))) {
            assertThat(app.getBean(CatalogService.class).serverByName("known-" + id)).isEmpty();
            var jdbc = app.getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM users").query(Long.class).single()).as("the bootstrap user, created by this start")
                    .isEqualTo(1);
        }
    }
}
