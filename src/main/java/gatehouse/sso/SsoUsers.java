package gatehouse.sso;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.identity.Directory;
import gatehouse.identity.Team;
import gatehouse.identity.User;

/**
 * Who a person signing in through a provider is: the user linked to the provider's subject, else
 * an existing user this provider may claim, else a new user created on the spot. The groups in the
 * provider's groups claim keep the user's memberships of the teams of the same names in step.
 */
@Service
public class SsoUsers {
    private final JdbcClient jdbc;
    private final Directory directory;

    SsoUsers(JdbcClient jdbc, Directory directory) {
        this.jdbc = jdbc;
        this.directory = directory;
    }

    /** Sign-in refused for a reason the person may read. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    @Transactional
    public User signIn(SsoProvider provider, OidcUser person) {
        String subject = person.getSubject();
        Optional<String> linked = jdbc.sql("SELECT user_id FROM sso_links WHERE provider_id = ? AND subject = ?")
                .params(provider.id(), subject).query(String.class).optional();
        User user;
        if (linked.isPresent()) {
            user = directory.user(linked.get());
        } else {
            user = claimOrCreate(provider, person);
            jdbc.sql("INSERT INTO sso_links (provider_id, subject, user_id, created_at) VALUES (?, ?, ?, ?)")
                    .params(provider.id(), subject, user.id(), Timestamp.from(Instant.now())).update();
        }
        if (!user.enabled()) {
            throw new Refused("This account is disabled");
        }
        if (provider.groupsClaim() != null) {
            syncGroups(provider, user, groups(person.getClaims().get(provider.groupsClaim())));
        }
        return user;
    }

    /**
     * Team memberships follow the groups claim at each sign-in: a group the person is in adds them
     * to the team of that name (a membership this provider then manages); a managed membership
     * whose group is gone from the claim is removed. Memberships an administrator or SCIM made are
     * never touched, even when the group is missing.
     */
    private void syncGroups(SsoProvider provider, User user, List<String> groups) {
        java.util.Set<String> managed = new java.util.HashSet<>(jdbc.sql(
                        "SELECT team_id FROM sso_memberships WHERE provider_id = ? AND user_id = ?")
                .params(provider.id(), user.id()).query(String.class).list());
        for (Team t : directory.teams()) {
            boolean member = t.memberIds().contains(user.id());
            if (groups.contains(t.name())) {
                if (!member) {
                    directory.addMember(t.id(), user.id());
                    jdbc.sql("INSERT INTO sso_memberships (provider_id, team_id, user_id, created_at) VALUES (?, ?, ?, ?)")
                            .params(provider.id(), t.id(), user.id(), Timestamp.from(Instant.now())).update();
                }
            } else if (managed.contains(t.id())) {
                if (member) {
                    directory.removeMember(t.id(), user.id());
                }
                jdbc.sql("DELETE FROM sso_memberships WHERE provider_id = ? AND team_id = ? AND user_id = ?")
                        .params(provider.id(), t.id(), user.id()).update();
            }
        }
    }

    private User claimOrCreate(SsoProvider provider, OidcUser person) {
        String email = person.getEmail();
        String username = email != null && !email.isBlank() ? email
                : person.getPreferredUsername() != null ? person.getPreferredUsername() : provider.name() + "-" + person.getSubject();
        Optional<User> existing = directory.userByUsername(username);
        if (existing.isPresent()) {
            User u = existing.get();
            boolean provisionedElsewhere = !u.source().equals("local");
            boolean sameVerifiedEmail = Boolean.TRUE.equals(person.getEmailVerified()) && email != null && email.equalsIgnoreCase(u.email());
            if (provisionedElsewhere || sameVerifiedEmail) {
                return u;
            }
            throw new Refused("An account named '" + username + "' already exists and is not linked to " + provider.name()
                    + "; ask an administrator");
        }
        return directory.createExternalUser(username, email, "sso:" + provider.name());
    }

    private static List<String> groups(Object claim) {
        List<String> out = new ArrayList<>();
        if (claim instanceof Collection<?> c) {
            c.forEach(g -> out.add(String.valueOf(g)));
        } else if (claim instanceof String s) {
            for (String g : s.split(",")) {
                out.add(g.trim());
            }
        }
        return out;
    }
}
