package consumer;

import io.spead4j.DType;
import io.spead4j.Format;
import io.spead4j.InprocQueue;
import io.spead4j.ItemGroup;
import io.spead4j.NdArray;
import io.spead4j.Spead4j;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.send.InprocStream;
import io.spead4j.send.StreamConfig;
import io.spead4j.send.UdpStream;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program outside the spead4j build that uses the installed spead4j-core as any project would (copied into
 * a throwaway Maven project by .ci/consumer-check.sh, once on the module path and once on the class path).
 * It sends an ItemGroup heap through the in-process transport and over UDP on loopback, receives both, checks
 * the values and prints what it found; any mismatch throws (exit status 1).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("consumer module: " + moduleName(Main.class));
        System.out.println("spead4j module: " + moduleName(ThreadPool.class));
        System.out.println("spead4j version: " + Spead4j.VERSION);

        try (ThreadPool pool = new ThreadPool(1)) {
            InprocQueue queue = new InprocQueue();
            try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
                sendHeaps(sender);
            }
            queue.stop();
            try (Stream receiver = new Stream(pool)) {
                receiver.addInprocReader(queue);
                System.out.println("inproc: " + receiveHeap(receiver));
            }

            System.out.println("event loops: " + pool.hasEventLoops());
            try (Stream receiver = new Stream(pool)) {
                receiver.addUdpReader(0, StreamBase.DEFAULT_UDP_MAX_SIZE, 0, "127.0.0.1");
                InetSocketAddress at = receiver.localAddresses().getFirst();
                try (UdpStream sender = new UdpStream(pool, List.of(at), new StreamConfig())) {
                    sendHeaps(sender);
                }
                System.out.println("udp: " + receiveHeap(receiver));
            }
        }
    }

    private static void sendHeaps(io.spead4j.send.Stream sender) throws Exception {
        var items = new io.spead4j.send.ItemGroup();
        items.addItem(0x1600L, "timestamp", "sync time", new long[0], Format.of('u', 40), 1234567L);
        items.addItem(0x1601L, "data", "matrix", new long[] {4, 3}, DType.parse("<i4"), NdArray.Order.C,
                NdArray.ofLongs(DType.parse("<i4"), new long[] {4, 3}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
        sender.sendHeap(items.getHeap());
        sender.sendHeap(items.getEnd());
    }

    /** @return what the first heap held, after checking it */
    private static String receiveHeap(Stream receiver) throws Exception {
        HeapBase first = receiver.getAsync().get(60, TimeUnit.SECONDS);
        if (!(first instanceof Heap heap)) {
            throw new IllegalStateException("expected a complete heap, got " + first);
        }
        ItemGroup items = new ItemGroup();
        items.update(heap);
        heap.release();
        long timestamp = ((Number) items.get("timestamp").value()).longValue();
        NdArray data = (NdArray) items.get("data").value();
        if (timestamp != 1234567L || data.size() != 12 || data.getLong(3, 2) != 11) {
            throw new IllegalStateException("wrong values: timestamp " + timestamp + ", data " + data);
        }
        return "heap " + heap.cnt() + " timestamp " + timestamp + " data " + data.size() + " elements, last "
                + data.getLong(3, 2);
    }

    private static String moduleName(Class<?> type) {
        Module module = type.getModule();
        return module.isNamed() ? module.getName() : "unnamed";
    }
}
