package gatehouse.gateway.session;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import gatehouse.catalog.features.FeaturesChanged;
import gatehouse.gateway.protocol.JsonRpc;
import gatehouse.gateway.upstream.UpstreamSession;
import gatehouse.identity.Directory;
import gatehouse.policy.provisioning.FeatureKind;

/**
 * When what a gateway exposes changes (a tool quarantined, approved, disabled), its open sessions
 * drop their cached lists of the servers concerned, so no list filled before the change is served
 * or compared again, and their clients are told the lists changed; likewise (without dropping
 * anything) when what its people may see changes.
 */
@Component
class FeatureChangeNotifier {
    private final SessionRegistry sessions;

    FeatureChangeNotifier(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @EventListener
    void featuresChanged(FeaturesChanged event) {
        Set<String> methods = new LinkedHashSet<>();
        for (FeatureKind k : event.kinds()) {
            methods.add(k.listChangedMethod());
        }
        for (DownstreamSession s : sessions.sessionsOf(event.gatewayId())) {
            for (String serverId : event.serverIds()) {
                UpstreamSession up = s.openUpstream(serverId);
                if (up != null) {
                    up.invalidateLists();
                }
            }
            for (String method : methods) {
                s.deliver(null, JsonRpc.notification(method, null));
            }
        }
    }

    /**
     * What people see of these gateways changed (a team's subsets or memberships): their sessions
     * hear that every list may have changed. Nothing is cached per person, so no list is dropped.
     */
    @EventListener
    void accessChanged(Directory.AccessChanged event) {
        for (String gatewayId : event.gatewayIds()) {
            for (DownstreamSession s : sessions.sessionsOf(gatewayId)) {
                for (String kind : List.of("tools", "prompts", "resources")) {
                    s.deliver(null, JsonRpc.notification("notifications/" + kind + "/list_changed", null));
                }
            }
        }
    }
}
