package gatehouse.gateway.upstream;

/** The gateway contract with the upstream as a stdio child process of the gateway. */
class StdioUpstreamContractTest extends UpstreamContractTest {
    @Override
    Upstream startUpstream(String name) {
        return new StdioFixtureUpstream(admin, name);
    }
}
