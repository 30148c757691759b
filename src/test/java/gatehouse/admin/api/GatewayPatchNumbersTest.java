package gatehouse.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;

/**
 * Numbers too large for their field are a 400 naming it, not a 500 (found by schemathesis:
 * {@code "toolBudget": 2147483648} on PATCH /gateways/{id}); the largest that fits still works.
 */
class GatewayPatchNumbersTest extends GatewayTestSupport {

    @Test
    void aToolBudgetBeyondTheLargestWholeNumberIsRefusedWithTheReason() {
        String gw = admin.createGateway(unique("numbers"));
        for (Object tooBig : new Object[] {2147483648L, 1e300, -1}) {
            AdminClient.Answer a = admin.send("PATCH", "/gateways/" + gw, Map.of("toolBudget", tooBig));
            assertThat(a.status()).as("%s: %s", tooBig, a.text()).isEqualTo(400);
            assertThat(a.text()).contains("toolBudget");
        }
        AdminClient.Answer nested = admin.send("PATCH", "/gateways/" + gw, Map.of("provisioning", Map.of("toolBudget", 9_999_999_999L)));
        assertThat(nested.status()).as(nested.text()).isEqualTo(400);
        assertThat(admin.send("PATCH", "/gateways/" + gw, Map.of("toolBudget", Integer.MAX_VALUE)).status()).isEqualTo(200);
        assertThat(admin.expect(200, "GET", "/gateways/" + gw, null).path("toolBudget").path("limit").asLong()).isEqualTo(Integer.MAX_VALUE);
    }
}
