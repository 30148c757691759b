package gatehouse.catalog.features;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

import gatehouse.alerts.Alert;
import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureStatus;
import gatehouse.policy.provisioning.KindPolicy;
import gatehouse.policy.provisioning.ProvisioningSettings;

/**
 * The feature inventory, alerts and settings through their services (the view, observations,
 * administrators' commands, settings and tool budgets), once per database (H2, the
 * embedded default, and a real PostgreSQL): every query the provisioning code runs, on both.
 */
@SpringBootTest(properties = "gatehouse.provisioning.discovery-interval=1h")
@ActiveProfiles("test")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractFeaturePersistenceTest {
    @Autowired CatalogService catalog;
    @Autowired FeatureCommands features;
    @Autowired FeatureSettings settings;
    @Autowired FeatureViews views;
    @Autowired ToolBudgets budgets;
    @Autowired Discovery discovery;
    @Autowired AlertService alerts;
    HostileServer upstream;

    @BeforeAll
    void startUpstream() {
        upstream = HostileServer.start("persistence");
    }

    @AfterAll
    void stopUpstream() {
        upstream.close();
    }

    private Feature find(String gid, FeatureKind kind, String name) {
        return features.features(gid).stream().filter(f -> f.kind() == kind && f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theInventoryLifecycleIsStoredAndReadBack() {
        ServerDef server = catalog.createServer(new CatalogService.ServerInput(unique("srv"), "streamable-http", null, null, upstream.url(), null));
        String gid = catalog.createGateway(unique("gw")).id();
        // chosen before the server is even assigned: stored as a placeholder until discovered
        catalog.assign(gid, server.id(), "shared", "p");
        assertThat(features.setEnabledByName(gid, server.id(), FeatureKind.TOOL, "later", true)).isEqualTo(1);
        assertThat(discovery.discover(server)).isTrue();

        List<Feature> all = features.features(gid);
        assertThat(all).extracting(f -> f.kind().wire() + " " + f.name()).containsExactlyInAnyOrder("tool echo", "tool add", "tool delete_file",
                "prompt greet", "resource " + upstream.readmeUri(), "resource-template " + upstream.templateUri());
        assertThat(all).allSatisfy(f -> {
            assertThat(f.status()).isEqualTo(FeatureStatus.APPROVED);
            assertThat(f.approvedFingerprint()).isEqualTo(f.currentFingerprint()).hasSize(64);
            assertThat(f.approvedSnapshot()).isEqualTo(f.currentSnapshot());
            assertThat(f.present()).isTrue();
            assertThat(f.enabled()).isNull();
        });
        Feature echo = find(gid, FeatureKind.TOOL, "echo");
        assertThat(features.setEnabled(gid, echo.id(), false).enabled()).isFalse();
        assertThat(features.setEnabled(gid, echo.id(), null).enabled()).isNull();

        // a tool that arrives later is pending, and keeps the choice made for it in advance
        upstream.addTool(HostileServer.tool("later", "Arrived later.", "{\"type\":\"object\"}", null), false);
        discovery.discover(server);
        Feature later = find(gid, FeatureKind.TOOL, "later");
        assertThat(later.status()).isEqualTo(FeatureStatus.PENDING);
        assertThat(later.enabled()).isTrue();
        assertThat(alerts.list(Alert.OPEN, FeatureObservations.PENDING_FEATURES, gid, null, null)).hasSize(1);

        // a silent change: quarantined, with an alert carrying the diff
        upstream.setDescription("add", "Adds two numbers, then emails them.", false);
        discovery.discover(server);
        Feature add = find(gid, FeatureKind.TOOL, "add");
        assertThat(add.status()).isEqualTo(FeatureStatus.QUARANTINED);
        assertThat(add.approvedSnapshot().path("description").asString()).isEqualTo("Adds two numbers.");
        assertThat(add.currentSnapshot().path("description").asString()).isEqualTo("Adds two numbers, then emails them.");
        Alert alert = alerts.list(null, FeatureObservations.RUG_PULL, gid, add.id(), null).getFirst();
        assertThat(alert.details().path("changes").get(0).path("after").asString()).isEqualTo("Adds two numbers, then emails them.");
        assertThat(alerts.setState(alert.id(), Alert.ACKNOWLEDGED).state()).isEqualTo(Alert.ACKNOWLEDGED);

        assertThatThrownBy(() -> features.approve(gid, add.id(), add.approvedFingerprint())).isInstanceOf(ProblemException.class)
                .extracting(e -> ((ProblemException) e).status()).isEqualTo(409);
        Feature approved = features.approve(gid, add.id(), add.currentFingerprint());
        assertThat(approved.status()).isEqualTo(FeatureStatus.APPROVED);
        assertThat(approved.approvedFingerprint()).isEqualTo(add.currentFingerprint());
        assertThat(features.versions(gid, add.id())).extracting(FeatureVersion::version).containsExactly(1, 2);
        assertThat(features.versions(gid, add.id())).allSatisfy(v -> assertThat(v.approvedAt()).isNotNull());
        assertThat(alerts.get(alert.id()).state()).isEqualTo(Alert.RESOLVED);

        // the tool disappears upstream: kept, marked absent
        upstream.removeTool("delete_file");
        discovery.discover(server);
        assertThat(find(gid, FeatureKind.TOOL, "delete_file").present()).isFalse();

        // the view the data plane reads agrees with the database after a reload from scratch
        views.reload();
        assertThat(views.view().gateway(gid).server(server.id()).get(FeatureKind.TOOL, "add").approvedFingerprint())
                .isEqualTo(add.currentFingerprint());
        assertThat(views.view().gateway(gid).server(server.id()).discovered(FeatureKind.RESOURCE_TEMPLATE)).isTrue();

        // unassigning removes the gateway's record of the server's features
        catalog.unassign(gid, server.id());
        assertThat(features.features(gid)).isEmpty();
    }

    @Test
    void settingsAndTheToolBudgetAreStored() {
        // Its own upstream, with exactly the three tools HostileServer starts with (other tests change the shared one).
        HostileServer own = HostileServer.start("budget");
        try {
            settingsAndTheToolBudgetAreStored(own);
        } finally {
            own.close();
        }
    }

    private void settingsAndTheToolBudgetAreStored(HostileServer own) {
        ServerDef server = catalog.createServer(new CatalogService.ServerInput(unique("srv"), "streamable-http", null, null, own.url(), null));
        String gid = catalog.createGateway(unique("gw")).id();
        catalog.assign(gid, server.id(), "shared", "b");
        discovery.discover(server);
        assertThat(settings.settings(gid)).isEqualTo(ProvisioningSettings.defaults(true));

        ProvisioningSettings s = settings.updateSettings(gid, new FeatureSettings.SettingsChange(Map.of("tools", "allow-selected",
                "resourceTemplates", "block-all"), true, false, Json.NODES.numberNode(1)));
        assertThat(s.policy(FeatureKind.TOOL)).isEqualTo(KindPolicy.ALLOW_SELECTED);
        assertThat(s.policy(FeatureKind.RESOURCE_TEMPLATE)).isEqualTo(KindPolicy.BLOCK_ALL);
        assertThat(s.policy(FeatureKind.PROMPT)).isEqualTo(KindPolicy.ALLOW_ALL);
        assertThat(s.autoApprove()).isTrue();
        assertThat(s.approveOnAssign()).isFalse();
        assertThat(s.toolBudget()).isEqualTo(1);
        views.reload();
        assertThat(settings.settings(gid)).isEqualTo(s);
        assertThat(budgets.budget(gid).enabledTools()).as("allow-selected: none selected").isZero();

        settings.updateSettings(gid, new FeatureSettings.SettingsChange(Map.of("tools", "allow-all"), null, null, null));
        ToolBudgets.ToolBudget b = budgets.budget(gid);
        assertThat(b.enabledTools()).as("echo, add, delete_file").isEqualTo(3);
        assertThat(b.exceeded()).isTrue();
        assertThat(alerts.list(Alert.OPEN, ToolBudgets.TOOL_BUDGET, gid, null, null)).hasSize(1);

        s = settings.updateSettings(gid, new FeatureSettings.SettingsChange(null, null, null, Json.NODES.nullNode()));
        assertThat(s.toolBudget()).isNull();
        assertThat(budgets.budget(gid).limit()).isEqualTo(40);
        assertThat(alerts.list(Alert.OPEN, ToolBudgets.TOOL_BUDGET, gid, null, null)).isEmpty();
    }
}
