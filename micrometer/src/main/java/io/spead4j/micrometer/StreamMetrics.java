package io.spead4j.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.spead4j.MemoryPool;
import io.spead4j.recv.DropReason;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamStatConfig;

import java.util.List;
import java.util.Objects;

/**
 * Binds a receive stream to a Micrometer {@link MeterRegistry} (and through it to Prometheus, JMX, ...): every
 * statistic of {@link StreamBase#getStats()} as {@code spead4j.recv.<name>} (a function counter for counters,
 * a gauge for maxima such as {@code max_batch}), every drop reason of {@link StreamBase#getDrops()} as the
 * function counter {@code spead4j.recv.drops} tagged {@code reason}, a ring stream's occupancy as the gauges
 * {@code spead4j.recv.ring.size} and {@code spead4j.recv.ring.capacity}, and optionally a memory pool's gauges
 * ({@code spead4j.pool.free}, and the counters {@code spead4j.pool.allocations}, {@code spead4j.pool.refills},
 * {@code spead4j.pool.empty}). Every meter is tagged {@code stream} with {@link StreamBase#name()} plus the
 * tags given. Meters read the stream when the registry is scraped; nothing is added to the packet path.
 *
 * <pre>{@code
 * new StreamMetrics(stream).withMemoryPool(pool).bindTo(registry);
 * }</pre>
 */
public final class StreamMetrics implements MeterBinder {
    private final StreamBase stream;
    private final Tags tags;
    private final MemoryPool pool;

    /**
     * Creates a binder for a stream.
     *
     * @param stream the stream
     */
    public StreamMetrics(StreamBase stream) {
        this(stream, Tags.empty(), null);
    }

    /**
     * Creates a binder for a stream with extra tags.
     *
     * @param stream the stream
     * @param tags tags added to every meter
     */
    public StreamMetrics(StreamBase stream, Iterable<Tag> tags) {
        this(stream, Tags.of(tags), null);
    }

    private StreamMetrics(StreamBase stream, Tags tags, MemoryPool pool) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.tags = Tags.of("stream", stream.name()).and(Objects.requireNonNull(tags, "tags"));
        this.pool = pool;
    }

    /**
     * Also binds the gauges of the memory pool the stream allocates from.
     *
     * @param memoryPool the pool
     * @return a binder that binds the stream and the pool
     */
    public StreamMetrics withMemoryPool(MemoryPool memoryPool) {
        return new StreamMetrics(stream, tags, Objects.requireNonNull(memoryPool, "memoryPool"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        List<StreamStatConfig> stats = stream.config().stats();
        for (int i = 0; i < stats.size(); i++) {
            StreamStatConfig stat = stats.get(i);
            int index = i;
            String name = "spead4j.recv." + stat.name();
            if (stat.mode() == StreamStatConfig.Mode.MAXIMUM) {
                Gauge.builder(name, stream, s -> s.getStats().get(index)).tags(tags)
                        .description("spead2 statistic " + stat.name() + " (maximum)").register(registry);
            } else {
                FunctionCounter.builder(name, stream, s -> s.getStats().get(index)).tags(tags)
                        .description("spead2 statistic " + stat.name()).register(registry);
            }
        }
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder("spead4j.recv.drops", stream, s -> s.getDrops().get(reason))
                    .tags(tags).tag("reason", reason.statName())
                    .description("packets or heaps the stream discarded, by reason").register(registry);
        }
        if (stream instanceof Stream ring) {
            Gauge.builder("spead4j.recv.ring.size", ring, r -> r.ringbuffer().size()).tags(tags)
                    .description("heaps waiting in the ring").register(registry);
            Gauge.builder("spead4j.recv.ring.capacity", ring, r -> r.ringbuffer().capacity()).tags(tags)
                    .description("heaps the ring holds at most").register(registry);
        }
        if (pool != null) {
            Gauge.builder("spead4j.pool.free", pool, MemoryPool::freeCount).tags(tags)
                    .description("free buffers in the memory pool").register(registry);
            FunctionCounter.builder("spead4j.pool.allocations", pool, MemoryPool::allocations).tags(tags)
                    .description("buffers the memory pool allocated").register(registry);
            FunctionCounter.builder("spead4j.pool.refills", pool, MemoryPool::refills).tags(tags)
                    .description("background refills of the memory pool").register(registry);
            FunctionCounter.builder("spead4j.pool.empty", pool, MemoryPool::emptyCount).tags(tags)
                    .description("requests that found the memory pool empty").register(registry);
        }
    }
}
