package gatehouse.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.catalog.ServerDef;
import gatehouse.platform.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * What happens when an upstream refuses (HTTP 401) a credential before its expiry — revoked at the
 * provider, a changed password, a rotated key: an OAuth credential holding a refresh token is
 * refreshed once and the call retried; otherwise (or when the refreshed token is refused too) the
 * credential is marked {@code rejected}, an {@code identity-rejected} alert names whose credential
 * for which server failed, and the call is answered with where to renew it. Concurrent calls that
 * meet the same refusal see one refresh and one alert: the first renews, the others find the
 * credential changed and retry with it. The vault that answers {@code rejected} makes it (it asks
 * the vault again what to present), so neither holds a setter for the other.
 */
public class CredentialRejections {
    private static final Logger log = LoggerFactory.getLogger(CredentialRejections.class);
    /** A credential renewed after a 401 within this time and refused again is rejected, not refreshed again. */
    static final Duration RENEWAL_MEMORY = Duration.ofMinutes(5);

    private final IdentityVault vault;
    private final CredentialStore store;
    private final UpstreamOAuth oauth;
    private final AlertService alerts;
    private final CatalogService catalog;
    private final Directory directory;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Instant> renewedAfterRefusal = new ConcurrentHashMap<>();

    CredentialRejections(IdentityVault vault, CredentialStore store, UpstreamOAuth oauth, AlertService alerts, CatalogService catalog,
                         Directory directory) {
        this.vault = vault;
        this.store = store;
        this.oauth = oauth;
        this.alerts = alerts;
        this.catalog = catalog;
        this.directory = directory;
    }

    UpstreamCredentials.Presented rejected(String connectionId, String gatewayId, ServerDef server, String presented) {
        Optional<Credential> found = vault.presentedCredential(connectionId, gatewayId, server);
        if (found.isEmpty()) {
            return new UpstreamCredentials.None(); // the server's own headers were refused: nothing of ours to mark
        }
        ReentrantLock lock = locks.computeIfAbsent(found.get().id(), k -> new ReentrantLock());
        lock.lock();
        try {
            Credential cr = store.byId(found.get().id()).orElse(null);
            if (cr == null || !"ok".equals(cr.state())) {
                vault.changed();
                return vault.present(connectionId, gatewayId, server); // marked meanwhile: its Unusable
            }
            String current;
            try {
                current = vault.presentedValue(cr, server);
            } catch (RuntimeException e) {
                current = null;
            }
            if (current != null && presented != null && !current.equals(presented)) {
                vault.changed();
                return vault.present(connectionId, gatewayId, server); // renewed by another call meanwhile: retry with it
            }
            Instant renewed = renewedAfterRefusal.get(cr.id());
            boolean renewedLately = renewed != null && renewed.isAfter(Instant.now().minus(RENEWAL_MEMORY));
            if (IdentityVault.OAUTH.equals(cr.kind()) && !renewedLately && hasRefreshToken(cr)) {
                Credential refreshed = oauth.refresh(cr);
                vault.changed();
                if ("ok".equals(refreshed.state())) {
                    renewedAfterRefusal.put(cr.id(), Instant.now());
                    log.info("upstream {} refused credential {}; refreshed it and retrying once", server.name(), cr.id());
                    return vault.present(connectionId, gatewayId, server);
                }
                return vault.present(connectionId, gatewayId, server); // refresh-failed, alerted by the refresh
            }
            renewedAfterRefusal.remove(cr.id());
            String owner = ownerOf(cr, gatewayId, connectionId);
            store.mark(cr, "rejected", "the upstream refused it (HTTP 401) before its expiry"
                    + (renewedLately ? ", also right after a refresh" : ""));
            ObjectNode details = Json.object().put("identityId", cr.id()).put("serverId", server.id());
            if (cr.userId() != null) {
                details.put("userId", cr.userId());
            }
            if (gatewayId != null) {
                details.put("gatewayId", gatewayId);
            }
            alerts.raise("identity-rejected", "warning", "identity for server '" + server.name() + "'",
                    owner + " credential for server '" + server.name() + "' was refused by the upstream (HTTP 401) before it expired "
                            + "(revoked or changed at the provider). " + renewal(cr, server, connectionId, gatewayId),
                    new AlertService.About(null, server.id(), cr.id()), details);
            log.warn("upstream {} refused credential {} ({}); marked rejected", server.name(), cr.id(), owner);
            vault.changed();
            return vault.present(connectionId, gatewayId, server);
        } finally {
            lock.unlock();
        }
    }

    private boolean hasRefreshToken(Credential cr) {
        try {
            return UpstreamTokens.parse(store.secret(cr.id())).refreshToken() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private boolean isShared(Credential cr, String gatewayId) {
        return cr.userId() == null && vault.shared(gatewayId, cr.serverId()).map(Credential::id).filter(cr.id()::equals).isPresent();
    }

    /** Whose credential it was, for the alert. */
    private String ownerOf(Credential cr, String gatewayId, String connectionId) {
        if (cr.userId() != null) {
            String name;
            try {
                name = directory.user(cr.userId()).username();
            } catch (RuntimeException e) {
                name = cr.userId();
            }
            return "User '" + name + "'s";
        }
        if (isShared(cr, gatewayId)) {
            String gateway = Optional.ofNullable(catalog.snapshot().gateways().get(gatewayId)).map(g -> g.name()).orElse(gatewayId);
            return "Gateway '" + gateway + "'s shared";
        }
        return "API-token connection " + connectionId + "'s";
    }

    private String renewal(Credential cr, ServerDef server, String connectionId, String gatewayId) {
        if (cr.userId() != null) {
            return "They renew it at " + vault.renewUrl(server.id()) + ".";
        }
        if (isShared(cr, gatewayId)) {
            return "Set a new one: PUT /api/v1/gateways/" + gatewayId + "/servers/" + server.id() + "/identity {token}.";
        }
        return "Give a new one: PUT /api/v1/connections/" + connectionId + "/identities/" + server.id() + " {token}.";
    }
}
