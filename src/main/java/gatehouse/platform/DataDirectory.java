package gatehouse.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data directory holds the embedded database and the master key, so it is created owner-only
 * (0700) and key files are born owner-only (0600): written to a temporary file created with those
 * permissions and moved into place, never readable by others even for a moment, never half-written.
 */
public final class DataDirectory {
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {
    }

    /** Creates the directory (and missing parents) with 0700; an existing one is tightened to 0700. */
    public static Path create(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            try {
                if (posix(abs.getParent())) {
                    Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectory(abs);
                }
            } catch (FileAlreadyExistsException raced) {
                // another process created it first
            }
        }
        if (posix(abs)) {
            Files.setPosixFilePermissions(abs, DIR);
        }
        return abs;
    }

    /**
     * Creates a file that only its owner may read, atomically and without replacing: a reader sees
     * nothing or the whole file. False when the file already exists (another replica won the race).
     */
    public static boolean createOwnerOnly(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = posix(dir);
        FileAttribute<?>[] attrs = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attrs);
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            try {
                Files.createLink(file, tmp); // fails instead of replacing, unlike a rename
            } catch (UnsupportedOperationException noHardLinks) {
                if (Files.exists(file)) {
                    return false;
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
            return true;
        } catch (FileAlreadyExistsException exists) {
            return false;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean posix(Path p) throws IOException {
        return p != null && Files.getFileStore(p).supportsFileAttributeView("posix");
    }
}
