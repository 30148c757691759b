package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void theDataDirectoryIsOwnerOnlyEvenWhenItExistedLooser() throws Exception {
        Path dir = DataDirectory.create(tmp.resolve("a/b/data"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        DataDirectory.create(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void theMasterKeyIsBornOwnerOnlyAndNeverReplaced() throws Exception {
        Path data = tmp.resolve("data");
        byte[] first = SecretBox.loadKey(data, null);
        Path key = data.resolve("master.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(SecretBox.loadKey(data, null)).as("read back, not regenerated").isEqualTo(first);
        assertThat(DataDirectory.createOwnerOnly(key, "other")).as("an existing key file is not replaced").isFalse();
        assertThat(Base64.getDecoder().decode(Files.readString(key).trim())).isEqualTo(first);
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary files left").containsExactly("master.key");
        }
    }
}
