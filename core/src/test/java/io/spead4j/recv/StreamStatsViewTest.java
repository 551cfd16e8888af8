package io.spead4j.recv;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.spead4j.recv.TestPackets.singleHeap;
import static io.spead4j.recv.TestPackets.stopHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StreamStats#asMap()} is the indexed statistics seen by name, in spead2's order, for the statistics of
 * every conformance case; custom statistics can be updated by a ring stream's consumer.
 */
class StreamStatsViewTest {
    private static final ThreadPool pool = TestPools.shared();

    static List<String> cases() {
        return Conformance.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mapViewEqualsIndexedView(String name) throws Exception {
        JsonNode json = Conformance.json(name);
        StreamConfig config = ConformanceRecvTest.configFrom(json.get("recv_config")).addStat("consumer_custom");
        StreamStats stats;
        try (Stream stream = new Stream(pool, config, ConformanceRecvTest.ringFrom(json.get("ring_config")))) {
            stream.addBufferReader(Conformance.bytes(name, "spead"));
            for (HeapBase heap : stream) {
                if (heap instanceof Heap h) {
                    h.release();
                }
            }
            stats = stream.getStats();
        }
        Map<String, Long> map = stats.asMap();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stats.size(); i++) {
            names.add(stats.config().get(i).name());
        }
        assertThat(List.copyOf(map.keySet())).as("keys in spead2's order").isEqualTo(names);
        assertThat(names.subList(0, StreamConfig.CORE_STATS.size()))
                .isEqualTo(StreamConfig.CORE_STATS.stream().map(StreamStatConfig::name).toList());
        assertThat(map).hasSize(stats.size());
        int i = 0;
        for (Map.Entry<String, Long> e : map.entrySet()) {
            assertThat(e.getKey()).isEqualTo(names.get(i));
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(stats.get(i));
            assertThat(map.get(e.getKey())).isEqualTo(stats.get(i));
            assertThat(stats.get(e.getKey())).isEqualTo(stats.get(i));
            i++;
        }
        // the behavioural statistics spead2 recorded for the case, read through the map
        JsonNode expected = json.get("stats");
        for (String stat : List.of("heaps", "packets", "incomplete_heaps_evicted", "incomplete_heaps_flushed",
                "single_packet_heaps")) {
            assertThat(map.get(stat)).as(stat).isEqualTo(Conformance.longValue(expected.get(stat)));
        }
        assertThat(map.get("no_such_statistic")).isNull();
        assertThat(map.getOrDefault("no_such_statistic", -7L)).isEqualTo(-7L);
        assertThat(stats.getOrDefault("no_such_statistic", -7)).isEqualTo(-7);
        assertThat(stats.getOrDefault("packets", -7)).isEqualTo(stats.packets());
        assertThat(map.containsKey("worker_blocked")).isTrue();
        assertThat(map).isEqualTo(new java.util.LinkedHashMap<>(map));
        assertThatThrownBy(() -> map.put("packets", 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.remove("packets")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.entrySet().iterator().next().setValue(3L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @Timeout(30)
    void ringStreamConsumerUpdatesCustomStatistics() throws Exception {
        StreamConfig config = new StreamConfig().addStat("consumed_bytes")
                .addStat("largest_heap", StreamStatConfig.Mode.MAXIMUM);
        int bytesIndex = config.getStatIndex("consumed_bytes");
        InprocQueue queue = new InprocQueue();
        int[] sizes = {10, 300, 20};
        for (int i = 0; i < sizes.length; i++) {
            queue.addPacket(singleHeap(i + 1, sizes[i]));
        }
        queue.addPacket(stopHeap(9));
        long total = 0;
        try (Stream stream = new Stream(pool, config)) {
            stream.addInprocReader(queue);
            for (HeapBase heap : stream) {
                long bytes = heap.items().get(0).length();
                total += bytes;
                stream.updateStat(bytesIndex, bytes); // from the consumer's thread, outside any batch
                stream.updateStat("largest_heap", bytes);
                ((Heap) heap).release();
            }
            StreamStats stats = stream.getStats();
            assertThat(stats.get("consumed_bytes")).isEqualTo(total).isEqualTo(330);
            assertThat(stats.asMap().get("largest_heap")).isEqualTo(300L);
            assertThatThrownBy(() -> stream.updateStat(StreamConfig.STAT_PACKETS, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> stream.updateStat("no_such_statistic", 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
