package gatehouse.gateway.upstream;

import gatehouse.fixture.FixtureTransport;

/** The gateway contract with the upstream reached over Streamable HTTP. */
class StreamableHttpUpstreamContractTest extends UpstreamContractTest {
    @Override
    Upstream startUpstream(String name) {
        return new HttpFixtureUpstream(admin, FixtureTransport.STREAMABLE_HTTP, name);
    }
}
