package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import gatehouse.testing.AdminClient;
import gatehouse.testing.GatewayTestSupport;

/** The probes over HTTP on a started Gatehouse: no token needed, JSON answers. */
class HealthEndpointsTest extends GatewayTestSupport {
    @Test
    void aStartedGatehouseIsReadyAndAliveWithoutAToken() {
        AdminClient anonymous = new AdminClient(baseUrl(), null);
        AdminClient.Answer ready = anonymous.raw("GET", "/healthz", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().path("status").asString()).isEqualTo("ok");
        AdminClient.Answer alive = anonymous.raw("GET", "/livez", null);
        assertThat(alive.status()).isEqualTo(200);
        assertThat(alive.body().path("status").asString()).isEqualTo("ok");
    }
}
