package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.recv.TestAllocator.InjectedError;
import io.spead4j.recv.TestAllocator.Kind;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream.Builder;

import static io.spead4j.recv.TestPackets.concat;
import static io.spead4j.recv.TestPackets.packet;
import static io.spead4j.recv.TestPackets.singleHeap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A reader killed by an {@link Error} (here thrown by a broken user allocator or heap callback) stops its
 * stream: consumers blocked in {@code get()} or iteration return, the cause is visible through
 * {@link StreamBase#failure()} and as the cause of {@link StoppedException}, and {@code stop()}/{@code close()}
 * return, also when the error is thrown by the flush of a stop. Each used to hang forever, hence the timeouts
 * (no test measures time).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReaderFailureTest {
    private static final ThreadPool pool = TestPools.shared();

    /** A live source of packets feeding one reader of a stream. */
    private interface Source extends AutoCloseable {
        void send(byte[] packet) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** The transports whose readers are killed. */
    enum Transport {
        INPROC {
            @Override
            Source attach(StreamBase stream) {
                InprocQueue queue = new InprocQueue();
                stream.addInprocReader(queue);
                return new Source() {
                    @Override
                    public void send(byte[] p) {
                        queue.addPacket(p);
                    }

                    @Override
                    public void close() {
                        queue.stop();
                    }
                };
            }
        },
        CHANNEL {
            @Override
            Source attach(StreamBase stream) throws IOException {
                Pipe pipe = Pipe.open();
                stream.addChannelReader(pipe.source());
                return new Source() {
                    @Override
                    public void send(byte[] p) throws IOException {
                        writeFully(pipe.sink(), p);
                    }

                    @Override
                    public void close() throws IOException {
                        pipe.sink().close();
                    }
                };
            }
        },
        TCP {
            @Override
            Source attach(StreamBase stream) throws IOException {
                ServerSocketChannel server = ServerSocketChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
                stream.addTcpReader(server);
                SocketChannel client = SocketChannel.open(address);
                return new Source() {
                    @Override
                    public void send(byte[] p) throws IOException {
                        writeFully(client, p);
                    }

                    @Override
                    public void close() throws IOException {
                        client.close();
                    }
                };
            }
        },
        UDP {
            @Override
            Source attach(StreamBase stream) throws IOException {
                DatagramChannel receiver = DatagramChannel.open()
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                InetSocketAddress address = (InetSocketAddress) receiver.getLocalAddress();
                stream.addUdpReader(receiver);
                DatagramChannel sender = DatagramChannel.open();
                return new Source() {
                    @Override
                    public void send(byte[] p) throws IOException {
                        sender.send(ByteBuffer.wrap(p), address);
                    }

                    @Override
                    public void close() throws IOException {
                        sender.close();
                    }
                };
            }
        };

        abstract Source attach(StreamBase stream) throws IOException;

        private static void writeFully(java.nio.channels.WritableByteChannel channel, byte[] p) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(p);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
    }

    static java.util.stream.Stream<Arguments> transportsAndAllocators() {
        Builder<Arguments> all = java.util.stream.Stream.builder();
        for (Transport t : Transport.values()) {
            for (Kind k : Kind.values()) {
                all.add(Arguments.of(t, k));
            }
        }
        return all.build();
    }

    private static Stream ringStream(TestAllocator allocator) {
        return new Stream(pool, new StreamConfig().withMemoryAllocator(allocator), new RingStreamConfig(4, true,
                false));
    }

    /** The first packet of a two-packet heap: it stays live until the stream is flushed. */
    private static byte[] halfHeap(long cnt) {
        return packet(cnt).heapLength(200).offset(0).address(0x1000, 0).payload(100, 1).build();
    }

    private static void assertStoppedBy(Stream stream, Throwable cause) {
        assertThat(stream.failure()).containsSame(cause);
        assertThatThrownBy(stream::get).isInstanceOf(StoppedException.class).hasCause(cause);
        assertThatThrownBy(stream::tryGet).isInstanceOf(StoppedException.class).hasCause(cause);
        assertThatThrownBy(() -> stream.getAsync().join()).cause().isInstanceOf(StoppedException.class)
                .hasCause(cause);
    }

    /** Waits until a thread blocks (parks), so what follows happens while it waits. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            Thread.sleep(1);
        }
    }

    @ParameterizedTest(name = "{0} reader, {1} allocator")
    @MethodSource("transportsAndAllocators")
    void anErrorThatKillsAReaderEndsTheIterationOfABlockedConsumer(Transport transport, Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.failingAllocation(kind, 3);
        List<Long> received = new ArrayList<>();
        Stream stream = ringStream(allocator);
        try (Source source = transport.attach(stream)) {
            source.send(singleHeap(1, 8));
            source.send(singleHeap(2, 8));
            for (HeapBase heap : stream) {
                received.add(heap.cnt());
                ((Heap) heap).release();
                if (heap.cnt() == 2) {
                    source.send(singleHeap(3, 8)); // its allocation throws; the iteration then waits
                }
            }
        }
        assertThat(received).containsExactly(1L, 2L);
        assertThat(stream.isStopped()).isTrue();
        assertStoppedBy(stream, allocator.error);
        stream.stop();
        stream.close();
        stream.awaitStopped();
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anErrorInABufferReaderStopsTheStream(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.failingAllocation(kind, 2);
        Stream stream = ringStream(allocator);
        stream.addBufferReader(concat(singleHeap(1, 8), singleHeap(2, 8), singleHeap(3, 8)));
        List<Long> received = new ArrayList<>();
        for (HeapBase heap : stream) {
            received.add(heap.cnt());
            ((Heap) heap).release();
        }
        assertThat(received).containsExactly(1L);
        assertStoppedBy(stream, allocator.error);
        stream.close();
        stream.close();
        assertThat(allocator.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anErrorInTheFlushAtTheEndOfTheDataStillStopsTheStreamAndWakesTheConsumer(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.failingFree(kind); // the flushed incomplete heap's free throws
        InprocQueue queue = new InprocQueue();
        Stream stream = ringStream(allocator);
        stream.addInprocReader(queue);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread consumer = Thread.ofPlatform().daemon().start(() -> {
            try {
                outcome.complete(new AssertionError("got heap " + stream.get().cnt()));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        awaitParked(consumer);
        queue.addPacket(halfHeap(1));
        queue.stop(); // the stream flushes heap 1 (incomplete: dropped, freed: throws) and stops
        assertThat(outcome.get()).isInstanceOf(StoppedException.class).hasCause(allocator.error);
        stream.awaitStopped();
        assertStoppedBy(stream, allocator.error);
        stream.stop();
        stream.stop();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anErrorInTheFlushOfAUserStopStillStopsTheStream(Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InprocQueue queue = new InprocQueue();
        InjectedError error = new InjectedError("callback failed");
        List<Long> seen = new ArrayList<>();
        CallbackStream stream = new CallbackStream(pool, new StreamConfig().withMemoryAllocator(allocator)) {
            @Override
            protected void heapReady(HeapBase heap) {
                seen.add(heap.cnt());
                if (!heap.isContiguous()) {
                    throw error;
                }
                ((Heap) heap).release();
            }
        };
        stream.addInprocReader(queue);
        queue.addPacket(singleHeap(1, 8));
        queue.addPacket(halfHeap(2));
        while (stream.getStats().packets() < 2) {
            Thread.sleep(1);
        }
        stream.stop(); // flushes heap 2 into the callback, which throws
        assertThat(stream.isStopped()).isTrue();
        stream.awaitStopped();
        stream.stop();
        stream.close();
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(stream.failure()).containsSame(error);
        assertThat(allocator.outstanding()).isZero(); // the incomplete heap had released its memory
    }

    @ParameterizedTest(name = "{0} reader, {1} allocator")
    @MethodSource("transportsAndAllocators")
    void anErrorFromAHeapCallbackStopsTheStream(Transport transport, Kind kind) throws Exception {
        TestAllocator allocator = TestAllocator.counting(kind);
        InjectedError error = new InjectedError("callback failed");
        List<Long> seen = new ArrayList<>();
        CallbackStream stream = new CallbackStream(pool, new StreamConfig().withMemoryAllocator(allocator)) {
            @Override
            protected void heapReady(HeapBase heap) {
                ((Heap) heap).release();
                seen.add(heap.cnt());
                if (heap.cnt() == 2) {
                    throw error;
                }
            }
        };
        try (Source source = transport.attach(stream)) {
            source.send(singleHeap(1, 8));
            source.send(singleHeap(2, 8));
            stream.awaitStopped();
        }
        assertThat(seen).containsExactly(1L, 2L);
        assertThat(stream.failure()).containsSame(error);
        stream.stop();
        stream.close();
        assertThat(allocator.outstanding()).isZero();
    }
}
