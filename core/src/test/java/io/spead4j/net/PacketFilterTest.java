package io.spead4j.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tcpdump subset: parsing, precedence, evaluation and refusals. */
class PacketFilterTest {
    private static final int A = UdpFrameDecoder.parseAddress("10.0.0.1");
    private static final int B = UdpFrameDecoder.parseAddress("10.0.1.2");

    /** Datagram 10.0.0.1:1000 -> 10.0.1.2:8888. */
    private static boolean eval(String filter) {
        return PacketFilter.parse(filter).matches(A, 1000, B, 8888);
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = ';', value = {
        "'';true", "'   ';true", "udp;true", "ip;true", "not udp;false", "! ip;false",
        "port 8888;true", "port 1000;true", "port 7;false", "src port 1000;true", "src port 8888;false",
        "dst port 8888;true", "dst port 1000;false", "udp port 8888;true", "udp dst port 8888;true",
        "src or dst port 1000;true", "src and dst port 1000;false",
        "host 10.0.0.1;true", "host 10.0.1.2;true", "host 10.0.0.2;false", "src host 10.0.0.1;true",
        "dst host 10.0.0.1;false", "ip src host 10.0.0.1;true", "ip host 10.0.1.2;true",
        "src and dst host 10.0.0.1;false",
        "net 10.0.0.0/16;true", "src net 10.0.1.0/24;false", "dst net 10.0.1.0/24;true",
        "net 10.0.1.0 mask 255.255.255.0;true", "net 0.0.0.0/0;true", "net 10.0.0.1;true",
        "udp and port 8888;true", "udp && port 7;false", "port 7 or port 8888;true", "port 7 || port 9;false",
        "not port 7 and host 10.0.0.1;true", "!(port 7 or port 8888);false",
        "(src host 10.0.0.1 and dst port 8888) or port 1;true",
        // and/or have equal precedence and group left to right, as in tcpdump:
        // 'port 1 or port 8888 and port 7' is '(port 1 or port 8888) and port 7'
        "port 1 or port 8888 and port 7;false", "port 1 or (port 8888 and port 1000);true",
        "not not udp;true", "udp port 8888 and not (src host 10.0.0.9 or src host 10.0.0.8);true",
    })
    void evaluates(String filter, boolean expected) {
        assertThat(eval(filter)).as(filter).isEqualTo(expected);
    }

    @Test
    void printsTheParsedTree() {
        assertThat(PacketFilter.parse("port 1 or port 2 and not src host 1.2.3.4").toString())
                .isEqualTo("((port 1 or port 2) and not src host 1.2.3.4)");
        assertThat(PacketFilter.parse("src and dst net 10.0.0.0/8 || udp").toString())
                .isEqualTo("(src and dst net 10.0.0.0/8 or true)");
        assertThat(PacketFilter.parse("udp port 4660").expression()).isEqualTo("udp port 4660");
        assertThat(PacketFilter.all().matches(0, 0, 0, 0)).isTrue();
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {
        "tcp port 80 and len > 5", "tcp", "vlan", "ether host 00:11:22:33:44:55", "ip6", "port http",
        "port 65536", "port", "host", "host example.org", "host 1.2.3", "port 1 or 2", "ip[6:2] & 0x3fff = 0",
        "udp and", "(port 1", "port 1)", "not", "portrange 1-5", "ip proto udp", "ip port 80", "udp host 1.2.3.4",
        "net 10.0.0.1/24", "net 10.0.0.0/33", "net 10.0.0.0 mask 255.0.255.0", "greater 100", "src",
        "dst port 1 and src or",
    })
    void refusesUnsupportedSyntaxSayingWhatIsSupported(String filter) {
        assertThatThrownBy(() -> PacketFilter.parse(filter)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(PacketFilter.SUPPORTED);
    }

    @Test
    void errorMessagesNameTheProblem() {
        assertThatThrownBy(() -> PacketFilter.parse("tcp port 80 and len > 5"))
                .hasMessageStartingWith("unsupported filter syntax '> 5' in 'tcp port 80 and len > 5'");
        assertThatThrownBy(() -> PacketFilter.parse("vlan")).hasMessageStartingWith("unsupported filter 'vlan': unexpected 'vlan'");
        assertThatThrownBy(() -> PacketFilter.parse("port http"))
                .hasMessageContaining("'http' is not a valid port (numbers only)");
        assertThatThrownBy(() -> PacketFilter.parse("host example.org"))
                .hasMessageContaining("'example.org' is not an IPv4 address A.B.C.D (host names are not supported)");
        assertThatThrownBy(() -> PacketFilter.parse("udp and")).hasMessageContaining("expression ended");
        assertThatThrownBy(() -> PacketFilter.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
