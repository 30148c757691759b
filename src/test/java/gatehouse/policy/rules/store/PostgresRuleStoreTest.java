package gatehouse.policy.rules.store;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;

import gatehouse.catalog.CatalogService;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.testing.TestDatabase;

/**
 * Rules on a real PostgreSQL (the H2 runs are the API and step tests): stored sealed, read back,
 * changed, republished, gone with their gateway.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.Postgres.class)
class PostgresRuleStoreTest {
    @Autowired RuleService rules;
    @Autowired CatalogService catalog;
    @Autowired JdbcClient jdbc;

    @Test
    void rulesAreStoredSealedChangedAndDeletedWithTheirGateway() {
        String gw = catalog.createGateway(unique("pg-rules")).id();
        RuleInput in = new RuleInput("codes", "regex", List.of("ACME-[0-9]{4}"), null, null, null, null, "mask", null, "#", 2, true,
                "response", "alert-only", null, null, null, null, null);
        RuleSpec created = rules.create(gw, in);
        String stored = jdbc.sql("SELECT definition_sealed FROM content_rules WHERE id = ?").param(created.id()).query(String.class).single();
        assertThat(stored).startsWith("v1:").doesNotContain("ACME");
        RuleSpec read = rules.get(gw, created.id());
        assertThat(read.patterns()).containsExactly("ACME-[0-9]{4}");
        assertThat(read.maskChar()).isEqualTo('#');
        assertThat(read.mode()).isEqualTo(RuleSpec.Mode.ALERT_ONLY);
        assertThat(rules.view().rules(gw)).hasSize(1);
        rules.update(gw, created.id(), new RuleInput(null, null, null, null, null, null, null, null, null, null, null, null, null, "enforce",
                null, null, null, null, null));
        assertThat(rules.view().rules(gw).getFirst().spec().mode()).isEqualTo(RuleSpec.Mode.ENFORCE);
        catalog.deleteGateway(gw);
        rules.reload();
        assertThat(rules.view().rules(gw)).isEmpty();
    }
}
