package gatehouse.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * What {@code GatehouseApplication.main} derives from the environment, for tests: a fresh data
 * directory and a database. Use as {@code @ContextConfiguration(initializers = TestDatabase.H2.class)}
 * (or {@code .Postgres}); test classes with the same annotations share one cached context.
 */
public final class TestDatabase {
    private TestDatabase() {
    }

    /** The embedded default: an H2 file database in a new data directory, as in production. */
    public static final class H2 implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            Path dataDir = newDataDir("h2");
            Map<String, Object> props = dataDirProperties(dataDir);
            props.put("spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE");
            props.put("spring.datasource.username", "sa");
            props.put("spring.datasource.password", "");
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("gatehouse-test-h2", props));
        }
    }

    /** A fresh database in the run's single PostgreSQL server ({@link TestPostgres}). */
    public static final class Postgres implements ApplicationContextInitializer<ConfigurableApplicationContext> {
        @Override
        public void initialize(ConfigurableApplicationContext context) {
            Map<String, Object> props = dataDirProperties(newDataDir("pg"));
            props.put("spring.datasource.url", TestPostgres.newDatabase());
            props.put("spring.datasource.username", "postgres");
            props.put("spring.datasource.password", "");
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("gatehouse-test-postgres", props));
        }
    }

    /** A new, empty data directory under the build's temporary directory. */
    public static Path newDataDir(String label) {
        try {
            Path base = Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "gatehouse-" + label + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> dataDirProperties(Path dataDir) {
        Map<String, Object> props = new HashMap<>();
        props.put("gatehouse.data-dir", dataDir.toString());
        return props;
    }
}
