package gatehouse.platform;

import static gatehouse.testing.TestNames.unique;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import gatehouse.catalog.CatalogService;
import gatehouse.catalog.GatewayDef;
import gatehouse.identity.Directory;
import gatehouse.identity.User;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.store.RuleService;
import gatehouse.testing.TestDatabase;

/**
 * A periodic reload that reads a table while an admin change to it is not yet committed must not
 * put the old content back: when the change's call returns, the change is in force on this
 * replica. Each test runs the change in a transaction and, before it commits, a reload on another
 * thread (as the scheduler would) that sees the old rows.
 */
@SpringBootTest
@ActiveProfiles("test")
@ContextConfiguration(initializers = TestDatabase.H2.class)
class ReloadDuringCommitTest {
    @Autowired RuleService rules;
    @Autowired CatalogService catalog;
    @Autowired Directory directory;
    @Autowired PlatformTransactionManager transactions;

    /** Runs {@code change} in one transaction and, before it commits, {@code periodicReload} on another thread. */
    private void changeWithAReloadBeforeCommit(Runnable change, Runnable periodicReload) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            change.run();
            Thread other = Thread.ofPlatform().start(periodicReload);
            try {
                other.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aNewContentRuleIsInForceWhenItsCreationReturns() {
        GatewayDef gw = catalog.createGateway(unique("reload-gw"));
        RuleInput ssn = new RuleInput("ssn", "pii", null, List.of("US_SSN"), null, null, null, "block", null, null, null, null, "request",
                "enforce", null, null, null, null, null);
        changeWithAReloadBeforeCommit(() -> rules.create(gw.id(), ssn), rules::reload);
        assertThat(rules.view().rules(gw.id())).hasSize(1);
    }

    @Test
    void aNewGatewayIsInTheCatalogWhenItsCreationReturns() {
        String[] id = new String[1];
        changeWithAReloadBeforeCommit(() -> id[0] = catalog.createGateway(unique("reload-gw")).id(), catalog::reload);
        assertThat(catalog.snapshot().gateways()).containsKey(id[0]);
    }

    @Test
    void aNewUserIsEnabledWhenItsCreationReturns() {
        User[] user = new User[1];
        changeWithAReloadBeforeCommit(() -> user[0] = directory.createUser(unique("reload-user"), "a-long-password-1", null), directory::reload);
        assertThat(directory.snapshot().enabledUsers()).contains(user[0].id());
    }
}
