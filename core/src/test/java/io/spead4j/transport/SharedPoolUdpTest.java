package io.spead4j.transport;

import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.UdpStream;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * spead2's threading model: many native UDP readers of many streams share the few threads of one pool. Sixteen
 * streams, each with a UDP reader on 127.0.0.1, on a pool of one thread: every heap arrives, and the pool
 * runs exactly one thread (a thread per reader would make sixteen).
 */
class SharedPoolUdpTest {
    private static final int STREAMS = 16;
    private static final Pattern POOL_THREAD = Pattern.compile("spead4j-pool(\\d+)-.*");

    /** @return the live threads of spead4j pools */
    private static Set<Thread> poolThreads() {
        Set<Thread> threads = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && POOL_THREAD.matcher(t.getName()).matches()) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    void sixteenUdpReadersShareTheOneThreadOfTheirPool() throws Exception {
        UdpPath.NATIVE.run(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), SharedPoolUdpTest::sixteenReaders));
    }

    private static void sixteenReaders() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        MemorySegment payload = Arena.ofAuto().allocate(20_000);
        try (ThreadPool txPool = new ThreadPool(1)) {
            Set<Thread> before = poolThreads();
            List<Stream> streams = new ArrayList<>();
            List<InetSocketAddress> endpoints = new ArrayList<>();
            try (ThreadPool rxPool = new ThreadPool(1)) {
                for (int i = 0; i < STREAMS; i++) {
                    Stream s = new Stream(rxPool, new StreamConfig(), new RingStreamConfig());
                    streams.add(s);
                    endpoints.add(UdpPath.NATIVE.addReader(s, loopback, 9200, 1 << 20));
                }
                UdpStream sender = new UdpStream(txPool, endpoints,
                        io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(1472).withRate(200e6));
                for (int i = 0; i < STREAMS; i++) {
                    payload.fill((byte) i);
                    sender.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, payload, false), i + 1, i);
                }
                for (int i = 0; i < STREAMS; i++) {
                    HeapBase h = streams.get(i).get();
                    assertThat(h).as("heap of stream %d", i).isInstanceOf(Heap.class);
                    assertThat(h.cnt()).isEqualTo(i + 1);
                    java.nio.ByteBuffer received = h.items().stream().filter(it -> it.id() == 0x1000)
                            .findFirst().orElseThrow().value();
                    assertThat(received.remaining()).isEqualTo((int) payload.byteSize());
                    assertThat(received.get(received.limit() - 1)).isEqualTo((byte) i);
                    ((Heap) h).release();
                }
                // the threads that appeared since the sender's pool was made, by pool: the receive pool was
                // made last, so its threads are those of the highest pool number
                Map<Integer, Integer> newThreads = new TreeMap<>();
                for (Thread t : poolThreads()) {
                    if (!before.contains(t)) {
                        Matcher m = POOL_THREAD.matcher(t.getName());
                        assertThat(m.matches()).isTrue();
                        newThreads.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
                    }
                }
                assertThat(newThreads).isNotEmpty();
                int rxThreads = ((TreeMap<Integer, Integer>) newThreads).lastEntry().getValue();
                assertThat(rxThreads).as("live threads of the receive pool (%s) serving %d UDP readers",
                        newThreads, STREAMS).isEqualTo(1);
                sender.close();
                for (Stream s : streams) {
                    s.stop();
                }
            }
            // stop released every socket: each port can be bound again (the loop closes them promptly)
            for (InetSocketAddress at : endpoints) {
                while (true) {
                    try (DatagramChannel again = DatagramChannel.open()) {
                        again.bind(at);
                        break;
                    } catch (java.net.BindException e) {
                        Thread.sleep(5);
                    }
                }
            }
        }
    }

    @Test
    void oneThreadServesSendersAndReadersTogether() throws Exception {
        UdpPath.NATIVE.run(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), SharedPoolUdpTest::sendersAndReaders));
    }

    /** Four UDP senders and four UDP readers on a pool of one thread: every heap arrives, one thread runs. */
    private static void sendersAndReaders() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        Set<Thread> before = poolThreads();
        List<Stream> streams = new ArrayList<>();
        List<UdpStream> senders = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(1)) {
            for (int i = 0; i < 4; i++) {
                Stream s = new Stream(pool, new StreamConfig(), new RingStreamConfig());
                streams.add(s);
                InetSocketAddress at = UdpPath.NATIVE.addReader(s, loopback, 9200, 4 << 20);
                // unlimited and rate-limited writers: the limited ones wait on the loop's timer
                senders.add(new UdpStream(pool, List.of(at), io.spead4j.send.StreamConfig.DEFAULT
                        .withMaxPacketSize(1472).withRate(i % 2 == 0 ? 0.0 : 500e6)));
            }
            List<java.util.concurrent.CompletableFuture<Long>> sent = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 4; i++) {
                    MemorySegment data = Arena.ofAuto().allocate(100_000); // sent without a copy: one each
                    data.fill((byte) (16 * round + i));
                    sent.add(senders.get(i).sendHeapAsync(new io.spead4j.send.Heap().addItem(0x1000, data, false),
                            round + 1));
                }
                for (int i = 0; i < 4; i++) {
                    HeapBase h = streams.get(i).get();
                    assertThat(h).as("round %d, stream %d: %s", round, i, streams.get(i).getStats())
                            .isInstanceOf(Heap.class);
                    assertThat(h.cnt()).isEqualTo(round + 1);
                    java.nio.ByteBuffer received = h.items().stream().filter(it -> it.id() == 0x1000)
                            .findFirst().orElseThrow().value();
                    assertThat(received.remaining()).isEqualTo(100_000);
                    assertThat(received.get(0)).isEqualTo((byte) (16 * round + i));
                    ((Heap) h).release();
                }
            }
            for (java.util.concurrent.CompletableFuture<Long> f : sent) {
                assertThat(f.get()).isPositive();
            }
            List<String> threads = new ArrayList<>();
            for (Thread t : poolThreads()) {
                if (!before.contains(t)) {
                    threads.add(t.getName());
                }
            }
            assertThat(threads).as("threads of the pool serving 4 UDP readers and 4 UDP writers").hasSize(1);
            for (UdpStream sender : senders) {
                sender.close();
            }
            for (Stream s : streams) {
                s.stop();
            }
        }
    }

    @Test
    void aWriterStartedBeforeThePoolClosedIsStillServed() throws Exception {
        UdpPath.NATIVE.run(() -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            MemorySegment payload = Arena.ofAuto().allocate(5000);
            try (ThreadPool rxPool = new ThreadPool(1)) {
                Stream receiver = new Stream(rxPool, new StreamConfig(), new RingStreamConfig());
                InetSocketAddress at = UdpPath.NATIVE.addReader(receiver, loopback, 9200, 1 << 20);
                ThreadPool txPool = new ThreadPool(1);
                ThreadPool.Loop loop = txPool.nextEventLoop();
                UdpStream sender = new UdpStream(txPool, List.of(at), io.spead4j.send.StreamConfig.DEFAULT);
                sender.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, payload, false));
                txPool.close(); // as before event loops: closing the pool cuts off no running writer
                sender.sendHeap(new io.spead4j.send.Heap().addItem(0x1000, payload, false));
                assertThat(receiver.get().cnt()).isEqualTo(1);
                assertThat(receiver.get().cnt()).isEqualTo(2);
                assertThat(loop.hasEnded()).isFalse();
                sender.close(); // the last user gone, the loop ends
                while (!loop.hasEnded()) {
                    Thread.sleep(1);
                }
                receiver.stop();
            }
        }));
    }
}
