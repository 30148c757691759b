package gatehouse.console;

import org.springframework.stereotype.Component;

import gatehouse.audit.AdminAuditTrail;

/**
 * Every change made in the console goes to the same administrative audit trail as the admin API's,
 * with the person as actor ({@code console:<username>}). Only states without secrets are passed in.
 */
@Component
class ConsoleAudit {
    static final String KIND = "console";
    private final AdminAuditTrail trail;

    ConsoleAudit(AdminAuditTrail trail) {
        this.trail = trail;
    }

    void record(ConsoleAccess.Viewer who, String action, String target, Object before, Object after) {
        trail.record(new AdminAuditTrail.Entry("console:" + who.username(), KIND, action, target, 200, before, after));
    }
}
