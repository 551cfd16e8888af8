package io.spead4j.examples;

import io.spead4j.Item;
import io.spead4j.ItemGroup;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;

import java.io.IOException;

/**
 * Receives heaps over UDP into buffers of a {@link MemoryPool} and prints every item of every heap, as
 * spead2's {@code recv_example}, until the end-of-stream heap.
 *
 * <pre>{@code
 * java --enable-native-access=io.spead4j -p <module path> -m io.spead4j.examples/io.spead4j.examples.RecvExample [PORT [BIND_HOST]]
 * }</pre>
 * Defaults: port 8888 on 127.0.0.1; port 0 takes any free port. The first line says where it listens.
 */
public final class RecvExample {
    private RecvExample() {
    }

    /**
     * Receives until the sender ends the stream.
     *
     * @param args port and local address to bind, both optional
     * @throws IOException if the socket cannot be opened
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
        String bindHost = args.length > 1 ? args[1] : "127.0.0.1";

        // buffers of 25 MiB for heaps of 16 KiB and more: 8 made up front, up to 12 kept (spead2's numbers)
        StreamConfig config = new StreamConfig().withMemoryAllocator(new MemoryPool(16384, 26214400, 12, 8));
        try (ThreadPool threadPool = new ThreadPool();
             Stream stream = new Stream(threadPool, config)) {
            stream.addUdpReader(port, StreamBase.DEFAULT_UDP_MAX_SIZE, StreamBase.DEFAULT_UDP_BUFFER_SIZE,
                    bindHost);
            System.out.println("Listening on " + stream.localAddresses().getFirst());
            System.out.flush();

            ItemGroup itemGroup = new ItemGroup();
            int heaps = 0;
            for (HeapBase received : stream) {
                if (!(received instanceof Heap heap)) {
                    continue;                                   // an incomplete heap: some packets were lost
                }
                System.out.println("Got heap " + heap.cnt());
                for (Item item : itemGroup.update(heap).values()) {
                    System.out.println(heap.cnt() + " " + item.name() + " " + item.value());
                }
                heap.release();                                 // values are copies: the buffer goes back
                heaps++;
            }
            System.out.println("Received " + heaps + " heaps");
        }
    }
}
