package gatehouse.gateway.upstream;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a stdio child is started with: its command (wrapped in bubblewrap when sandboxed), its
 * environment (an allow-list, never Gatehouse's own secrets) and its working directory (outside
 * the data directory). Pure apart from looking for the bubblewrap executable, so it is tested alone.
 */
record StdioLaunch(List<String> command, Map<String, String> environment, Path workDir) {

    StdioLaunch {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /**
     * The environment of a child: the allowed names present in {@code parent}, then the server's own
     * {@code env} on top (an administrator may set any variable for one server deliberately).
     */
    static Map<String, String> environment(Map<String, String> parent, StdioProperties props, Map<String, String> own) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> allowed = new ArrayList<>(StdioProperties.ALWAYS_INHERITED);
        allowed.addAll(props.inheritEnv());
        for (String name : allowed) {
            String value = parent.get(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putAll(own);
        return env;
    }

    /** The directory all stdio working directories live under; it must not be inside the data directory. */
    static Path workRoot(StdioProperties props, Path dataDir) {
        Path data = dataDir.toAbsolutePath().normalize();
        Path root;
        if (props.workRoot() == null || props.workRoot().isBlank()) {
            root = Path.of(System.getProperty("java.io.tmpdir"), "gatehouse-stdio-" + shortHash(data.toString()));
        } else {
            root = Path.of(props.workRoot());
        }
        root = root.toAbsolutePath().normalize();
        if (root.startsWith(data)) {
            throw new IllegalStateException("gatehouse.stdio.work-root (" + root + ") must be outside the data directory (" + data
                    + "): stdio servers must not start next to the database and key files");
        }
        return root;
    }

    /**
     * Builds the launch of one server. With the sandbox on, the child sees the file system read-only,
     * its own working directory writable (also its HOME, so npm caches land there), a private /tmp,
     * an empty directory in place of the data directory, and its own PID namespace; it dies with Gatehouse.
     */
    static StdioLaunch of(List<String> serverCommand, Map<String, String> serverEnv, Map<String, String> parentEnv,
                          StdioProperties props, Path workRoot, String serverId, Path dataDir) {
        Path workDir = workRoot.resolve(serverId).toAbsolutePath().normalize();
        Map<String, String> env = environment(parentEnv, props, serverEnv);
        Optional<String> bwrap = switch (props.sandbox()) {
            case "off" -> Optional.empty();
            case "auto" -> executable(props.bubblewrapCommand(), parentEnv);
            case "required" -> Optional.of(executable(props.bubblewrapCommand(), parentEnv).orElseThrow(() -> new IllegalStateException(
                    "gatehouse.stdio.sandbox=required but '" + props.bubblewrapCommand() + "' is not installed (Debian: apt-get install bubblewrap)")));
            default -> throw new IllegalStateException("unknown sandbox " + props.sandbox());
        };
        if (bwrap.isEmpty()) {
            return new StdioLaunch(serverCommand, env, workDir);
        }
        Path data = dataDir.toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(bwrap.get(),
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                "--tmpfs", "/tmp",
                "--bind", workDir.toString(), workDir.toString(),
                "--tmpfs", data.toString(),
                "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--new-session", "--die-with-parent",
                "--setenv", "HOME", workDir.toString(),
                "--chdir", workDir.toString(),
                "--"));
        cmd.addAll(serverCommand);
        return new StdioLaunch(cmd, env, workDir);
    }

    /** Creates the working directory, owner-only where the file system knows permissions. */
    void prepare() throws IOException {
        Files.createDirectories(workDir);
        ownerOnly(workDir.getParent());
        ownerOnly(workDir);
    }

    private static void ownerOnly(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system, or not ours to change
        }
    }

    private static Optional<String> executable(String command, Map<String, String> parentEnv) {
        if (command.contains(File.separator)) {
            return Files.isExecutable(Path.of(command)) ? Optional.of(command) : Optional.empty();
        }
        String path = parentEnv.getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return Optional.of(Path.of(dir, command).toString());
            }
        }
        return Optional.empty();
    }

    private static String shortHash(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
