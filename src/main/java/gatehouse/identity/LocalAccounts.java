package gatehouse.identity;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * Password sign-in for local accounts. Three defences against guessing, in this order, each before
 * the password is looked at: a throttle per client address and per account name (growing delays,
 * answered at once, never by sleeping); the lock, which refuses exactly like a wrong password, so
 * the answer never changes when a guess is right; and an attempt reserved in the database before
 * checking ({@code maxFailures} attempts per lock window, however many run in parallel). The
 * authenticated principal is a plain Spring {@code User} whose name is the user's id (stable across
 * renames, and what tokens carry as {@code sub}); it is a type the authorization server's JSON
 * storage already knows.
 */
public class LocalAccounts implements AuthenticationProvider {
    private static final Logger log = LoggerFactory.getLogger(LocalAccounts.class);
    private static final String WRONG = "Wrong username or password";

    private final Directory directory;
    private final PasswordEncoder passwords;
    private final LoginProperties props;
    private final String dummyHash;
    private final InstantSource clock;
    private final SignInThrottle accounts;
    private final SignInThrottle addresses;

    public LocalAccounts(Directory directory, PasswordEncoder passwords, LoginProperties props) {
        this(directory, passwords, props, InstantSource.system());
    }

    LocalAccounts(Directory directory, PasswordEncoder passwords, LoginProperties props, InstantSource clock) {
        this.directory = directory;
        this.passwords = passwords;
        this.props = props;
        this.clock = clock;
        this.dummyHash = passwords.encode("not-a-real-password");
        this.accounts = new SignInThrottle(props.accountThrottle(), clock);
        this.addresses = new SignInThrottle(props.addressThrottle(), clock);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        if (!props.localEnabled()) {
            throw new DisabledException("Sign-in with a password is switched off here; use your organisation's sign-in");
        }
        String username = authentication.getName() == null ? "" : authentication.getName();
        String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
        String accountKey = username.toLowerCase(Locale.ROOT);
        String addressKey = authentication.getDetails() instanceof WebAuthenticationDetails w && w.getRemoteAddress() != null
                ? w.getRemoteAddress() : "unknown";
        Optional<Duration> wait = addresses.tryAcquire(addressKey);
        if (wait.isEmpty()) {
            wait = accounts.tryAcquire(accountKey);
        }
        if (wait.isPresent()) {
            throw new SignInThrottledException(wait.get());
        }
        boolean ok = false;
        try {
            Authentication result = check(username, password, authentication);
            ok = true;
            return result;
        } finally {
            if (ok) {
                accounts.succeeded(accountKey);
            } else {
                accounts.failed(accountKey);
                addresses.failed(addressKey);
            }
        }
    }

    private Authentication check(String username, String password, Authentication authentication) {
        Optional<User> found = directory.userByUsername(username);
        Instant now = clock.instant();
        if (found.isEmpty() || !found.get().hasPassword()) {
            passwords.matches(password, dummyHash); // same cost whether or not the account exists
            throw new BadCredentialsException(WRONG);
        }
        User user = found.get();
        // Reserve this attempt before the password is checked: a locked account, or one whose
        // remaining attempts are all in flight, refuses like a wrong guess, right password or not.
        if (!directory.reserveAttempt(user.id(), now, props.maxFailures())) {
            // Out of attempts but not locked (e.g. a failure that never finished): lock now, so it ends.
            directory.lockIfExhausted(user.id(), props.maxFailures(), now.plus(props.lockout()));
            passwords.matches(password, dummyHash); // same cost as a checked guess
            throw new BadCredentialsException(WRONG);
        }
        if (!directory.passwordMatches(user.id(), password)) {
            Instant lockedUntil = now.plus(props.lockout());
            if (directory.lockIfExhausted(user.id(), props.maxFailures(), lockedUntil)) {
                log.warn("account '{}' locked until {} after {} failed sign-ins", user.username(), lockedUntil, props.maxFailures());
            }
            throw new BadCredentialsException(WRONG);
        }
        directory.clearFailures(user.id());
        if (!user.enabled()) {
            throw new DisabledException("This account is disabled");
        }
        UserDetails principal = org.springframework.security.core.userdetails.User.withUsername(user.id())
                .password("").authorities(List.of(new SimpleGrantedAuthority("ROLE_USER"))).build();
        UsernamePasswordAuthenticationToken result = UsernamePasswordAuthenticationToken.authenticated(principal, null,
                principal.getAuthorities());
        result.setDetails(authentication.getDetails());
        return result;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
