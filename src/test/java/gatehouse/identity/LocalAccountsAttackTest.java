package gatehouse.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

import gatehouse.testing.GatewayTestSupport;

/**
 * Password guessing against local accounts, as an attacker would try it: guessing on through a
 * lock to see whether the answer changes, guessing in parallel to slip past the count, and guessing
 * fast from one address. Runs against the real directory and database of the running application.
 */
class LocalAccountsAttackTest extends GatewayTestSupport {
    private static final String PASSWORD = "correct horse battery";
    private static final LoginProperties.Throttle OFF = new LoginProperties.Throttle(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    @Autowired
    Directory directory;
    @Autowired
    PasswordEncoder passwords;

    private String newUser() {
        String name = unique("guess");
        directory.createUser(name, PASSWORD, name + "@example.com");
        return name;
    }

    private static Authentication attempt(String user, String password, String address) {
        UsernamePasswordAuthenticationToken t = UsernamePasswordAuthenticationToken.unauthenticated(user, password);
        t.setDetails(new WebAuthenticationDetails(address, null));
        return t;
    }

    private static String refusal(LocalAccounts accounts, String user, String password, String address) {
        Throwable t = catchThrowable(() -> accounts.authenticate(attempt(user, password, address)));
        assertThat(t).as("sign-in of %s must be refused", user).isNotNull();
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    @Test
    void aLockedAccountAnswersTheRightPasswordExactlyLikeAWrongOne() {
        LocalAccounts accounts = new LocalAccounts(directory, passwords, new LoginProperties(3, Duration.ofMinutes(15), OFF, OFF));
        String user = newUser();
        String wrong = null;
        for (int i = 0; i < 3; i++) {
            wrong = refusal(accounts, user, "wrong-" + i, "192.0.2.1");
        }
        assertThat(directory.userByUsername(user).orElseThrow().lockedAt(java.time.Instant.now())).isTrue();
        String right = refusal(accounts, user, PASSWORD, "192.0.2.1");
        String anotherWrong = refusal(accounts, user, "wrong-again", "192.0.2.1");
        assertThat(right).as("the right password while locked").isEqualTo(wrong).isEqualTo(anotherWrong)
                .doesNotContainIgnoringCase("lock");
    }

    @Test
    void parallelWrongGuessesEachCount() throws Exception {
        LocalAccounts accounts = new LocalAccounts(directory, passwords, new LoginProperties(5, Duration.ofMinutes(15), OFF, OFF));
        String user = newUser();
        guessInParallel(accounts, user, 4);
        assertThat(directory.userByUsername(user).orElseThrow().failedLogins()).as("four parallel failures, four counted").isEqualTo(4);
        refusal(accounts, user, "the fifth", "192.0.2.2");
        assertThat(directory.userByUsername(user).orElseThrow().lockedAt(java.time.Instant.now())).isTrue();
    }

    @Test
    void aParallelBurstLocksTheAccountAndTheRightPasswordAfterItFails() throws Exception {
        LocalAccounts accounts = new LocalAccounts(directory, passwords, new LoginProperties(5, Duration.ofMinutes(15), OFF, OFF));
        String user = newUser();
        guessInParallel(accounts, user, 24);
        assertThat(directory.userByUsername(user).orElseThrow().lockedAt(java.time.Instant.now())).isTrue();
        assertThatThrownBy(() -> accounts.authenticate(attempt(user, PASSWORD, "192.0.2.3"))).isInstanceOf(BadCredentialsException.class);
    }

    private static void guessInParallel(LocalAccounts accounts, String user, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Throwable>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String guess = "parallel-" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return catchThrowable(() -> accounts.authenticate(attempt(user, guess, "192.0.2.2")));
                }));
            }
            go.countDown();
            for (Future<Throwable> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isInstanceOf(BadCredentialsException.class);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAccountIsThrottledBeforeItsPasswordIsChecked() {
        MutableClock clock = new MutableClock();
        LoginProperties props = new LoginProperties(100, Duration.ofMinutes(15),
                new LoginProperties.Throttle(1, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(15)), OFF);
        LocalAccounts accounts = new LocalAccounts(directory, passwords, props, clock);
        String user = newUser();
        refusal(accounts, user, "wrong-1", "192.0.2.4");
        refusal(accounts, user, "wrong-2", "192.0.2.5");
        // The third try comes at once: refused before the password is looked at, the right one included.
        assertThatThrownBy(() -> accounts.authenticate(attempt(user, PASSWORD, "192.0.2.6")))
                .isInstanceOf(SignInThrottledException.class).hasMessageContaining("try again in");
        // Unknown accounts are throttled alike, so the throttle tells nothing about which names exist.
        String ghost = unique("nobody");
        refusal(accounts, ghost, "x", "192.0.2.4");
        refusal(accounts, ghost, "y", "192.0.2.4");
        assertThatThrownBy(() -> accounts.authenticate(attempt(ghost, "z", "192.0.2.4"))).isInstanceOf(SignInThrottledException.class);
        clock.advance(Duration.ofSeconds(61));
        assertThat(accounts.authenticate(attempt(user, PASSWORD, "192.0.2.6")).isAuthenticated()).isTrue();
    }

    @Test
    void oneAddressSprayingManyAccountsIsThrottledAndOthersAreNot() {
        MutableClock clock = new MutableClock();
        LoginProperties props = new LoginProperties(100, Duration.ofMinutes(15), OFF,
                new LoginProperties.Throttle(3, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(15)));
        LocalAccounts accounts = new LocalAccounts(directory, passwords, props, clock);
        String user = newUser();
        for (int i = 0; i < 4; i++) {
            refusal(accounts, unique("spray"), "guess", "198.51.100.7");
        }
        assertThatThrownBy(() -> accounts.authenticate(attempt(user, PASSWORD, "198.51.100.7"))).isInstanceOf(SignInThrottledException.class);
        assertThat(accounts.authenticate(attempt(user, PASSWORD, "198.51.100.8")).isAuthenticated())
                .as("another address is not slowed").isTrue();
    }
}
