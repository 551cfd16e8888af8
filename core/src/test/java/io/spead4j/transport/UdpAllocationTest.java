package io.spead4j.transport;

import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.UdpStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The UDP packet paths allocate nothing per packet: the sender's writer thread and the receiver's reader
 * thread together allocate only per-heap objects while thousands of datagrams go through.
 */
class UdpAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int HEAP_BYTES = 1 << 20;
    private static final int PACKET = 1472;

    /** @return bytes allocated so far by every spead4j pool thread alive */
    private static long poolAllocated() {
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("spead4j-pool")) {
                total += THREADS.getThreadAllocatedBytes(t.threadId());
            }
        }
        return total;
    }

    private static void sendAndReceive(UdpStream sender, Stream receiver, io.spead4j.send.Heap heap, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            sender.sendHeap(heap);
            // polled (not waited for through a future) so the test's waiting allocates nothing on the readers'
            // thread; the heap cannot be lost (see below), so this bound only turns a bug into a failure
            HeapBase h = null;
            for (int wait = 0; wait < 30_000 && h == null; wait++) {
                h = receiver.tryGet();
                if (h == null) {
                    Thread.sleep(1);
                }
            }
            assertThat(h).as("heap not received %s", receiver.getStats()).isInstanceOf(Heap.class);
            ((Heap) h).release();
        }
    }

    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void datagramsCostNoAllocationPerPacket(UdpPath path) throws Exception {
        path.run(() -> datagramsCostNoAllocationPerPacketOver(path, null, false));
    }

    /**
     * The same with monitoring on: every spead4j JFR event recorded (the periodic one every 10 ms), and a
     * monitor thread reading the statistics, drop reasons and gauges all the time.
     */
    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void datagramsCostNoAllocationPerPacketWithMonitoringOn(UdpPath path) throws Exception {
        try (jdk.jfr.consumer.RecordingStream recording = new jdk.jfr.consumer.RecordingStream()) {
            for (String event : List.of("io.spead4j.recv.HeapIncomplete", "io.spead4j.recv.PacketsRejected",
                    "io.spead4j.recv.RingFull", "io.spead4j.MemoryPoolEmpty", "io.spead4j.recv.ReaderFailed")) {
                recording.enable(event).withPeriod(Duration.ofMillis(10)).withoutThreshold();
            }
            recording.startAsync();
            path.run(() -> datagramsCostNoAllocationPerPacketOver(path, recording, false));
        }
    }

    /** Reads every monitoring view of a stream until interrupted. */
    private static Thread monitor(Stream receiver, MemoryPool pool) {
        return Thread.ofPlatform().daemon().name("test-monitor").start(() -> {
            long sink = 0;
            while (!Thread.currentThread().isInterrupted()) {
                sink += receiver.getStats().asMap().get("packets") + receiver.getDrops().total()
                        + receiver.ringbuffer().size() + pool.freeCount() + pool.emptyCount();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (sink == Long.MIN_VALUE) {
                System.out.println(sink);
            }
        });
    }

    /**
     * The same with every leniency option for hardware that bends SPEAD on: the lenient decode and the live-heap
     * lookup by (source, cnt), with the source passed by the reader in compact form, allocate nothing either.
     */
    @ParameterizedTest
    @EnumSource(UdpPath.class)
    void lenientReceivingCostsNoAllocationPerPacket(UdpPath path) throws Exception {
        path.run(() -> datagramsCostNoAllocationPerPacketOver(path, null, true));
    }

    private static void datagramsCostNoAllocationPerPacketOver(UdpPath path,
                                                               jdk.jfr.consumer.RecordingStream recording,
                                                               boolean lenient) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (ThreadPool rxPool = new ThreadPool(1); ThreadPool txPool = new ThreadPool(1)) {
                // one heap is in flight at a time: if the socket buffer holds a whole heap's datagrams (Linux
                // charges a 1472-byte datagram about 2304 bytes), loopback cannot lose any of them
                int granted;
                try (DatagramChannel probe = DatagramChannel.open()) {
                    probe.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
                    granted = probe.getOption(java.net.StandardSocketOptions.SO_RCVBUF);
                }
                Assumptions.assumeTrue(granted >= 2 * HEAP_BYTES + (1 << 16), () -> "this machine grants a UDP "
                        + "socket only " + granted + " bytes of receive buffer (net.core.rmem_max), too few to hold "
                        + "a " + HEAP_BYTES + "-byte heap's datagrams without loss");
                MemoryPool memoryPool = new MemoryPool(HEAP_BYTES, HEAP_BYTES, 4, 2);
                StreamConfig config = new StreamConfig().withMemoryAllocator(memoryPool).withLenientHardware(lenient);
                try (Stream receiver = new Stream(rxPool, config, new RingStreamConfig())) {
                    Thread monitor = recording == null ? null : monitor(receiver, memoryPool);
                    InetSocketAddress to = path.addReader(receiver, InetAddress.getLoopbackAddress(), 9200, 4 << 20);
                    UdpStream sender = new UdpStream(txPool, List.of(to),
                            io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(PACKET).withRate(100e6));
                    MemorySegment payload = Arena.ofAuto().allocate(HEAP_BYTES);
                    io.spead4j.send.Heap heap = new io.spead4j.send.Heap().addItem(0x1000, payload, false);
                    sendAndReceive(sender, receiver, heap, 60); // warm up: threads, buffers, JIT (downcalls allocate until compiled)
                    long before = poolAllocated();
                    long packetsBefore = receiver.getStats().packets();
                    int heaps = 20;
                    sendAndReceive(sender, receiver, heap, heaps);
                    long allocated = poolAllocated() - before;
                    long packets = receiver.getStats().packets() - packetsBefore;
                    assertThat(packets).isGreaterThan(heaps * 700L);
                    // per-heap objects (futures, generators, live heaps, received heaps) are allowed; a single
                    // object per packet (16+ bytes) on either side would exceed this
                    assertThat(allocated).as("bytes allocated for %d packets", packets).isLessThan(packets * 8);
                    if (monitor != null) {
                        monitor.interrupt();
                        monitor.join();
                    }
                    receiver.stop();
                    sender.close();
                }
            }
        });
    }
}
