package gatehouse;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Entry point. The documented {@code GATEHOUSE_*} environment variables are mapped onto Spring
 * properties here, once, so the rest of the code reads ordinary configuration.
 */
@SpringBootApplication
@EnableScheduling
public class GatehouseApplication {

    public static void main(String[] args) throws Exception {
        SpringApplication app = new SpringApplication(GatehouseApplication.class);
        app.setDefaultProperties(defaults(System.getenv()));
        app.run(args);
    }

    static Map<String, Object> defaults(Map<String, String> env) throws Exception {
        Map<String, Object> props = new HashMap<>();
        String port = env.getOrDefault("GATEHOUSE_PORT", "8080");
        Path dataDir = Path.of(env.getOrDefault("GATEHOUSE_DATA_DIR", "./data")).toAbsolutePath().normalize();
        gatehouse.platform.DataDirectory.create(dataDir); // 0700: the database and the master key live here
        props.put("server.port", port);
        props.put("gatehouse.data-dir", dataDir.toString());
        props.put("gatehouse.public-url", env.getOrDefault("GATEHOUSE_PUBLIC_URL", "http://localhost:" + port));
        String dbUrl = env.get("GATEHOUSE_DB_URL");
        if (dbUrl == null || dbUrl.isBlank()) {
            // WRITE_DELAY=0: a commit is in the file at once. With H2's default (written within 500 ms), the log
            // records of the last moment before a SIGTERM were committed, readable, and then missing after a
            // restart whenever the process ended before the database was closed.
            props.put("spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
            props.put("spring.datasource.username", "sa");
            props.put("spring.datasource.password", "");
        } else {
            props.put("spring.datasource.url", dbUrl);
            props.put("spring.datasource.username", env.getOrDefault("GATEHOUSE_DB_USER", ""));
            props.put("spring.datasource.password", env.getOrDefault("GATEHOUSE_DB_PASSWORD", ""));
        }
        return props;
    }
}
