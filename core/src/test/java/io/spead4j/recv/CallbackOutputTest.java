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
 * default receive config) with a {@link CallbackStream} fed by a buffer reader: heaps in order, descriptors,
 * items in spead2's order, "Discarding incomplete heap" lines and the behavioural statistics. The batching
 * statistics (batches, max_batch, search_dist, worker_blocked) are skipped: spead2_recv read a pcap file.
 */
class CallbackOutputTest {
    /** Cases whose pcap decode differs from the buffer decode by design (see the conformance README). */
    private static final Set<String> PCAP_ONLY = Set.of("garbage");
    private static final Set<String> BATCH_STATS = Set.of("batches", "max_batch", "search_dist", "worker_blocked");
    private static final ThreadPool pool = TestPools.shared();

    static List<String> cases() {
        return Conformance.names().stream().filter(n -> !PCAP_ONLY.contains(n)).toList();
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void printsLikeSpead2RecvCallbackMode(String name) throws Exception {
        System.out.println("callback output case: " + name);
        Printer printer = new Printer(pool);
        printer.addBufferReader(Conformance.bytes(name, "spead"));
        printer.awaitStopped();
        List<String> lines = new ArrayList<>(printer.out);
        lines.add("Received " + printer.shown + " heaps");
        StreamStats stats = printer.getStats();
        for (int i = 0; i < stats.size(); i++) {
            String stat = stats.config().get(i).name();
            if (!BATCH_STATS.contains(stat)) {
                lines.add(stat + ": " + stats.get(i));
            }
        }
        List<String> expected = Conformance.text(name + ".recv-plain.txt").lines()
                .filter(l -> BATCH_STATS.stream().noneMatch(s -> l.startsWith(s + ": ")))
                .toList();
        assertThat(lines).isEqualTo(expected);
    }
}
