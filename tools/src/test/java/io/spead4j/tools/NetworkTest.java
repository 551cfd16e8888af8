package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code send --verify} into {@code recv --verify} over UDP and TCP on the loopback interface. */
class NetworkTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** Waits until something is bound to the port (binding it ourselves fails). */
    private static void awaitBound(int port, boolean tcp) throws Exception {
        for (int i = 0; i < 500; i++) {
            try {
                if (tcp) {
                    new ServerSocket(port, 1, LOOPBACK).close();
                } else {
                    new DatagramSocket(new InetSocketAddress(LOOPBACK, port)).close();
                }
            } catch (IOException bound) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("nothing bound to port " + port);
    }

    @Test
    void verifiedHeapsOverUdp() throws Exception {
        int port = freeUdpPort();
        CompletableFuture<Tool> recv = Tool.start("recv", "--verify", "--quiet", "127.0.0.1:" + port);
        awaitBound(port, false);
        Tool send = Tool.run("send", "--verify", "--heaps", "20", "--items", "2", "--heap-size", "65536",
                "--rate", "0.2", "127.0.0.1:" + port);
        assertThat(send.status()).as(send.err()).isZero();
        assertThat(send.out()).matches("Sent \\d+ bytes in \\S+ seconds, \\S+ Gb/s\\n");
        Tool r = recv.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).startsWith("Received 20 heaps", "heaps: 20", "incomplete_heaps_evicted: 0",
                "incomplete_heaps_flushed: 0");
    }

    @Test
    void verifiedHeapsOverTcp() throws Exception {
        int port = freeTcpPort();
        CompletableFuture<Tool> recv = Tool.start("recv", "--tcp", "--verify", "--descriptors", "127.0.0.1:" + port);
        awaitBound(port, true);
        Tool send = Tool.run("send", "--tcp", "--verify", "--heaps", "10", "--heap-size", "1000000",
                "127.0.0.1:" + port);
        assertThat(send.status()).as(send.err()).isZero();
        Tool r = recv.get(60, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).contains("Received 10 heaps", "Descriptor for Test item 0 (0x1000)",
                "  dtype:       {'shape': (250000,), 'fortran_order': False, 'descr': '>u4'}");
        assertThat(r.lines()).filteredOn(l -> l.equals("0x1000 = [1000000 bytes]")).hasSize(10);
    }

    @Test
    void sendingToAClosedTcpPortFails() throws Exception {
        int port = freeTcpPort();
        Tool send = Tool.run("send", "--tcp", "--heaps", "1", "127.0.0.1:" + port);
        assertThat(send.status()).isEqualTo(1);
        assertThat(send.err()).startsWith("send: ");
    }
}
