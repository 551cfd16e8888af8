package io.spead4j.tools;

import io.spead4j.recv.StreamStatConfig;
import io.spead4j.recv.StreamStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spead4j bench chunk}: heaps of the MeerKAT F-engine shape through a chunk stream or a ring stream, over
 * inproc and UDP loopback; every heap counted; a shortfall exits 1; bad arguments exit 2. Short runs, no timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchChunkCommandTest {
    private static final String RATE = " heaps of 131072 bytes in \\S+ seconds: \\S+ heaps/s, \\S+ Gb/s";

    private static Tool bench(String... extra) {
        List<String> args = new ArrayList<>(List.of("bench", "chunk", "--no-warmup"));
        args.addAll(List.of(extra));
        return Tool.run(args.toArray(String[]::new));
    }

    @Test
    void chunkStreamOverInprocReceivesEveryHeap() {
        Tool r = bench("--heaps", "50");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0)).matches("chunk stream \\(4 heaps a chunk, 2 open\\) over inproc: 50" + RATE);
        assertThat(r.lines().get(1)).isEqualTo("Received 50 of 50 heaps");
    }

    @Test
    void chunkStreamOverUdpWithSeveralFengsReceivesEveryHeap() {
        Tool r = bench("--transport", "udp", "--heaps", "96", "--fengs", "4", "--heaps-per-chunk", "2",
                "--max-chunks", "3", "--rate", "4");
        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.lines().get(0)).startsWith("chunk stream (8 heaps a chunk, 3 open) over udp: 96 heaps");
        assertThat(r.lines().get(1)).isEqualTo("Received 96 of 96 heaps");
    }

    @Test
    void ringStreamOverBothTransportsReceivesEveryHeap() {
        for (String transport : List.of("inproc", "udp")) {
            Tool r = bench("--ring", "--transport", transport, "--heaps", "40");
            assertThat(r.status()).as(transport + ": " + r.out() + r.err()).isZero();
            assertThat(r.lines().get(0)).matches("ring stream over " + transport + ": 40" + RATE);
            assertThat(r.lines().get(1)).isEqualTo("Received 40 of 40 heaps");
        }
    }

    @Test
    void quietPrintsHeapsPerSecondAndGbps() {
        Tool r = bench("--quiet", "--heaps", "8");
        assertThat(r.status()).as(r.err()).isZero();
        String[] figures = r.out().trim().split(" ");
        assertThat(figures).hasSize(2);
        assertThat(Double.parseDouble(figures[0])).isPositive();
        assertThat(Double.parseDouble(figures[1])).isPositive();
    }

    @Test
    void warmUpRunIsNotCounted() {
        Tool r = Tool.run("bench", "chunk", "--heaps", "12");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.lines().get(1)).isEqualTo("Received 12 of 12 heaps");
    }

    @Test
    void failsWithExitStatus1WhenHeapsAreMissing() {
        // a heap size cap under 128 KiB: the receiver drops every packet, so no heap arrives
        for (boolean ring : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of("--heaps", "6", "--max-heap-size", "65536"));
            if (ring) {
                args.add("--ring");
            }
            Tool r = bench(args.toArray(String[]::new));
            assertThat(r.status()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.lines().get(1)).isEqualTo("Received 0 of 6 heaps");
            assertThat(r.err()).startsWith("chunk: received 0 of 6 heaps (")
                    .contains("96 packets over the heap size cap");
        }
    }

    @Test
    void shortfallNamesTheChunkStatistics() {
        List<StreamStatConfig> config = new ArrayList<>(io.spead4j.recv.StreamConfig.DEFAULT.stats());
        config.add(new StreamStatConfig("too_old_heaps"));
        config.add(new StreamStatConfig("rejected_heaps"));
        long[] values = new long[config.size()];
        values[values.length - 2] = 3;
        values[values.length - 1] = 2;
        StreamStats stats = new StreamStats(config, values);
        assertThat(BenchChunkCommand.shortfall(new BenchChunkCommand.Result(1, 10, 10, stats, 0))).isNull();
        assertThat(BenchChunkCommand.shortfall(new BenchChunkCommand.Result(1, 10, 5, stats, 0)))
                .isEqualTo("received 5 of 10 heaps (0 packets, 0 incomplete heaps, too_old_heaps 3, "
                        + "rejected_heaps 2)");
    }

    @Test
    void badArgumentsExitWith2() {
        assertThat(bench("--transport", "tcp").status()).isEqualTo(2);
        assertThat(bench("--heaps", "0").status()).isEqualTo(2);
        assertThat(bench("--fengs", "0").status()).isEqualTo(2);
        assertThat(bench("--chunks", "2").status()).isEqualTo(2);
        assertThat(bench("--rate", "-1").status()).isEqualTo(2);
        Tool window = bench("--window", "11");
        assertThat(window.status()).isEqualTo(2);
        assertThat(window.err()).contains("--window must be at least 12");
    }
}
