package io.spead4j.examples;

import io.spead4j.DType;
import io.spead4j.Flavour;
import io.spead4j.Format;
import io.spead4j.NdArray;
import io.spead4j.ThreadPool;
import io.spead4j.send.ItemGroup;
import io.spead4j.send.StreamConfig;
import io.spead4j.send.UdpStream;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Sends heaps of ADC samples over UDP, as spead2's {@code tutorial/tut_2_send}: an {@link ItemGroup} with a
 * timestamp and an array of {@code int8} samples, one heap per block of samples at 100 MB/s, then the
 * end-of-stream heap.
 *
 * <pre>{@code
 * java -p <module path> -m io.spead4j.examples/io.spead4j.examples.SendExample [HOST [PORT [HEAPS [HEAP_SIZE]]]]
 * }</pre>
 * Defaults: {@code 127.0.0.1 8888 10 1048576}. Receive with {@link RecvExample}, {@link RecvPowerExample},
 * {@link RecvChunkRingExample} (with {@code HEAP_SIZE} 65536) or {@code spead2_recv}.
 */
public final class SendExample {
    private SendExample() {
    }

    /**
     * Sends the heaps.
     *
     * @param args host, port, number of heaps and samples per heap, all optional
     * @throws IOException if the socket cannot be opened or a heap cannot be sent
     */
    public static void main(String[] args) throws IOException {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8888;
        int heaps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int heapSize = args.length > 3 ? Integer.parseInt(args[3]) : 1024 * 1024;

        DType int8 = DType.parse("|i1");
        try (ThreadPool threadPool = new ThreadPool();
             UdpStream stream = new UdpStream(threadPool, List.of(new InetSocketAddress(host, port)),
                     new StreamConfig().withRate(100e6))) {
            ItemGroup itemGroup = new ItemGroup();
            itemGroup.addItem(0x1600L, "timestamp", "Index of the first sample", new long[0],
                    Format.of('u', Flavour.DEFAULT.heapAddressBits()), null);
            itemGroup.addItem(0x3300L, "adc_samples", "ADC converter output", new long[] {heapSize}, int8,
                    NdArray.Order.C, null);

            SplittableRandom random = new SplittableRandom();
            for (int i = 0; i < heaps; i++) {
                byte[] samples = new byte[heapSize];
                for (int j = 0; j < heapSize; j++) {
                    samples[j] = (byte) random.nextInt(-100, 100);
                }
                itemGroup.get("timestamp").setValue((long) i * heapSize);
                itemGroup.get("adc_samples").setValue(NdArray.wrap(int8, new long[] {heapSize}, NdArray.Order.C,
                        samples));
                stream.sendHeap(itemGroup.getHeap());
            }
            stream.sendHeap(itemGroup.getEnd());
        }
        System.out.println("Sent " + heaps + " heaps to " + host + ":" + port);
    }
}
