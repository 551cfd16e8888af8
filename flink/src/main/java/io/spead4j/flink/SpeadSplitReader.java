package io.spead4j.flink;

import io.spead4j.ItemGroup;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.StoppedException;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a reader's endpoints: one spead4j ring stream per endpoint (UDP reader, multicast joined on its
 * interface), all on one spead4j thread pool, and one receiving thread per endpoint that takes heaps from
 * the ring, turns them into records with the deserializer and queues them for Flink's fetcher. A full queue
 * blocks the receiving thread, the ring then fills, and UDP drops in the kernel (counted by the kernel, see
 * the package documentation): nothing is dropped here.
 *
 * @param <T> the record type
 */
// Flink's reader interfaces declare close() throws Exception; the reader is closed by Flink, not in a try block
@SuppressWarnings("try")
final class SpeadSplitReader<T> implements SplitReader<SpeadSplitReader.Received<T>, SpeadEndpoint> {
    private static final Logger LOG = LoggerFactory.getLogger(SpeadSplitReader.class);
    /** How many queued records one fetch hands over at most. */
    private static final int MAX_BATCH = 1024;
    /** How long one fetch waits for a record before returning an empty batch. */
    private static final long POLL_MILLIS = 100;

    /**
     * A record with its event time, as handed to the emitter.
     *
     * @param value the record
     * @param timestamp its event time, or {@link Long#MIN_VALUE} for none
     * @param <T> the record type
     */
    record Received<T>(T value, long timestamp) {
    }

    /** What the receiving threads queue: a record of a split, the end of a split, a failure or a wake-up. */
    private record Event<T>(String splitId, Received<T> record, Throwable failure, boolean finished) {
    }

    private final SpeadSource.Settings settings;
    private final SpeadDeserializer<T> deserializer;
    private final Counter incompleteHeaps;
    private final int readerIndex;
    private final ThreadPool pool = new ThreadPool(1);
    private final BlockingQueue<Event<T>> queue;
    private final Map<String, Receiver> receivers = new LinkedHashMap<>();
    private volatile boolean closing;

    SpeadSplitReader(SpeadSource.Settings settings, SpeadDeserializer<T> deserializer, Counter incompleteHeaps,
                     int readerIndex) {
        this.settings = settings;
        this.readerIndex = readerIndex;
        this.deserializer = deserializer;
        this.incompleteHeaps = incompleteHeaps;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    }

    @Override
    public RecordsWithSplitIds<Received<T>> fetch() throws IOException {
        Event<T> first;
        try {
            first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RecordsBySplits.Builder<Received<T>>().build();
        }
        List<Event<T>> events = new ArrayList<>();
        if (first != null) {
            events.add(first);
            queue.drainTo(events, MAX_BATCH - 1);
        }
        RecordsBySplits.Builder<Received<T>> batch = new RecordsBySplits.Builder<>();
        for (Event<T> e : events) {
            if (e.failure() != null) {
                throw new IOException("receiving SPEAD endpoint " + e.splitId() + " failed: " + e.failure(),
                        e.failure());
            } else if (e.record() != null) {
                batch.add(e.splitId(), e.record());
            } else if (e.finished()) {
                Receiver r = receivers.remove(e.splitId());
                if (r != null) {
                    r.stream.close();
                }
                batch.addFinishedSplit(e.splitId());
            }
        }
        return batch.build();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<SpeadEndpoint> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + change.getClass().getName());
        }
        for (SpeadEndpoint endpoint : change.splits()) {
            try {
                Receiver r = new Receiver(endpoint);
                receivers.put(endpoint.splitId(), r);
                r.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open SPEAD endpoint " + endpoint.splitId() + ": " + e, e);
            }
        }
    }

    @Override
    public void wakeUp() {
        queue.offer(new Event<>(null, null, null, false));
    }

    @Override
    public void close() throws Exception {
        closing = true;
        for (Receiver r : receivers.values()) {
            r.stream.close();
        }
        for (Receiver r : receivers.values()) {
            r.thread.interrupt();
            r.thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        receivers.clear();
        pool.close();
    }

    /** One endpoint: its stream and receiving thread. */
    private final class Receiver implements Runnable {
        private final SpeadEndpoint endpoint;
        private final String splitId;
        private final Stream stream;
        private final Thread thread;

        Receiver(SpeadEndpoint endpoint) throws IOException {
            this.endpoint = endpoint;
            this.splitId = endpoint.splitId();
            StreamConfig config = new StreamConfig().withMaxHeaps(settings.maxHeaps());
            Stream s = new Stream(pool, config, new RingStreamConfig().withHeaps(settings.ringHeaps()));
            try {
                if (endpoint.isMulticast()) {
                    s.addUdpReader(SpeadEndpoint.literal(endpoint.group()), endpoint.port(), settings.maxPacketSize(),
                            settings.socketBufferSize(), SpeadEndpoint.literal(endpoint.interfaceAddress()));
                } else {
                    s.addUdpReader(endpoint.port(), settings.maxPacketSize(), settings.socketBufferSize(),
                            endpoint.interfaceAddress());
                }
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            this.stream = s;
            this.thread = new Thread(this, "spead4j-flink " + splitId);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
            if (settings.readyListener() != null) {
                List<InetSocketAddress> local = stream.localAddresses();
                settings.readyListener().ready(endpoint, readerIndex, local.isEmpty() ? null : local.getFirst());
            }
        }

        @Override
        public void run() {
            ItemGroup items = new ItemGroup();
            List<T> produced = new ArrayList<>();
            Collector<T> collector = new Collector<>() {
                @Override
                public void collect(T record) {
                    produced.add(record);
                }

                @Override
                public void close() {
                    // nothing to close
                }
            };
            try {
                while (true) {
                    HeapBase h = stream.get();
                    if (!(h instanceof Heap heap)) {
                        incompleteHeaps.inc();
                        LOG.debug("{}: incomplete heap {} dropped", splitId, h.cnt());
                        continue;
                    }
                    long timestamp;
                    try {
                        timestamp = timestampOf(heap);
                        deserializer.deserialize(splitId, heap, items, collector);
                    } finally {
                        heap.release();
                    }
                    for (T record : produced) {
                        queue.put(new Event<>(splitId, new Received<>(record, timestamp), null, false));
                    }
                    produced.clear();
                }
            } catch (StoppedException e) {
                if (!closing) {
                    enqueueEnd(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception | Error e) {
                if (!closing) {
                    enqueueEnd(e);
                }
            }
        }

        private void enqueueEnd(Throwable failure) {
            try {
                queue.put(new Event<>(splitId, null, failure, failure == null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private long timestampOf(Heap heap) {
            long id = settings.timestampItemId();
            if (id < 0) {
                return Long.MIN_VALUE;
            }
            for (RawItem it : heap.items()) {
                if (it.id() == id) {
                    return it.immediate() ? it.immediateValue() : SpeadHeapRecord.bigEndian(it.bytes(), id);
                }
            }
            return Long.MIN_VALUE;
        }
    }
}
