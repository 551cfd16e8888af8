package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench agent}'s control protocol on loopback, driven as {@code bench master} drives it. */
class BenchAgentTest {
    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Socket connect(int port) throws Exception {
        for (int i = 0; ; i++) {
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (java.net.ConnectException e) {
                if (i > 500) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }

    @Test
    void agentCountsTheHeapsSentToItsPortAndAnswersStop() throws Exception {
        int port = freePort();
        CompletableFuture<Tool> agent = Tool.start("bench", "agent", "--sessions", "1", Integer.toString(port));
        try (Socket control = connect(port)) {
            PrintWriter w = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
            w.print("start\nmulticast = \ntcp = 0\npyspead = 0\nbind = \npacket = 9200\nbuffer = 4194304\n"
                    + "concurrent-heaps = 4\nsubstreams = 1\nring-heaps = 4\nmem-pool = 1\nmem-lower = 10000\n"
                    + "mem-upper = 11024\nmem-max-free = 12\nmem-initial = 8\nring = 0\nmemcpy-nt = 0\nend_config\n");
            w.flush();
            assertThat(in.readLine()).isEqualTo("ready");
            Tool send = Tool.run("send", "--heaps", "5", "--heap-size", "10000", "--rate", "0.05",
                    "127.0.0.1:" + port);
            assertThat(send.status()).as(send.err()).isZero();
            w.print("stop\n");
            w.flush();
            assertThat(in.readLine()).isEqualTo("5");
            w.print("exit\n");
            w.flush();
        }
        Tool r = agent.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("5");
    }

    @Test
    void masterReportsAnAgentThatCannotStart() throws Exception {
        int port = freePort();
        CompletableFuture<Tool> agent = Tool.start("bench", "agent", "--sessions", "1", Integer.toString(port));
        try (Socket probe = connect(port)) {
            probe.getOutputStream().write("exit\n".getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(agent.get(30, TimeUnit.SECONDS).status()).isZero();
        CompletableFuture<Tool> second = Tool.start("bench", "agent", "--sessions", "1", Integer.toString(port));
        // with --tcp the data listener wants the agent's control port, which is taken (as in spead2_bench)
        Tool master = null;
        for (int i = 0; i < 500 && master == null; i++) {
            Tool t = Tool.run("bench", "master", "--tcp", "--heap-size", "65536", "127.0.0.1:" + port);
            if (t.err().contains("Connection refused")) {
                Thread.sleep(10);
            } else {
                master = t;
            }
        }
        assertThat(master).isNotNull();
        assertThat(master.status()).isEqualTo(1);
        assertThat(master.err()).contains("Did not receive 'ready' response");
        Tool a = second.get(30, TimeUnit.SECONDS);
        assertThat(a.err()).contains("Start failed");
    }
}
