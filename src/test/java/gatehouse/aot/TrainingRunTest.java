package gatehouse.aot;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training run's arguments: a wrong one stops it with a message that names it (the run itself is AotCacheE2ETest's). */
class TrainingRunTest {
    @TempDir
    Path dir;

    @Test
    void aMissingApplicationJarIsNamed() {
        assertThatThrownBy(() -> new TrainingRun(dir.resolve("app/gatehouse.jar"), dir.resolve("x.aot"), dir, 10, "java", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no application jar at").hasMessageContaining("bin/aot");
    }

    @Test
    void theNumberOfCallsMustBePositiveAndBounded() throws Exception {
        Path jar = Files.createFile(dir.resolve("gatehouse.jar"));
        for (int calls : new int[] {0, -5, 1_000_001}) {
            assertThatThrownBy(() -> new TrainingRun(jar, dir.resolve("x.aot"), dir, calls, "java", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--calls must be between 1 and 1000000");
        }
    }

    @Test
    void requiredArgumentsAndTheirFormAreChecked() {
        assertThatThrownBy(() -> TrainingRun.main(new String[] {"--cache=x.aot", "--work=w"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--jar= is required");
        assertThatThrownBy(() -> TrainingRun.main(new String[] {"jar"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arguments are --name=value");
    }
}
