package gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.testing.TestDatabase;

/** The documented GATEHOUSE_* variables become the Spring properties the tests set directly. */
class GatehouseApplicationTest {

    @Test
    void defaultsToTheEmbeddedDatabaseInTheDataDirectory() throws Exception {
        Path dataDir = TestDatabase.newDataDir("env").resolve("nested");
        Map<String, Object> props = GatehouseApplication.defaults(Map.of("GATEHOUSE_DATA_DIR", dataDir.toString()));
        assertThat(Files.isDirectory(dataDir)).as("created").isTrue();
        assertThat(props).containsEntry("server.port", "8080")
                .containsEntry("gatehouse.data-dir", dataDir.toString())
                .containsEntry("gatehouse.public-url", "http://localhost:8080")
                .containsEntry("spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
    }

    @Test
    void postgresAndPublicUrlComeFromTheEnvironment() throws Exception {
        Path dataDir = TestDatabase.newDataDir("env");
        Map<String, Object> props = GatehouseApplication.defaults(Map.of(
                "GATEHOUSE_DATA_DIR", dataDir.toString(), "GATEHOUSE_PORT", "9443",
                "GATEHOUSE_PUBLIC_URL", "https://mcp.example.com",
                "GATEHOUSE_DB_URL", "jdbc:postgresql://db:5432/gatehouse", "GATEHOUSE_DB_USER", "gh", "GATEHOUSE_DB_PASSWORD", "pw"));
        assertThat(props).containsEntry("server.port", "9443")
                .containsEntry("gatehouse.public-url", "https://mcp.example.com")
                .containsEntry("spring.datasource.url", "jdbc:postgresql://db:5432/gatehouse")
                .containsEntry("spring.datasource.username", "gh")
                .containsEntry("spring.datasource.password", "pw");
    }
}
