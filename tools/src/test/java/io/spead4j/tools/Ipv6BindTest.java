package io.spead4j.tools;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code recv --bind ::1 :PORT} listens on the IPv6 loopback address only, over UDP and TCP (spead2_recv ignores
 * {@code --bind} for IPv6 and TCP; spead4j applies it), and a {@code --bind} that contradicts the endpoint is
 * refused with exit status 2. Skipped, with the reason printed, when ::1 cannot be used on this machine.
 */
class Ipv6BindTest {
    private static InetAddress v6Loopback;
    private static final InetAddress V4_LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void ipv6LoopbackIsAvailable() {
        try {
            v6Loopback = InetAddress.getByName("::1");
            new DatagramSocket(new InetSocketAddress(v6Loopback, 0)).close();
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(v6Loopback, 0));
            }
        } catch (IOException e) {
            String reason = "IPv6 loopback ::1 is not available here (" + e + "); skipping the IPv6 --bind tests";
            System.err.println(reason);
            Assumptions.abort(reason);
        }
    }

    /** Binds a socket of our own (no address reuse) to address:port; returns whether that succeeded. */
    private static boolean canBind(InetAddress address, int port, boolean tcp) {
        try {
            if (tcp) {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress(address, port));
                }
            } else {
                try (DatagramSocket s = new DatagramSocket(null)) {
                    s.setReuseAddress(false);
                    s.bind(new InetSocketAddress(address, port));
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * After a failed test, ends a receiver still running by sending it end heaps over IPv6 and IPv4 (wherever it
     * listens), so that no receiver outlives its test.
     */
    private static void stopIfRunning(CompletableFuture<Tool> recv, int port, boolean tcp) {
        for (String destination : new String[] {"[::1]:" + port, "127.0.0.1:" + port}) {
            if (recv.isDone()) {
                return;
            }
            Tool.run(tcp ? new String[] {"send", "--tcp", "--heaps", "0", destination}
                    : new String[] {"send", "--heaps", "0", destination});
            try {
                recv.get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // still running (or failed): try the next address
            }
        }
    }

    @Test
    void udpReceiverListensOnTheIpv6BindAddressOnly() throws Exception {
        ListeningTool.Running running = ListeningTool.start(false,
                p -> new String[] {"recv", "--bind", "::1", "--verify", "--quiet", ":" + p});
        int port = running.port();
        CompletableFuture<Tool> recv = running.tool();
        try {
            assertThat(canBind(V4_LOOPBACK, port, false)).as("127.0.0.1:" + port + " is free: not bound to a wildcard")
                    .isTrue();
            Tool send = Tool.run("send", "--verify", "--heaps", "5", "--heap-size", "8192", "--rate", "0.1",
                    "[::1]:" + port);
            assertThat(send.status()).as(send.err()).isZero();
            Tool r = recv.get(60, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err()).doesNotContain("not implemented");
            assertThat(r.lines()).startsWith("Received 5 heaps", "heaps: 5");
        } finally {
            stopIfRunning(recv, port, false);
        }
    }

    @Test
    void tcpReceiverListensOnTheIpv6BindAddressOnly() throws Exception {
        ListeningTool.Running running = ListeningTool.start(true,
                p -> new String[] {"recv", "--tcp", "--bind", "::1", "--verify", "--quiet", ":" + p});
        int port = running.port();
        CompletableFuture<Tool> recv = running.tool();
        try {
            assertThat(canBind(V4_LOOPBACK, port, true)).as("127.0.0.1:" + port + " is free: not bound to a wildcard")
                    .isTrue();
            Tool send = Tool.run("send", "--tcp", "--verify", "--heaps", "5", "--heap-size", "8192", "[::1]:" + port);
            assertThat(send.status()).as(send.err()).isZero();
            Tool r = recv.get(60, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.lines()).startsWith("Received 5 heaps", "heaps: 5");
        } finally {
            stopIfRunning(recv, port, true);
        }
    }

    @Test
    void bindAddressThatContradictsTheEndpointIsRefused() throws Exception {
        int port = ListeningTool.freePort(false); // refused before anything binds it
        for (String[] args : new String[][] {
                {"recv", "--bind", "::1", "[::2]:" + port},
                {"recv", "--bind", "::1", "127.0.0.1:" + port},
                {"recv", "--tcp", "--bind", "::1", "[::2]:" + port}}) {
            Tool r = Tool.run(args);
            assertThat(r.status()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err()).contains("--bind ::1 does not match the address to listen on");
            assertThat(r.out()).isEmpty();
        }
    }
}
