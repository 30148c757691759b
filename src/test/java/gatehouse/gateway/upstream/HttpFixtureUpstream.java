package gatehouse.gateway.upstream;

import gatehouse.fixture.ConformanceFixtureMain;
import gatehouse.fixture.FixtureTransport;
import gatehouse.fixture.RunningFixture;
import gatehouse.testing.AdminClient;

/** The fixture served in-process over HTTP (Streamable HTTP or legacy SSE), registered by URL. */
final class HttpFixtureUpstream implements UpstreamContractTest.Upstream {
    private final FixtureTransport transport;
    private final String name;
    private final String serverId;
    private final int port;
    private volatile RunningFixture fixture;

    HttpFixtureUpstream(AdminClient admin, FixtureTransport transport, String name) {
        this.transport = transport;
        this.name = name;
        this.fixture = ConformanceFixtureMain.start(transport, 0);
        this.port = fixture.port();
        this.serverId = admin.createHttpServer(name, transport.argument(), fixture.url().toString());
    }

    @Override
    public String serverId() {
        return serverId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void kill() {
        RunningFixture f = fixture;
        fixture = null;
        f.close();
    }

    /** Starts a fresh fixture on the same port: the gateway sees the same URL, with none of its old sessions. */
    @Override
    public void revive() {
        fixture = ConformanceFixtureMain.start(transport, port);
    }

    @Override
    public void close() {
        RunningFixture f = fixture;
        fixture = null;
        if (f != null) {
            f.close();
        }
    }
}
