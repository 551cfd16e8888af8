package io.spead4j.micrometer;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.DropCounts;
import io.spead4j.recv.DropReason;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.StreamStatConfig;
import io.spead4j.recv.StreamStats;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The binder exposes the same numbers as the stream's own views, in a {@link SimpleMeterRegistry}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamMetricsTest {
    @Test
    void registryHasTheStreamsStatisticsDropsAndGauges() throws Exception {
        MemoryPool memoryPool = new MemoryPool(0, 1 << 16, 4, 1);
        memoryPool.setWarnOnEmpty(false);
        StreamConfig config = new StreamConfig().withMemoryAllocator(memoryPool).addStat("consumer_custom")
                .addStat("consumer_max", StreamStatConfig.Mode.MAXIMUM);
        InprocQueue queue = new InprocQueue();
        try (ThreadPool pool = new ThreadPool(1);
             Stream stream = new Stream(pool, config, new RingStreamConfig().withHeaps(8));
             InprocStream sender = new InprocStream(pool, List.of(queue), new io.spead4j.send.StreamConfig())) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new StreamMetrics(stream, Tags.of("site", "test")).withMemoryPool(memoryPool).bindTo(registry);
            for (int i = 0; i < 5; i++) {
                sender.sendHeap(new Heap().addItem(0x1000, new byte[1000 * (i + 1)], false));
            }
            queue.addPacket(new byte[] {0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41}); // a bad header
            sender.sendHeap(new Heap().addEnd());
            stream.addInprocReader(queue);
            queue.stop();
            int heaps = 0;
            for (HeapBase heap : stream) {
                stream.updateStat("consumer_custom", 2);
                stream.updateStat("consumer_max", heaps);
                heaps++;
                if (heaps == 1) {
                    assertThat(registry.get("spead4j.recv.ring.capacity").tag("stream", stream.name()).gauge()
                            .value()).isEqualTo(8);
                }
                ((io.spead4j.recv.Heap) heap).release();
            }
            StreamStats stats = stream.getStats();
            DropCounts drops = stream.getDrops();
            assertThat(drops.get(DropReason.BAD_HEADER)).isEqualTo(1);
            for (Map.Entry<String, Long> stat : stats.asMap().entrySet()) {
                var search = registry.get("spead4j.recv." + stat.getKey()).tag("stream", stream.name())
                        .tag("site", "test");
                double value = stat.getKey().equals("max_batch") || stat.getKey().equals("consumer_max")
                        ? search.gauge().value() : search.functionCounter().count();
                assertThat(value).as(stat.getKey()).isEqualTo(stat.getValue().doubleValue());
            }
            assertThat(stats.get("consumer_custom")).isEqualTo(10);
            for (DropReason reason : DropReason.values()) {
                assertThat(registry.get("spead4j.recv.drops").tag("stream", stream.name())
                        .tag("reason", reason.statName()).functionCounter().count())
                        .as(reason.statName()).isEqualTo((double) drops.get(reason));
            }
            assertThat(registry.get("spead4j.recv.ring.size").gauge().value())
                    .isEqualTo(stream.ringbuffer().size());
            assertThat(registry.get("spead4j.pool.free").gauge().value()).isEqualTo(memoryPool.freeCount());
            assertThat(registry.get("spead4j.pool.allocations").functionCounter().count())
                    .isEqualTo((double) memoryPool.allocations()).isGreaterThanOrEqualTo(1);
            assertThat(registry.get("spead4j.pool.refills").functionCounter().count())
                    .isEqualTo((double) memoryPool.refills());
            assertThat(registry.get("spead4j.pool.empty").functionCounter().count())
                    .isEqualTo((double) memoryPool.emptyCount());
        }
    }
}
