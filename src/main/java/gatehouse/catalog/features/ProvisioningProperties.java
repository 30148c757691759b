package gatehouse.catalog.features;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Installation-wide provisioning settings ({@code gatehouse.provisioning.*}); see docs/configuration.md.
 *
 * @param discoveryInterval how often every assigned server is listed again, announced change or not
 * @param approveOnAssign   the default for new gateways: features found when a server is first
 *                          assigned are approved by that act
 * @param toolBudget        enabled tools per gateway above which the gateway carries a warning
 */
@ConfigurationProperties("gatehouse.provisioning")
public record ProvisioningProperties(
        @DefaultValue("60s") Duration discoveryInterval,
        @DefaultValue("true") boolean approveOnAssign,
        @DefaultValue("40") int toolBudget) {
}
