package gatehouse.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Password sign-in for local accounts, with lockout: {@code maxFailures} wrong passwords in a row lock
 * the account for {@code lockout}. The authenticated principal is a plain Spring {@code User} whose
 * name is the user's id (stable across renames, and what tokens carry as {@code sub}); it is a type
 * the authorization server's JSON storage already knows.
 */
public class LocalAccounts implements AuthenticationProvider {
    private static final Logger log = LoggerFactory.getLogger(LocalAccounts.class);

    private final Directory directory;
    private final PasswordEncoder passwords;
    private final LoginProperties props;
    private final String dummyHash;

    public LocalAccounts(Directory directory, PasswordEncoder passwords, LoginProperties props) {
        this.directory = directory;
        this.passwords = passwords;
        this.props = props;
        this.dummyHash = passwords.encode("not-a-real-password");
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String username = authentication.getName();
        String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
        Optional<User> found = directory.userByUsername(username);
        Instant now = Instant.now();
        if (found.isEmpty() || !found.get().hasPassword()) {
            passwords.matches(password, dummyHash); // same cost whether or not the account exists
            throw new BadCredentialsException("Wrong username or password");
        }
        User user = found.get();
        if (user.lockedAt(now)) {
            // Say "locked" only to someone who knows the password: to anyone else a locked account
            // looks like any wrong guess, so the message does not reveal which usernames exist.
            if (!directory.passwordMatches(user.id(), password)) {
                throw new BadCredentialsException("Wrong username or password");
            }
            throw new LockedException("This account is locked after repeated failed sign-ins; try again later or ask an administrator");
        }
        if (!directory.passwordMatches(user.id(), password)) {
            int failures = user.failedLogins() + 1;
            Instant lockedUntil = null;
            if (failures >= props.maxFailures()) {
                lockedUntil = now.plus(props.lockout());
                failures = 0;
                log.warn("account '{}' locked until {} after {} failed sign-ins", user.username(), lockedUntil, props.maxFailures());
            }
            directory.recordFailure(user.id(), failures, lockedUntil);
            throw new BadCredentialsException("Wrong username or password");
        }
        if (!user.enabled()) {
            throw new DisabledException("This account is disabled");
        }
        directory.clearFailures(user.id());
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
