package gatehouse.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import gatehouse.testing.TestDatabase;

/** The files under src/test/resources/config/, as is or with {@code ${id}} filled in. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static Path resource(String name) {
        try {
            return Path.of(ConfigFiles.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the resource with every {@code ${id}} replaced, so names are unique to one test. */
    static Path instantiate(String name, String id) {
        return write(name, read(name).replace("${id}", id));
    }

    static String read(String name) {
        try {
            return Files.readString(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(String name, String content) {
        try {
            return Files.writeString(TestDatabase.newDataDir("config").resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
