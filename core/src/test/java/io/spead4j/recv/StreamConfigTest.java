package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Defaults and validation of StreamConfig, RingStreamConfig, StreamStats (SPEAD2-BEHAVIOUR.md §2.1, §2.11, §3). */
class StreamConfigTest {
    @Test
    void defaultsAreSpead2s() {
        StreamConfig c = new StreamConfig();
        assertThat(c.maxHeaps()).isEqualTo(4);
        assertThat(c.substreams()).isEqualTo(1);
        assertThat(c.bugCompat()).isZero();
        assertThat(c.memcpy()).isEqualTo(MemcpyFunction.STD);
        assertThat(c.memoryAllocator()).isSameAs(MemoryAllocator.plain());
        assertThat(c.stopOnStopItem()).isTrue();
        assertThat(c.allowUnsizedHeaps()).isTrue();
        assertThat(c.allowOutOfOrder()).isFalse();
        assertThat(c.streamId()).isZero();
        assertThat(c.explicitStart()).isFalse();
        assertThat(c.maxHeapSize()).isEqualTo(128L * 1024 * 1024);
        assertThat(c.stats()).extracting(StreamStatConfig::name).containsExactly("heaps", "incomplete_heaps_evicted",
                "incomplete_heaps_flushed", "packets", "batches", "max_batch", "single_packet_heaps", "search_dist",
                "worker_blocked");
        assertThat(c.stats().get(5).mode()).isEqualTo(StreamStatConfig.Mode.MAXIMUM);
        assertThat(c.nextStatIndex()).isEqualTo(9);
    }

    @Test
    void invalidValuesAreRejected() {
        StreamConfig c = new StreamConfig();
        assertThatThrownBy(() -> c.withMaxHeaps(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withSubstreams(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withBugCompat(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMaxHeapSize(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withMemoryAllocator(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new RingStreamConfig(0, true, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withBugCompat(7).bugCompat()).isEqualTo(7);
    }

    @Test
    void withersReturnNewInstancesAndLeaveTheOriginal() {
        StreamConfig c = new StreamConfig();
        StreamConfig d = c.withMaxHeaps(9).withAllowOutOfOrder(true);
        assertThat(c.maxHeaps()).isEqualTo(4);
        assertThat(d.maxHeaps()).isEqualTo(9);
        assertThat(d.allowOutOfOrder()).isTrue();
        RingStreamConfig r = new RingStreamConfig();
        assertThat(r.heaps()).isEqualTo(4);
        assertThat(r.contiguousOnly()).isTrue();
        assertThat(r.incompleteKeepPayloadRanges()).isFalse();
    }

    @Test
    void customStatsAreAppendedAndNamesMustBeUnique() {
        StreamConfig c = new StreamConfig();
        StreamConfig d = c.addStat("a").addStat("b", StreamStatConfig.Mode.MAXIMUM);
        assertThat(c.nextStatIndex()).isEqualTo(9);
        assertThat(d.getStatIndex("a")).isEqualTo(9);
        assertThat(d.getStatIndex("b")).isEqualTo(10);
        assertThat(d.getStatIndex("packets")).isEqualTo(3);
        assertThatThrownBy(() -> d.addStat("a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.addStat("heaps")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.getStatIndex("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statsAreReadableByIndexAndNameAndPrintInOrder() {
        StreamConfig c = new StreamConfig().addStat("extra");
        long[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        StreamStats s = new StreamStats(c.stats(), values);
        values[0] = 99;
        assertThat(s.heaps()).isEqualTo(1);
        assertThat(s.incompleteHeapsEvicted()).isEqualTo(2);
        assertThat(s.incompleteHeapsFlushed()).isEqualTo(3);
        assertThat(s.packets()).isEqualTo(4);
        assertThat(s.batches()).isEqualTo(5);
        assertThat(s.maxBatch()).isEqualTo(6);
        assertThat(s.singlePacketHeaps()).isEqualTo(7);
        assertThat(s.searchDist()).isEqualTo(8);
        assertThat(s.workerBlocked()).isEqualTo(9);
        assertThat(s.get("extra")).isEqualTo(10);
        assertThat(s.get(9)).isEqualTo(10);
        assertThat(s.contains("extra")).isTrue();
        assertThatThrownBy(() -> s.get("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.toString().lines().toList()).startsWith("heaps: 1", "incomplete_heaps_evicted: 2")
                .endsWith("worker_blocked: 9", "extra: 10");
        StreamStats sum = s.plus(s);
        assertThat(sum.packets()).isEqualTo(8);
        assertThat(sum.maxBatch()).isEqualTo(6);
        assertThatThrownBy(() -> s.plus(new StreamStats(StreamConfig.CORE_STATS, new long[9])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StreamStats(List.of(), new long[1])).isInstanceOf(IllegalArgumentException.class);
    }
}
