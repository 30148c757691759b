package gatehouse.catalog.features;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import gatehouse.alerts.AlertService;
import gatehouse.catalog.CatalogService;
import gatehouse.platform.ProblemException;
import gatehouse.policy.provisioning.FeatureKind;
import gatehouse.policy.provisioning.FeatureState;
import gatehouse.policy.provisioning.FeatureStatus;

/**
 * What administrators do to features (the admin API, the console, the declarative configuration):
 * read them and their versions, enable or disable them, approve a definition. Each change is
 * written under the inventory's lock and published at once.
 */
@Service
public class FeatureCommands {
    private static final Logger log = LoggerFactory.getLogger(FeatureCommands.class);

    private final FeatureRepository repo;
    private final AlertService alerts;
    private final CatalogService catalog;
    private final FeatureViews views;
    private final TransactionTemplate tx;

    FeatureCommands(FeatureRepository repo, AlertService alerts, CatalogService catalog, FeatureViews views,
                    PlatformTransactionManager transactions) {
        this.repo = repo;
        this.alerts = alerts;
        this.catalog = catalog;
        this.views = views;
        this.tx = new TransactionTemplate(transactions);
    }

    public List<Feature> features(String gatewayId) {
        catalog.gateway(gatewayId);
        return repo.features(gatewayId);
    }

    public Feature feature(String gatewayId, String featureId) {
        catalog.gateway(gatewayId);
        return repo.feature(featureId).filter(f -> f.gatewayId().equals(gatewayId) && f.currentFingerprint() != null)
                .orElseThrow(() -> ProblemException.notFound("feature", featureId));
    }

    public List<FeatureVersion> versions(String gatewayId, String featureId) {
        return repo.versions(feature(gatewayId, featureId).id());
    }

    /** Enables or disables one feature; null hands the decision back to the gateway's policy. */
    public Feature setEnabled(String gatewayId, String featureId, Boolean enabled) {
        return views.locked(() -> {
            Feature f = feature(gatewayId, featureId);
            if (!Objects.equals(f.enabled(), enabled)) {
                repo.setEnabled(f.id(), enabled, Instant.now());
                views.reloadNow();
            }
            return feature(gatewayId, featureId);
        });
    }

    /**
     * Approves the feature's current definition, which becomes its snapshot. With
     * {@code expectedFingerprint}, only that definition is approved: if the upstream changed it
     * again since the administrator looked, the approval is refused (409).
     */
    public Feature approve(String gatewayId, String featureId, String expectedFingerprint) {
        return views.locked(() -> approveLocked(gatewayId, featureId, expectedFingerprint));
    }

    private Feature approveLocked(String gatewayId, String featureId, String expectedFingerprint) {
        Feature f = feature(gatewayId, featureId);
        if (expectedFingerprint != null && !expectedFingerprint.equals(f.currentFingerprint())) {
            throw ProblemException.conflict("fingerprint", "the feature changed since that definition was reviewed: its current "
                    + "fingerprint is " + f.currentFingerprint() + "; review it again");
        }
        if (f.status() != FeatureStatus.APPROVED || !f.currentFingerprint().equals(f.approvedFingerprint())) {
            tx.executeWithoutResult(s -> repo.approve(f.id(), f.currentFingerprint(), f.currentSnapshot(), Instant.now()));
            views.reloadNow();
            log.info("gateway {}: {} '{}' approved (fingerprint {})", gatewayId, f.kind().wire(), f.name(), f.currentFingerprint());
        }
        try {
            alerts.resolve(FeatureObservations.RUG_PULL, new AlertService.About(gatewayId, f.serverId(), f.id()));
        } catch (RuntimeException e) {
            log.warn("could not resolve the alerts of feature {}", f.id(), e);
        }
        return feature(gatewayId, featureId);
    }

    /**
     * Enables or disables a feature by its name upstream, even before any server listed it (the
     * declarative configuration does this at start-up). Returns 1 when something changed.
     */
    public int setEnabledByName(String gatewayId, String serverId, FeatureKind kind, String name, boolean enabled) {
        return views.locked(() -> setEnabledByNameLocked(gatewayId, serverId, kind, name, enabled));
    }

    private int setEnabledByNameLocked(String gatewayId, String serverId, FeatureKind kind, String name, boolean enabled) {
        catalog.gateway(gatewayId);
        FeatureState s = views.view().gateway(gatewayId).server(serverId).get(kind, name);
        if (s != null && Objects.equals(s.enabled(), enabled)) {
            return 0;
        }
        Instant now = Instant.now();
        if (s != null) {
            repo.setEnabled(s.id(), enabled, now);
        } else {
            repo.insertPlaceholder(FeatureRepository.featureId(gatewayId, serverId, kind, name), gatewayId, serverId, kind, name, enabled, now);
        }
        views.reloadNow();
        return 1;
    }
}
