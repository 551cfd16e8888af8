package io.spead4j.tools;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code send --verify} into {@code recv --verify} over UDP and TCP on the loopback interface. */
class NetworkTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void verifiedHeapsOverUdp() throws Exception {
        // 20 heaps of 8192 bytes in 1472-byte datagrams: 120 datagrams, which Linux charges about 2304 bytes
        // of socket buffer each; the receiver's socket holds them all, so loopback cannot lose any however
        // late the reader runs
        int needed = 24 * 6 * 2304; // the 20 heaps and a few control heaps
        int granted;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_RCVBUF, Network.UDP_RECV_BUFFER);
            granted = probe.getOption(StandardSocketOptions.SO_RCVBUF);
        }
        Assumptions.assumeTrue(granted >= needed, () -> "this machine grants a UDP socket only " + granted
                + " bytes of receive buffer (net.core.rmem_max), less than the " + needed + " that hold the test's "
                + "datagrams: loopback could lose some");
        ListeningTool.Running recv = ListeningTool.start(false,
                port -> new String[] {"recv", "--verify", "--quiet", "127.0.0.1:" + port});
        Tool send = Tool.run("send", "--verify", "--heaps", "20", "--items", "2", "--heap-size", "8192",
                "--rate", "0.2", "127.0.0.1:" + recv.port());
        assertThat(send.status()).as(send.err()).isZero();
        assertThat(send.out()).matches("Sent \\d+ bytes in \\S+ seconds, \\S+ Gb/s\\n");
        Tool r = recv.tool().get();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).startsWith("Received 20 heaps", "heaps: 20", "incomplete_heaps_evicted: 0",
                "incomplete_heaps_flushed: 0");
    }

    @Test
    void verifiedHeapsOverTcp() throws Exception {
        ListeningTool.Running recv = ListeningTool.start(true,
                port -> new String[] {"recv", "--tcp", "--verify", "--descriptors", "127.0.0.1:" + port});
        Tool send = Tool.run("send", "--tcp", "--verify", "--heaps", "10", "--heap-size", "1000000",
                "127.0.0.1:" + recv.port());
        assertThat(send.status()).as(send.err()).isZero();
        Tool r = recv.tool().get();
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).contains("Received 10 heaps", "Descriptor for Test item 0 (0x1000)",
                "  dtype:       {'shape': (250000,), 'fortran_order': False, 'descr': '>u4'}");
        assertThat(r.lines()).filteredOn(l -> l.equals("0x1000 = [1000000 bytes]")).hasSize(10);
    }

    @Test
    void sendingToAClosedTcpPortFails() throws Exception {
        // a port held by a socket that is bound but not listening: connections to it are refused, and no
        // other process can take it while the test runs
        try (SocketChannel holder = SocketChannel.open()) {
            holder.bind(new InetSocketAddress(LOOPBACK, 0));
            int port = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            Tool send = Tool.run("send", "--tcp", "--heaps", "1", "127.0.0.1:" + port);
            assertThat(send.status()).isEqualTo(1);
            assertThat(send.err()).startsWith("send: ");
        }
    }
}
