package gatehouse.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPolicyTest {
    @ParameterizedTest
    @CsvSource({
            "8.8.8.8, PUBLIC", "1.1.1.1, PUBLIC", "2606:4700:4700::1111, PUBLIC",
            "10.1.2.3, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE", "100.64.0.1, PRIVATE",
            "fd12:3456::1, PRIVATE",
            "127.0.0.1, LOOPBACK", "127.255.0.9, LOOPBACK", "::1, LOOPBACK", "::ffff:127.0.0.1, LOOPBACK",
            "169.254.169.254, SPECIAL", "0.0.0.0, SPECIAL", "0.1.2.3, SPECIAL", "192.0.0.8, SPECIAL", "192.0.2.1, SPECIAL",
            "198.18.0.1, SPECIAL", "198.19.255.1, SPECIAL", "198.51.100.1, SPECIAL", "203.0.113.9, SPECIAL", "224.0.0.1, SPECIAL",
            "240.0.0.1, SPECIAL", "255.255.255.255, SPECIAL", "192.88.99.1, SPECIAL",
            "::, SPECIAL", "fe80::1, SPECIAL", "fec0::1, SPECIAL", "ff02::1, SPECIAL", "2001:db8::1, SPECIAL", "100::1, SPECIAL",
            "2001::1, SPECIAL", "2001:10::1, SPECIAL", "3fff::1, SPECIAL",
            // IPv4 smuggled inside IPv6 is judged by the IPv4 address it carries.
            "::ffff:169.254.169.254, SPECIAL", "::ffff:10.0.0.1, PRIVATE", "64:ff9b::a9fe:a9fe, SPECIAL", "64:ff9b::808:808, PUBLIC",
            "2002:a9fe:a9fe::1, SPECIAL", "2002:0a00:0001::1, PRIVATE", "::10.0.0.1, PRIVATE",
            "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC", "11.0.0.1, PUBLIC",
    })
    void everyAddressHasItsClass(String address, AddressPolicy expected) {
        assertThat(AddressPolicy.classify(address)).isEqualTo(expected);
    }
}
