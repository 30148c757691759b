package gatehouse.gateway.upstream;

import gatehouse.fixture.FixtureTransport;

/** The gateway contract with the upstream reached over the legacy HTTP+SSE transport (2024-11-05). */
class SseUpstreamContractTest extends UpstreamContractTest {
    @Override
    Upstream startUpstream(String name) {
        return new HttpFixtureUpstream(admin, FixtureTransport.SSE, name);
    }

    @Override
    boolean logMessagesBelongToTheirCall() {
        return false; // the legacy transport sends everything on one stream
    }
}
