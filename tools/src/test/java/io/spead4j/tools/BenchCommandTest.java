package io.spead4j.tools;

import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spead4j bench}: the mem and inproc benchmarks print their figures; bad arguments exit 2. */
class BenchCommandTest {
    @Test
    void memPrintsTransferredBytesAndAGbpsFigure() {
        Tool r = Tool.run("bench", "mem", "--passes", "2", "--total-bytes", "8388608", "--heap-size", "1048576");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(3);
        assertThat(r.lines().get(0)).matches("Transferred \\d+ bytes in \\S+ seconds");
        // 9 heaps (8 of 1 MiB and the end heap) serialised once: more than 8 MiB of packets
        long bytes = Long.parseLong(r.lines().get(0).split(" ")[1]);
        assertThat(bytes).isGreaterThan(8L << 20).isLessThan(9L << 20);
        assertThat(r.lines().get(1)).endsWith(" Gbps");
        assertThat(Double.parseDouble(r.lines().get(1).split(" ")[0])).isPositive();
        assertThat(r.lines().get(2)).isEqualTo("Received 8 of 8 heaps in each of 2 passes");
        Tool quiet = Tool.run("bench", "mem", "--quiet", "--ring", "--passes", "1", "--total-bytes", "1048576",
                "--heap-size", "65536");
        assertThat(quiet.status()).as(quiet.err()).isZero();
        assertThat(Double.parseDouble(quiet.out().trim())).isPositive();
    }

    @Test
    void memCountsTheHeapsOfEveryPassInBothModes() {
        for (boolean ring : new boolean[] {false, true}) {
            List<String> args = new java.util.ArrayList<>(List.of("bench", "mem", "--passes", "3", "--total-bytes",
                    "1000000", "--heap-size", "100000"));
            if (ring) {
                args.add("--ring");
            }
            Tool r = Tool.run(args.toArray(String[]::new));
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.lines()).last().isEqualTo("Received 10 of 10 heaps in each of 3 passes");
        }
    }

    @Test
    void memFailsWhenAPassReceivesFewerHeapsThanSent() {
        // a heap over spead4j's 128 MiB heap size cap is rejected by the receiver: 0 of the 1 data heap arrives
        long overCap = io.spead4j.recv.StreamConfig.DEFAULT_MAX_HEAP_SIZE + 1;
        Tool r = Tool.run("bench", "mem", "--passes", "1", "--heap-size", Long.toString(overCap), "--total-bytes",
                Long.toString(overCap));
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("mem: pass 1 received 0 of the 1 heaps sent (")
                .contains("packets rejected: their heap is larger than spead4j's cap of 134217728 bytes");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void heapCountErrorSaysWhichPassAndHowMany() {
        assertThat(BenchCommand.Mem.heapCountError(0, 10, 10, 0, 1 << 27)).isNull();
        assertThat(BenchCommand.Mem.heapCountError(4, 9, 10, 0, 1 << 27)).isEqualTo("pass 5 received 9 of the 10 heaps sent");
        assertThat(BenchCommand.Mem.heapCountError(0, 11, 10, 0, 1 << 27)).isEqualTo("pass 1 received 11 of the 10 heaps sent");
    }

    @Test
    void inprocPrintsHeapsPerSecondAndGbps() {
        Tool r = Tool.run("bench", "inproc", "--heaps", "20", "--heap-size", "65536", "--packet", "1472");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).singleElement().asString()
                .matches("65536-byte heaps in 1472-byte packets: 20 heaps in \\S+ seconds: \\S+ heaps/s, \\S+ Gb/s");
    }

    @Test
    void agentReadsTheMastersConfigurationLines() {
        ReceiverOptions options = new ReceiverOptions();
        String multicast = BenchCommand.Agent.configure(options, List.of("multicast = ", "tcp = 1", "pyspead = 0",
                "packet = 9000", "concurrent-heaps = 8", "ring = 1", "mem-pool = 1", "mem-lower = 4194304",
                "mem-upper = 4195328", "bogus = 3"));
        assertThat(multicast).isEmpty();
        assertThat(options.tcp).isTrue();
        assertThat(options.ring).isTrue();
        assertThat(options.maxPacketSize()).isEqualTo(9000);
        assertThat(options.concurrentHeaps).isEqualTo(8);
        assertThat(options.memPool).isTrue();
        assertThat(options.memUpper).isEqualTo(4195328);
    }

    @Test
    void theAgentsReceiverClosesItsMemoryPoolOnceItsStreamHasStopped() throws Exception {
        ReceiverOptions options = new ReceiverOptions();
        BenchCommand.Agent.configure(options, List.of("mem-pool = 1", "mem-lower = 4096", "mem-upper = 5120",
                "mem-initial = 2", "mem-max-free = 4"));
        try (ThreadPool pool = new ThreadPool(1)) {
            BenchCommand.Receiver receiver = new BenchCommand.Receiver(pool, options);
            MemoryPool memory = (MemoryPool) receiver.stream.config().memoryAllocator();
            assertThat(memory.isClosed()).isFalse();
            assertThat(receiver.stop(true)).isZero();
            assertThat(receiver.stream.isStopped()).isTrue();
            assertThat(memory.isClosed()).as("its buffers freed now, not at some later garbage collection").isTrue();
            assertThat(memory.freeCount()).isZero();
        }
    }

    @Test
    void badArgumentsExitWith2() {
        Tool none = Tool.run("bench");
        assertThat(none.status()).isEqualTo(2);
        assertThat(none.err()).contains("mem, master, agent, inproc or chunk");
        assertThat(Tool.run("bench", "mem", "--passes", "0").status()).isEqualTo(2);
        assertThat(Tool.run("bench", "master").status()).isEqualTo(2);
        Tool negative = Tool.run("bench", "master", "--paced-warmup", "-1", "127.0.0.1:1");
        assertThat(negative.status()).isEqualTo(2);
        assertThat(negative.err()).contains("--paced-warmup must not be negative");
        Tool negativeHeaps = Tool.run("bench", "master", "--warmup-heaps", "-1", "127.0.0.1:1");
        assertThat(negativeHeaps.status()).isEqualTo(2);
        assertThat(negativeHeaps.err()).contains("--warmup-heaps must not be negative");
        Tool zeroRate = Tool.run("bench", "master", "--fixed-rate", "0", "127.0.0.1:1");
        assertThat(zeroRate.status()).isEqualTo(2);
        assertThat(zeroRate.err()).contains("--fixed-rate must be a positive number of Gb/s");
        Tool noRuns = Tool.run("bench", "master", "--fixed-rate", "1", "--fixed-runs", "0", "127.0.0.1:1");
        assertThat(noRuns.status()).isEqualTo(2);
        assertThat(noRuns.err()).contains("--fixed-runs must be at least 1");
        assertThat(Tool.run("bench", "agent", "notaport").status()).isEqualTo(2);
        assertThat(Tool.run("bench", "inproc", "--packet", "10").status()).isEqualTo(2);
        assertThat(Tool.run("bench", "fast").err()).contains("Usage:");
    }
}
