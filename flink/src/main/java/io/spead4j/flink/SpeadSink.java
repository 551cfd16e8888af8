package io.spead4j.flink;

import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.StreamConfig;
import io.spead4j.send.UdpStream;
import java.io.IOException;
import java.io.Serial;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that sends each record as a SPEAD heap over UDP with a spead4j {@link UdpStream} (one per
 * parallel writer). The endpoints are the stream's substreams; {@link HeapEncoder#substream} picks one per
 * record. Writers number their heaps so that parallel writers never reuse each other's cnts: writer
 * {@code i} of {@code n} sends cnts {@code i + 1, i + 1 + n, i + 1 + 2n, ...}.
 *
 * <p>Each heap is sent (handed to the kernel) before {@code write} returns, so a checkpoint never leaves
 * heaps behind in the sink; whether they arrive is up to the network (UDP: at most once).
 *
 * @param <T> the record type
 */
public final class SpeadSink<T> implements Sink<T> {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The destinations, one per substream. */
    private final SpeadEndpoint[] endpoints;
    /** Builds each record's heap. */
    private final HeapEncoder<T> encoder;
    /** Each writer's rate in bytes per second, 0 for unlimited. */
    private final double rate;
    /** The largest packet sent. */
    private final int maxPacketSize;
    /** The multicast TTL. */
    private final int ttl;
    /** Whether writers send end-of-stream heaps when they close. */
    private final boolean endOfStream;

    private SpeadSink(SpeadEndpoint[] endpoints, HeapEncoder<T> encoder, double rate, int maxPacketSize, int ttl,
                      boolean endOfStream) {
        this.endpoints = endpoints;
        this.encoder = encoder;
        this.rate = rate;
        this.maxPacketSize = maxPacketSize;
        this.ttl = ttl;
        this.endOfStream = endOfStream;
    }

    /**
     * A sink to unicast or multicast destinations. For multicast, {@code interfaceAddress} of the first
     * endpoint picks the outgoing interface; for unicast it is the address sent from.
     *
     * @param endpoints the destinations, all multicast or all unicast (their {@code port} is the destination
     *     port; a unicast endpoint's {@code interfaceAddress} is the destination host)
     * @param encoder turns records into heaps
     * @param <T> the record type
     * @return a sink sending as fast as the network takes, 1472-byte packets, multicast TTL 1, no end heap
     * @throws IllegalArgumentException if there are no endpoints or they mix multicast and unicast
     */
    public static <T> SpeadSink<T> to(List<SpeadEndpoint> endpoints, HeapEncoder<T> encoder) {
        Objects.requireNonNull(encoder, "encoder");
        List<SpeadEndpoint> copy = List.copyOf(endpoints);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a SPEAD sink needs at least one endpoint");
        }
        boolean multicast = copy.getFirst().isMulticast();
        if (copy.stream().anyMatch(e -> e.isMulticast() != multicast)) {
            throw new IllegalArgumentException("endpoints mix multicast and unicast: " + copy);
        }
        return new SpeadSink<>(copy.toArray(new SpeadEndpoint[0]), encoder, 0, StreamConfig.DEFAULT_MAX_PACKET_SIZE, 1, false);
    }

    /**
     * Limits each writer's send rate (spead2's {@code rate}).
     *
     * @param bytesPerSecond the rate, 0 for unlimited
     * @return a sink with that rate
     */
    public SpeadSink<T> withRate(double bytesPerSecond) {
        if (!(bytesPerSecond >= 0)) {
            throw new IllegalArgumentException("rate must be >= 0, got " + bytesPerSecond);
        }
        return new SpeadSink<>(endpoints, encoder, bytesPerSecond, maxPacketSize, ttl, endOfStream);
    }

    /**
     * Sets the largest packet sent.
     *
     * @param bytes the size (see {@link StreamConfig})
     * @return a sink with that packet size
     * @throws IllegalArgumentException if a send stream would refuse the size
     */
    public SpeadSink<T> withMaxPacketSize(int bytes) {
        StreamConfig.DEFAULT.withMaxPacketSize(bytes); // throws IllegalArgumentException for a size the stream refuses
        return new SpeadSink<>(endpoints, encoder, rate, bytes, ttl, endOfStream);
    }

    /**
     * Sets the multicast TTL.
     *
     * @param hops 0 to 255 (0: never leaves the host)
     * @return a sink with that TTL
     */
    public SpeadSink<T> withTtl(int hops) {
        if (hops < 0 || hops > 255) {
            throw new IllegalArgumentException("ttl must be 0 to 255, got " + hops);
        }
        return new SpeadSink<>(endpoints, encoder, rate, maxPacketSize, hops, endOfStream);
    }

    /**
     * Makes each writer send an end-of-stream heap (stream-control STOP) to every endpoint when it closes.
     * With several writers sending to one receiver, the receiver stops at the first writer's end.
     *
     * @return a sink that ends its streams
     */
    public SpeadSink<T> withEndOfStream() {
        return new SpeadSink<>(endpoints, encoder, rate, maxPacketSize, ttl, true);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int index = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        return new Writer<>(this, index, parallelism);
    }

    /** One parallel writer: its own thread pool and UDP stream. */
    private static final class Writer<T> implements SinkWriter<T> {
        private final SpeadSink<T> sink;
        private final ThreadPool pool = new ThreadPool(1);
        private final UdpStream stream;

        Writer(SpeadSink<T> sink, int index, int parallelism) throws IOException {
            this.sink = sink;
            List<InetSocketAddress> targets = new ArrayList<>();
            for (SpeadEndpoint e : sink.endpoints) {
                targets.add(new InetSocketAddress(SpeadEndpoint.literal(e.isMulticast() ? e.group()
                        : e.interfaceAddress()), e.port()));
            }
            StreamConfig config = new StreamConfig().withMaxPacketSize(sink.maxPacketSize).withRate(sink.rate);
            try {
                SpeadEndpoint first = sink.endpoints[0];
                stream = first.isMulticast()
                        ? new UdpStream(pool, targets, config, UdpStream.DEFAULT_BUFFER_SIZE, sink.ttl,
                                SpeadEndpoint.literal(first.interfaceAddress()))
                        : new UdpStream(pool, targets, config);
            } catch (IOException | RuntimeException e) {
                pool.close();
                throw e;
            }
            stream.setCntSequence(index + 1L, parallelism);
        }

        @Override
        public void write(T element, Context context) throws IOException {
            Heap heap = sink.encoder.encode(element);
            int substream = sink.encoder.substream(element, sink.endpoints.length);
            if (substream < 0 || substream >= sink.endpoints.length) {
                throw new IllegalArgumentException("encoder chose substream " + substream + " of "
                        + sink.endpoints.length);
            }
            stream.sendHeap(heap, -1, substream);
        }

        @Override
        public void flush(boolean endOfInput) {
            // every heap was sent in write
        }

        @Override
        public void close() throws IOException {
            try {
                if (sink.endOfStream) {
                    for (int i = 0; i < sink.endpoints.length; i++) {
                        stream.sendHeap(new Heap().addEnd(), -1, i);
                    }
                }
            } finally {
                stream.close();
                pool.close();
            }
        }
    }
}
