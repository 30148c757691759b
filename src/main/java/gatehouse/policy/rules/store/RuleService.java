package gatehouse.policy.rules.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import gatehouse.platform.Commits;
import gatehouse.platform.Ids;
import gatehouse.platform.Json;
import gatehouse.platform.ProblemException;
import gatehouse.platform.SecretBox;
import gatehouse.policy.rules.CompiledRule;
import gatehouse.policy.rules.RuleException;
import gatehouse.policy.rules.RuleInput;
import gatehouse.policy.rules.RuleSpec;
import gatehouse.policy.rules.Rules;

/**
 * Creates, changes and deletes content rules, and publishes the compiled {@link RulesView}. A rule
 * is compiled before it is stored, so an invalid pattern or unknown entity is refused with a
 * problem naming it. Other replicas' changes are picked up by a periodic, cheap comparison of ids
 * and update times.
 */
@Service
public class RuleService {
    private static final Logger log = LoggerFactory.getLogger(RuleService.class);

    private final RuleRepository repo;
    private final SecretBox box;
    private final AtomicLong versions = new AtomicLong();
    private final byte[] hashKey;
    private volatile RulesView view = RulesView.EMPTY;
    private volatile List<String> stamps = List.of();

    RuleService(RuleRepository repo, SecretBox box, gatehouse.platform.OutboundProperties outbound) {
        Rules.outbound(outbound);
        this.repo = repo;
        this.box = box;
        this.hashKey = box.derivedKey("rules/hash");
        reload();
    }

    /** The current compiled rules; never blocks. */
    public RulesView view() {
        return view;
    }

    /** The key of the hash action: derived from the master key, so every replica hashes alike. */
    public byte[] hashKey() {
        return hashKey.clone();
    }

    /** Re-reads the table when it changed (here or on another replica). */
    @Scheduled(fixedDelayString = "${gatehouse.catalog-refresh:5s}", initialDelayString = "${gatehouse.catalog-refresh:5s}")
    public synchronized void reload() {
        List<String> now = repo.stamps();
        if (now.equals(stamps) && view != RulesView.EMPTY) {
            return;
        }
        Map<String, List<CompiledRule>> by = new LinkedHashMap<>();
        for (RuleRepository.Row r : repo.all()) {
            try {
                by.computeIfAbsent(r.gatewayId(), k -> new ArrayList<>()).add(Rules.compile(spec(r)));
            } catch (RuntimeException e) {
                log.warn("content rule {} of gateway {} cannot be compiled and is not applied: {}", r.id(), r.gatewayId(), e.getMessage());
            }
        }
        Map<String, List<CompiledRule>> frozen = new HashMap<>();
        by.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        view = new RulesView(frozen, versions.incrementAndGet());
        stamps = now;
    }

    /**
     * This replica's own change is in force before its caller gets an answer: read now (inside the
     * transaction) and again once committed, since a periodic reload may have read the table
     * between the two and put the old rules back.
     */
    private void reloadNowAndAfterCommit() {
        reload();
        Commits.againAfterCommit(this::reload);
    }

    private RuleSpec spec(RuleRepository.Row r) {
        RuleInput in = Json.MAPPER.readValue(box.decrypt(r.definitionSealed()), RuleInput.class);
        return in.toSpec(r.id(), r.gatewayId(), r.createdAt(), r.updatedAt());
    }

    public List<RuleSpec> list(String gatewayId) {
        List<RuleSpec> out = new ArrayList<>();
        for (RuleRepository.Row r : repo.all()) {
            if (r.gatewayId().equals(gatewayId)) {
                out.add(spec(r));
            }
        }
        return out;
    }

    public RuleSpec get(String gatewayId, String id) {
        return repo.find(gatewayId, id).map(this::spec).orElseThrow(() -> ProblemException.notFound("rule", id));
    }

    /** Validates and compiles a rule (the one that would be stored), translating refusals into problems. */
    public static CompiledRule validate(RuleInput in, String id, String gatewayId, Instant created, Instant updated) {
        try {
            return Rules.compile(in.toSpec(id, gatewayId, created, updated));
        } catch (RuleException e) {
            throw ProblemException.invalid(e.field(), e.getMessage());
        }
    }

    @Transactional
    public RuleSpec create(String gatewayId, RuleInput in) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        String id = Ids.id("rul");
        RuleSpec spec = validate(in, id, gatewayId, now, now).spec();
        if (repo.nameTaken(gatewayId, spec.name(), null)) {
            throw ProblemException.conflict("name", "this gateway already has a rule named '" + spec.name() + "'");
        }
        repo.insert(new RuleRepository.Row(id, gatewayId, spec.name(), repo.nextPosition(gatewayId), seal(spec), now, now));
        reloadNowAndAfterCommit();
        return spec;
    }

    @Transactional
    public RuleSpec update(String gatewayId, String id, RuleInput patch) {
        return store(gatewayId, id, old -> RuleInput.of(old).merge(patch));
    }

    /** Replaces every field of a rule (a form that shows them all); an empty field means the default, not "keep". */
    @Transactional
    public RuleSpec replace(String gatewayId, String id, RuleInput full) {
        return store(gatewayId, id, old -> full);
    }

    private RuleSpec store(String gatewayId, String id, java.util.function.Function<RuleSpec, RuleInput> input) {
        RuleSpec old = get(gatewayId, id);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        RuleSpec spec = validate(input.apply(old), id, gatewayId, old.createdAt(), now).spec();
        if (repo.nameTaken(gatewayId, spec.name(), id)) {
            throw ProblemException.conflict("name", "this gateway already has a rule named '" + spec.name() + "'");
        }
        repo.update(new RuleRepository.Row(id, gatewayId, spec.name(), 0, seal(spec), old.createdAt(), now));
        reloadNowAndAfterCommit();
        return spec;
    }

    @Transactional
    public void delete(String gatewayId, String id) {
        if (!repo.delete(gatewayId, id)) {
            throw ProblemException.notFound("rule", id);
        }
        reloadNowAndAfterCommit();
    }

    private String seal(RuleSpec spec) {
        return box.encrypt(Json.string(RuleInput.of(spec)));
    }
}
