package io.spead4j.flink;

import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Flink source (the FLIP-27 {@link Source} API) that receives SPEAD streams with spead4j. Its splits are
 * {@link SpeadEndpoint}s (a multicast group and port, or a unicast port), spread evenly across the source's
 * parallel readers; each reader receives each of its endpoints with its own spead4j ring stream and UDP
 * reader and turns every complete heap into records with a {@link SpeadDeserializer}.
 *
 * <pre>{@code
 * SpeadSource<SpeadHeapRecord> source = SpeadSource.builder(SpeadDeserializer.heaps())
 *         .addEndpoint(SpeadEndpoint.multicast("239.10.0.1", 7148, "10.0.0.5"))
 *         .addEndpoint(SpeadEndpoint.multicast("239.10.0.2", 7148, "10.0.0.5"))
 *         .timestampItem(0x1600)
 *         .build();
 * env.fromSource(source, WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofMillis(50)), "spead");
 * }</pre>
 *
 * <p><b>Event time.</b> With {@link Builder#timestampItem(long)}, each record carries the value of that item
 * of its heap (an immediate, or an addressed item of up to 8 bytes, big-endian) as its timestamp; Flink takes
 * it as epoch milliseconds, so a telescope timestamp in other units needs a timestamp assigner in the
 * watermark strategy. Records are emitted on their endpoint's own split output, so watermarks are generated
 * per endpoint and a slow or idle endpoint holds the reader's watermark back (use
 * {@code WatermarkStrategy.withIdleness} for endpoints that may fall silent).
 *
 * <p><b>Delivery: at most once.</b> See the package documentation: UDP cannot be replayed, so a checkpoint
 * only records which reader owns which endpoint; after a failure the restarted readers rejoin their
 * endpoints and receive what arrives from then on.
 *
 * <p><b>End.</b> An endpoint ends when its stream stops (a heap with the stream-control STOP item, spead2's
 * end of stream). The source is unbounded unless {@link Builder#bounded()} is set; a bounded source finishes
 * when all its endpoints have ended.
 *
 * @param <T> the record type
 */
public final class SpeadSource<T> implements Source<T, SpeadEndpoint, Collection<SpeadEndpoint>>,
        ResultTypeQueryable<T> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The endpoints, in the order given. */
    private final SpeadEndpoint[] endpoints;
    /** Turns heaps into records. */
    private final SpeadDeserializer<T> deserializer;
    /** The receive settings. */
    private final Settings settings;
    /** Whether the source finishes once every endpoint has stopped. */
    private final boolean bounded;

    /**
     * The receive settings shared by all endpoints of a source.
     *
     * @param maxPacketSize largest datagram accepted
     * @param socketBufferSize socket receive buffer size in bytes (0: system default)
     * @param maxHeaps heaps assembled at once per stream
     * @param ringHeaps complete heaps the ring between stream and receiving thread holds
     * @param queueCapacity records queued between receiving threads and Flink's fetcher, per reader
     * @param timestampItemId the item whose value is the event time, or -1 for none
     * @param readyListener told when an endpoint listens, or null
     */
    record Settings(int maxPacketSize, int socketBufferSize, int maxHeaps, int ringHeaps, int queueCapacity,
                    long timestampItemId, SplitReadyListener readyListener) implements Serializable {
    }

    private SpeadSource(Builder<T> b) {
        this.endpoints = b.endpoints.toArray(new SpeadEndpoint[0]);
        this.deserializer = b.deserializer;
        this.bounded = b.bounded;
        this.settings = new Settings(b.maxPacketSize, b.socketBufferSize, b.maxHeaps, b.ringHeaps, b.queueCapacity,
                b.timestampItemId, b.readyListener);
    }

    /**
     * Starts building a source.
     *
     * @param deserializer turns heaps into records, for example {@link SpeadDeserializer#heaps()}
     * @param <T> the record type
     * @return the builder
     */
    public static <T> Builder<T> builder(SpeadDeserializer<T> deserializer) {
        return new Builder<>(Objects.requireNonNull(deserializer, "deserializer"));
    }

    /**
     * The endpoints (splits) of this source.
     *
     * @return the endpoints, in the order given
     */
    public List<SpeadEndpoint> endpoints() {
        return List.of(endpoints);
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, SpeadEndpoint> createReader(SourceReaderContext readerContext) {
        return new SpeadSourceReader<>(readerContext, settings, deserializer);
    }

    @Override
    public SplitEnumerator<SpeadEndpoint, Collection<SpeadEndpoint>> createEnumerator(
            SplitEnumeratorContext<SpeadEndpoint> enumContext) {
        return new SpeadEndpointEnumerator(enumContext, List.of(endpoints), bounded);
    }

    @Override
    public SplitEnumerator<SpeadEndpoint, Collection<SpeadEndpoint>> restoreEnumerator(
            SplitEnumeratorContext<SpeadEndpoint> enumContext, Collection<SpeadEndpoint> checkpoint) {
        return new SpeadEndpointEnumerator(enumContext, checkpoint, bounded);
    }

    @Override
    public SimpleVersionedSerializer<SpeadEndpoint> getSplitSerializer() {
        return new SpeadEndpointSerializer.Splits();
    }

    @Override
    public SimpleVersionedSerializer<Collection<SpeadEndpoint>> getEnumeratorCheckpointSerializer() {
        return new SpeadEndpointSerializer.Pending();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    /**
     * Builds a {@link SpeadSource}.
     *
     * @param <T> the record type
     */
    public static final class Builder<T> {
        private final SpeadDeserializer<T> deserializer;
        private final List<SpeadEndpoint> endpoints = new ArrayList<>();
        private int maxPacketSize = StreamBase.DEFAULT_UDP_MAX_SIZE;
        private int socketBufferSize = StreamBase.DEFAULT_UDP_BUFFER_SIZE;
        private int maxHeaps = StreamConfig.DEFAULT_MAX_HEAPS;
        private int ringHeaps = RingStreamConfig.DEFAULT_HEAPS;
        private int queueCapacity = 4096;
        private long timestampItemId = -1;
        private SplitReadyListener readyListener;
        private boolean bounded;

        private Builder(SpeadDeserializer<T> deserializer) {
            this.deserializer = deserializer;
        }

        /**
         * Adds an endpoint (a split).
         *
         * @param endpoint the endpoint
         * @return this builder
         * @throws IllegalArgumentException if the same endpoint was added before
         */
        public Builder<T> addEndpoint(SpeadEndpoint endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            if (endpoints.stream().anyMatch(e -> e.splitId().equals(endpoint.splitId()))) {
                throw new IllegalArgumentException("endpoint " + endpoint.splitId() + " added twice");
            }
            endpoints.add(endpoint);
            return this;
        }

        /**
         * Sets the largest datagram accepted.
         *
         * @param bytes the size, at least 1 (default {@value StreamBase#DEFAULT_UDP_MAX_SIZE})
         * @return this builder
         */
        public Builder<T> maxPacketSize(int bytes) {
            this.maxPacketSize = positive(bytes, "maxPacketSize");
            return this;
        }

        /**
         * Sets each endpoint socket's receive buffer: what the kernel holds while the reader is busy.
         *
         * @param bytes the size, 0 for the system default (default 8 MiB)
         * @return this builder
         */
        public Builder<T> socketBufferSize(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("socketBufferSize must be >= 0, got " + bytes);
            }
            this.socketBufferSize = bytes;
            return this;
        }

        /**
         * Sets how many heaps each stream assembles at once (spead2's {@code max_heaps}).
         *
         * @param heaps at least 1
         * @return this builder
         */
        public Builder<T> maxHeaps(int heaps) {
            this.maxHeaps = positive(heaps, "maxHeaps");
            return this;
        }

        /**
         * Sets the capacity of each stream's ring of complete heaps.
         *
         * @param heaps at least 1
         * @return this builder
         */
        public Builder<T> ringHeaps(int heaps) {
            this.ringHeaps = positive(heaps, "ringHeaps");
            return this;
        }

        /**
         * Sets how many records a reader queues before its receiving threads wait for Flink.
         *
         * @param records at least 1
         * @return this builder
         */
        public Builder<T> queueCapacity(int records) {
            this.queueCapacity = positive(records, "queueCapacity");
            return this;
        }

        /**
         * Takes each record's event time from an item of its heap.
         *
         * @param itemId the item id (for example 0x1600, spead2's usual timestamp)
         * @return this builder
         */
        public Builder<T> timestampItem(long itemId) {
            if (itemId < 0) {
                throw new IllegalArgumentException("timestamp item id must be >= 0, got " + itemId);
            }
            this.timestampItemId = itemId;
            return this;
        }

        /**
         * Sets a listener told when an endpoint's socket is open.
         *
         * @param listener the listener (serializable)
         * @return this builder
         */
        public Builder<T> onEndpointReady(SplitReadyListener listener) {
            this.readyListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Makes the source bounded: it finishes once every endpoint's stream has stopped.
         *
         * @return this builder
         */
        public Builder<T> bounded() {
            this.bounded = true;
            return this;
        }

        /**
         * Builds the source.
         *
         * @return the source
         * @throws IllegalArgumentException if no endpoint was added
         */
        public SpeadSource<T> build() {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("a SPEAD source needs at least one endpoint");
            }
            Set<Integer> unicastPorts = new HashSet<>();
            for (SpeadEndpoint e : endpoints) {
                if (!e.isMulticast() && !unicastPorts.add(e.port())) {
                    throw new IllegalArgumentException("unicast port " + e.port() + " given twice");
                }
            }
            return new SpeadSource<>(this);
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be >= 1, got " + value);
            }
            return value;
        }
    }
}
