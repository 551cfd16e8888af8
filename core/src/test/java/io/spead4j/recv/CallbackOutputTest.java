package io.spead4j.recv;

import io.spead4j.testing.TestPools;
import io.spead4j.Descriptor;
import io.spead4j.FormatEntry;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reproduces what {@code spead2_recv --descriptors} printed in callback mode ({@code NAME.recv-plain.txt},
 * default receive config, read from {@code NAME.pcap}) with a {@link CallbackStream}: heaps in order,
 * descriptors, items in spead2's order, "Discarding incomplete heap" lines and the statistics. The file may
 * hold bytes that are not UTF-8 (a descriptor name that is not text): lines are compared byte for byte (one
 * char per byte on both sides).
 *
 * <p>Fed by a pcap file reader, as spead2_recv was, every case must print exactly that, batches and
 * max_batch included (search_dist and worker_blocked depend on timing). Fed by a buffer reader on
 * {@code NAME.spead}, the same is expected (batching statistics aside) wherever the buffer reader can read the
 * whole file ({@link Conformance#speadDecodesToTheEnd}); where it cannot, it stops at the first packet it
 * cannot parse and so counts fewer packets than spead2_recv's pcap read.
 */
class CallbackOutputTest {
    private static final Set<String> BATCH_STATS = Set.of("batches", "max_batch", "search_dist", "worker_blocked");
    private static final Set<String> TIMING_STATS = Set.of("search_dist", "worker_blocked");
    private static final ThreadPool pool = TestPools.shared();

    static List<String> cases() {
        return Conformance.names();
    }

    static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    static final class Printer extends CallbackStream {
        final List<String> out = new ArrayList<>();
        long shown;

        Printer(ThreadPool pool) {
            super(pool, new StreamConfig());
        }

        @Override
        protected void heapReady(HeapBase heap) {
            if (!(heap instanceof Heap h)) {
                out.add("Discarding incomplete heap " + heap.cnt());
                return;
            }
            shown++;
            out.add("Received heap " + h.cnt());
            for (Descriptor d : h.descriptors()) {
                out.add("Descriptor for " + d.name() + " (" + hex(d.id()) + ")");
                out.add("  description: " + d.description());
                out.add("  format:      [" + d.format().stream().map(FormatEntry::toString)
                        .collect(Collectors.joining(", ")) + "]");
                out.add("  dtype:       " + d.numpyHeader());
                out.add("  shape:       (" + d.shape().stream().map(x -> x < 0 ? "?" : Long.toString(x))
                        .collect(Collectors.joining(", ")) + ")");
            }
            for (RawItem item : h.items()) {
                out.add(hex(item.id()) + " = [" + item.length() + " bytes]"
                        + (item.immediate() ? " = " + hex(item.immediateValue()) : ""));
            }
            h.release();
        }
    }

    private static List<String> print(Printer printer, Set<String> skipped) throws InterruptedException {
        printer.awaitStopped();
        List<String> lines = new ArrayList<>(printer.out);
        lines.add("Received " + printer.shown + " heaps");
        StreamStats stats = printer.getStats();
        for (int i = 0; i < stats.size(); i++) {
            String stat = stats.config().get(i).name();
            if (!skipped.contains(stat)) {
                lines.add(stat + ": " + stats.get(i));
            }
        }
        return lines;
    }

    private static List<String> printed(String name, Set<String> skipped) {
        return Conformance.byteText(name + ".recv-plain.txt").lines()
                .filter(l -> skipped.stream().noneMatch(s -> l.startsWith(s + ": ")))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pcapReaderPrintsLikeSpead2RecvCallbackMode(String name) throws Exception {
        System.out.println("callback output (pcap) case: " + name);
        Printer printer = new Printer(pool);
        printer.addUdpPcapFileReader(Conformance.dir().resolve(name + ".pcap"));
        assertThat(print(printer, TIMING_STATS)).isEqualTo(printed(name, TIMING_STATS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void printsLikeSpead2RecvCallbackMode(String name) throws Exception {
        System.out.println("callback output case: " + name);
        Printer printer = new Printer(pool);
        printer.addBufferReader(Conformance.bytes(name, "spead"));
        List<String> lines = print(printer, BATCH_STATS);
        if (Conformance.speadDecodesToTheEnd(name)) {
            assertThat(lines).isEqualTo(printed(name, BATCH_STATS));
        } else {
            assertThat(printer.getStats().packets()).as("packets before the first unparsable one")
                    .isLessThan(Conformance.printedStats(name).get("packets"));
        }
    }
}
