package gatehouse.alerts;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import gatehouse.platform.Ids;
import gatehouse.platform.ProblemException;
import tools.jackson.databind.JsonNode;

/** Raises, lists and updates alerts. Every alert raised is also logged at WARN. */
@Service
public class AlertService {
    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    private static final Set<String> STATES = Set.of(Alert.OPEN, Alert.ACKNOWLEDGED, Alert.RESOLVED);

    /** What an alert is about, for machines; any id may be null. */
    public record About(String gatewayId, String serverId, String featureId) {
    }

    private final AlertRepository repo;
    private final AlertChannels channels;

    AlertService(AlertRepository repo, AlertChannels channels) {
        this.repo = repo;
        this.channels = channels;
    }

    /**
     * A new alert, delivered to the channels routed for its type. A repeat of one still open (same
     * type, subject, message and ids) only counts an occurrence: the list and people's inboxes are
     * not flooded by a condition that keeps happening.
     */
    public Alert raise(String type, String severity, String subject, String message, About about, JsonNode details) {
        Instant now = Instant.now();
        String s = truncate(subject, 512);
        String m = truncate(message, 2048);
        for (Alert open : repo.unresolved(type, about.gatewayId(), about.serverId(), about.featureId())) {
            if (open.subject().equals(s) && open.message().equals(m)) {
                Alert again = new Alert(open.id(), open.type(), open.severity(), open.subject(), open.message(), open.state(),
                        open.gatewayId(), open.serverId(), open.featureId(), open.details(), open.time(), now, open.occurrences() + 1, now);
                repo.update(again);
                return again;
            }
        }
        Alert a = new Alert(Ids.id("alr"), type, severity, s, m, Alert.OPEN, about.gatewayId(), about.serverId(), about.featureId(),
                details, now, now, 1, now);
        repo.insert(a);
        log.warn("alert [{}] {}: {}", severity, type, a.message());
        channels.deliver(a);
        return a;
    }

    /**
     * An alert about a lasting condition (a gateway over budget): while one about the same subject is
     * unresolved, it is updated instead of raising another.
     */
    public Alert raiseOnce(String type, String severity, String subject, String message, About about, JsonNode details) {
        List<Alert> existing = repo.unresolved(type, about.gatewayId(), about.serverId(), about.featureId());
        if (existing.isEmpty()) {
            return raise(type, severity, subject, message, about, details);
        }
        Alert a = existing.getFirst();
        if (a.message().equals(truncate(message, 2048)) && a.subject().equals(truncate(subject, 512))) {
            return a;
        }
        Alert updated = new Alert(a.id(), a.type(), severity, truncate(subject, 512), truncate(message, 2048), a.state(), a.gatewayId(),
                a.serverId(), a.featureId(), details, a.time(), Instant.now(), a.occurrences(), Instant.now());
        repo.update(updated);
        return updated;
    }

    /** Resolves every unresolved alert of this type about exactly this subject; returns how many. */
    public int resolve(String type, About about) {
        int n = 0;
        for (Alert a : repo.unresolved(type, about.gatewayId(), about.serverId(), about.featureId())) {
            repo.update(withState(a, Alert.RESOLVED));
            n++;
        }
        return n;
    }

    public List<Alert> list(String state, String type, String gatewayId, String featureId, Integer limit) {
        if (state != null && !STATES.contains(state)) {
            throw ProblemException.invalid("state", "state must be open, acknowledged or resolved");
        }
        int max = limit == null ? 500 : limit;
        if (max < 1 || max > 10_000) {
            throw ProblemException.invalid("limit", "limit must be between 1 and 10000");
        }
        return repo.list(state, type, gatewayId, featureId, max);
    }

    public Alert get(String id) {
        return repo.find(id).orElseThrow(() -> ProblemException.notFound("alert", id));
    }

    /** Acknowledges, resolves or re-opens an alert. */
    public Alert setState(String id, String state) {
        if (state == null || !STATES.contains(state)) {
            throw ProblemException.invalid("state", "state must be open, acknowledged or resolved");
        }
        Alert a = get(id);
        if (a.state().equals(state)) {
            return a;
        }
        Alert updated = withState(a, state);
        repo.update(updated);
        return updated;
    }

    private static Alert withState(Alert a, String state) {
        return new Alert(a.id(), a.type(), a.severity(), a.subject(), a.message(), state, a.gatewayId(), a.serverId(), a.featureId(),
                a.details(), a.time(), Instant.now(), a.occurrences(), a.lastSeen());
    }

    private static String truncate(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
