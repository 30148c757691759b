package gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import gatehouse.platform.Json;
import tools.jackson.databind.JsonNode;

/** Golden files for {@link ConfigApplier#read}: each {@code X.yaml} reads as {@code X.expected.json}. */
class DeclarativeConfigReadTest {

    @ParameterizedTest
    @ValueSource(strings = {"valid", "empty-sections"})
    void readsAsTheGoldenFileSays(String name) throws Exception {
        DeclarativeConfig config = ConfigApplier.read(ConfigFiles.resource(name + ".yaml"));
        JsonNode actual = Json.MAPPER.valueToTree(config);
        assertThat(actual).isEqualTo(Json.tree(ConfigFiles.read(name + ".expected.json")));
    }

    @Test
    void theValidFileGivesTypedRecords() throws Exception {
        DeclarativeConfig config = ConfigApplier.read(ConfigFiles.resource("valid.yaml"));
        assertThat(config.servers()).extracting(DeclarativeConfig.Server::name).containsExactly("github", "files", "legacy");
        assertThat(config.servers().get(1).command()).containsExactly("npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv/docs");
        assertThat(config.gateways().get(0).servers()).containsExactly(
                new DeclarativeConfig.GatewayServer("github", "shared", "gh"), new DeclarativeConfig.GatewayServer("files", null, ""));
        assertThat(config.gateways().get(1).servers()).isEmpty();
    }

    @Test
    void anUnknownKeyIsNamedWithItsLine() {
        Path file = ConfigFiles.resource("unknown-key.yaml");
        assertThatThrownBy(() -> ConfigApplier.read(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("unknown key 'comand'; did you mean 'command'?")
                .hasMessageContaining("line 5").hasMessageContaining("valid here: ").hasMessageNotContaining("java.");
    }

    @Test
    void anUnknownTopLevelKeyIsNamedWithItsLine() {
        assertThatThrownBy(() -> ConfigApplier.read(ConfigFiles.resource("unknown-top-level-key.yaml")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown key 'gateway'; did you mean 'gateways'?")
                .hasMessageContaining("line 2");
    }

    @Test
    void brokenYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> ConfigApplier.read(ConfigFiles.resource("bad-yaml.yaml")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bad-yaml.yaml").hasMessageContaining("line 4");
    }

    @Test
    void aCommandAsOtherClientsWriteItIsReadAndAWrongShapeIsNamedInYamlWords(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("copied.yaml");
        java.nio.file.Files.writeString(file, """
                servers:
                  - name: everything
                    transport: stdio
                    command: npx
                    args: ["-y", "@modelcontextprotocol/server-everything", "stdio"]
                """);
        DeclarativeConfig.Server s = ConfigApplier.read(file).servers().getFirst();
        assertThat(gatehouse.catalog.ServerCommand.of(s.command(), s.args()))
                .containsExactly("npx", "-y", "@modelcontextprotocol/server-everything", "stdio");

        java.nio.file.Files.writeString(file, """
                servers:
                  - name: everything
                    transport: stdio
                    env: [A, B]
                """);
        assertThatThrownBy(() -> ConfigApplier.read(file)).hasMessageContaining("'env' must be an object")
                .hasMessageContaining("line 4").hasMessageNotContaining("java.").hasMessageNotContaining("LinkedHashMap");
    }

    @Test
    void aMissingFileSaysSo() {
        Path missing = Path.of("does-not-exist", "gatehouse.yaml");
        assertThatThrownBy(() -> ConfigApplier.read(missing)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot be read").hasMessageContaining("gatehouse.yaml");
    }
}
