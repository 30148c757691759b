package gatehouse.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Test-only host names, so tests can use a name (not an IP literal) that resolves into a range
 * Gatehouse must refuse, without a DNS server: {@code *.gatehouse-test} names below answer fixed
 * addresses; every other name goes to the JDK's own resolver unchanged. Registered for the test
 * JVM in META-INF/services. Nothing is ever sent to these addresses except loopback: the tests
 * check that the others are refused before any connection.
 */
public final class TestNameResolver extends InetAddressResolverProvider {
    public static final String LOOPBACK = "loopback.gatehouse-test";
    public static final String METADATA = "metadata.gatehouse-test";
    public static final String INTRANET = "intranet.gatehouse-test";
    /** Answers a public and a link-local address: one bad address among several must refuse the name. */
    public static final String MIXED = "mixed.gatehouse-test";

    /**
     * Answers 127.0.0.1 to the first lookup after {@link #rebindFromNow()} and 127.0.0.2 to every later
     * one: a name whose owner changes its DNS answer between a check and a connection.
     */
    public static final String REBINDING = "rebinding.gatehouse-test";
    private static final java.util.concurrent.atomic.AtomicInteger rebindingLookups = new java.util.concurrent.atomic.AtomicInteger();

    /** Starts {@link #REBINDING} over: its next lookup answers 127.0.0.1 again. */
    public static void rebindFromNow() {
        rebindingLookups.set(0);
    }

    /** How many times {@link #REBINDING} was looked up since {@link #rebindFromNow()}. */
    public static int rebindingLookups() {
        return rebindingLookups.get();
    }

    private static final Map<String, String[]> NAMES = Map.of(
            LOOPBACK, new String[] {"127.0.0.1"},
            METADATA, new String[] {"169.254.169.254"},
            INTRANET, new String[] {"10.1.2.3"},
            MIXED, new String[] {"93.184.215.14", "169.254.169.254"});

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (REBINDING.equalsIgnoreCase(host)) {
                    return Stream.of(InetAddress.ofLiteral(rebindingLookups.getAndIncrement() == 0 ? "127.0.0.1" : "127.0.0.2"));
                }
                String[] fixed = NAMES.get(host.toLowerCase(java.util.Locale.ROOT));
                if (fixed == null) {
                    return builtin.lookupByName(host, policy);
                }
                return Stream.of(fixed).map(InetAddress::ofLiteral);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "gatehouse-test-names";
    }
}
