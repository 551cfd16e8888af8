package io.spead4j.examples;

import io.spead4j.ItemGroup;
import io.spead4j.MemoryPool;
import io.spead4j.NdArray;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives the heaps of {@link SendExample} into a right-sized {@link MemoryPool} and prints the mean power of
 * each heap's samples, as spead2's {@code tutorial/tut_9_recv_memory_pool}: with at most 2 heaps being
 * assembled and 2 waiting in the ring, a pool of 5 buffers of one heap (plus room for descriptors) is all the
 * stream ever needs, allocated once.
 *
 * <pre>{@code
 * java --enable-native-access=io.spead4j -p <module path> -m io.spead4j.examples/io.spead4j.examples.RecvPowerExample [PORT [HEAP_SIZE]]
 * }</pre>
 * Defaults: port 8888 on 127.0.0.1 (0: any free port), heaps of 1048576 samples. The first line says where
 * it listens.
 */
public final class RecvPowerExample {
    private RecvPowerExample() {
    }

    /**
     * Receives until the sender ends the stream.
     *
     * @param args port and samples per heap, both optional
     * @throws IOException if the socket cannot be opened
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        int heapSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024 * 1024;

        StreamConfig config = new StreamConfig().withMaxHeaps(2);
        RingStreamConfig ringConfig = new RingStreamConfig().withHeaps(2);
        int poolHeaps = config.maxHeaps() + ringConfig.heaps() + 1;
        config = config.withMemoryAllocator(new MemoryPool(0, heapSize + 8192, poolHeaps, poolHeaps));
        try (ThreadPool threadPool = new ThreadPool();
             Stream stream = new Stream(threadPool, config, ringConfig)) {
            stream.addUdpReader(port, StreamBase.DEFAULT_UDP_MAX_SIZE, StreamBase.DEFAULT_UDP_BUFFER_SIZE,
                    "127.0.0.1");
            System.out.println("Listening on " + stream.localAddresses().getFirst());
            System.out.flush();

            ItemGroup itemGroup = new ItemGroup();
            int heaps = 0;
            for (HeapBase received : stream) {
                if (!(received instanceof Heap heap)) {
                    continue;                                   // an incomplete heap: some packets were lost
                }
                itemGroup.update(heap);
                heap.release();
                long timestamp = ((Number) itemGroup.get("timestamp").value()).longValue();
                double power = meanPower((NdArray) itemGroup.get("adc_samples").value());
                System.out.printf("Timestamp: %-10d Power: %.2f%n", timestamp, power);
                heaps++;
            }
            System.out.println("Received " + heaps + " heaps");
        }
    }

    /** @return the mean of the squares of the samples @param samples a one-dimensional {@code int8} array */
    static double meanPower(NdArray samples) {
        ByteBuffer bytes = samples.buffer();
        long total = 0;
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            long sample = bytes.get(i);
            total += sample * sample;
        }
        return (double) total / bytes.remaining();
    }
}
