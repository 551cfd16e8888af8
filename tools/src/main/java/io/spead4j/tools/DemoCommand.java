package io.spead4j.tools;

import io.spead4j.Complex;
import io.spead4j.DType;
import io.spead4j.Flavour;
import io.spead4j.Format;
import io.spead4j.InprocQueue;
import io.spead4j.Item;
import io.spead4j.NdArray;
import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.StreamStats;
import io.spead4j.send.InprocStream;
import io.spead4j.send.ItemGroup;
import io.spead4j.send.StreamConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code spead4j demo}: an end-to-end run over the in-process transport. A sender describes a few items
 * (a 40-bit timestamp, a float32 matrix, a complex value, a text label), sends heaps of changing values
 * through {@link InprocStream} into an {@link InprocQueue}, and a receive stream reading that queue decodes
 * them into an {@link io.spead4j.ItemGroup}; each heap's updates and the final stream stats are printed.
 * Then a short tour of the tools: {@code send} into a capture, {@code recv --verify} from it,
 * {@code dump --decode} of it and {@code bench inproc}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End-to-end demo over the in-process transport: send described items, receive, print")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--heaps", defaultValue = "5", description = "data heaps to send (default ${DEFAULT-VALUE})")
    private int heaps;

    @Option(names = "--addr-bits", defaultValue = "48", description = "heap address bits (default ${DEFAULT-VALUE})")
    private int addressBits;

    @Option(names = "--no-tools", description = "skip the tour of the tools after the in-process demo")
    private boolean noTools;

    @Override
    public Integer call() throws Exception {
        if (heaps < 1) {
            throw new IllegalArgumentException("--heaps must be at least 1");
        }
        PrintStream out = System.out;
        Flavour flavour = Flavour.of(addressBits);
        InprocQueue queue = new InprocQueue();
        try (ThreadPool pool = new ThreadPool(2);
             io.spead4j.recv.Stream receiver = new io.spead4j.recv.Stream(pool)) {
            receiver.addInprocReader(queue);

            ItemGroup sendItems = new ItemGroup(0, flavour);
            Item timestamp = sendItems.addItem(null, "timestamp", "sample counter", new long[0], Format.of('u', 40), 0L);
            DType f4 = DType.parse("<f4");
            Item matrix = sendItems.addItem(null, "matrix", "a 3x4 float32 matrix", new long[] {3, 4}, f4,
                    NdArray.Order.C, null);
            Item gain = sendItems.addItem(null, "gain", "complex gain", new long[0], DType.parse("<c8"),
                    NdArray.Order.C, new Complex(1.0, -0.5));
            Item label = sendItems.addItem(null, "label", "free text", new long[] {-1}, Format.of('c', 8), "demo");
            out.printf("Sending %d heaps (%s) through an in-process queue%n", heaps, flavour);
            try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
                sender.sendHeap(sendItems.getStart());
                for (int i = 0; i < heaps; i++) {
                    timestamp.setValue(1_000_000L * (i + 1));
                    double[] values = new double[12];
                    for (int k = 0; k < values.length; k++) {
                        values[k] = i + k / 10.0;
                    }
                    matrix.setValue(NdArray.ofDoubles(f4, new long[] {3, 4}, values));
                    if (i == heaps - 1) {
                        gain.setValue(new Complex(0.5, 0.25));
                        label.setValue("last heap");
                    }
                    sender.sendHeap(sendItems.getHeap());
                }
                sender.sendHeap(sendItems.getEnd());
            }
            queue.stop();

            io.spead4j.ItemGroup received = new io.spead4j.ItemGroup();
            int count = 0;
            for (HeapBase heap : receiver) {
                count++;
                if (!(heap instanceof io.spead4j.recv.Heap complete)) {
                    out.printf("Heap %d arrived incomplete%n", heap.cnt());
                    continue;
                }
                io.spead4j.ItemGroup.Updates updates = received.update(complete);
                out.printf("Received heap %d%s: %d descriptors, updated %s%n", heap.cnt(),
                        heap.isStartOfStream() ? " (start of stream)" : "", complete.descriptors().size(),
                        updates.keySet());
                for (Map.Entry<String, Item> e : updates.entrySet()) {
                    out.printf("  %-9s = %s%n", e.getKey(), show(e.getValue()));
                }
                updates.errors().forEach(f -> out.println("  failed: " + f));
            }
            out.printf("Received %d heaps%n", count);
            StreamStats stats = receiver.getStats();
            out.print(stats);
        }
        return noTools ? 0 : toolsTour(out);
    }

    /**
     * Runs the tools as a user would: spead2_send-style verified heaps written to a capture, received back
     * from it with verification, the capture's packets decoded, and a short in-process benchmark.
     */
    private static int toolsTour(PrintStream out) throws java.io.IOException {
        Path dir = Files.createTempDirectory("spead4j-demo");
        Path capture = dir.resolve("demo.pcap");
        try {
            String[][] steps = {
                {"send", "--heaps", "4", "--heap-size", "4096", "--items", "2", "--verify", "--pcap",
                    capture.toString(), "127.0.0.1:8888"},
                {"recv", "--verify", "--quiet", capture.toString()},
                {"dump", "--decode", capture.toString()},
                {"bench", "inproc", "--bytes", "134217728"},
            };
            for (String[] step : steps) {
                out.println();
                out.println("$ spead4j " + String.join(" ", step));
                out.flush();
                int status = Main.run(step);
                if (status != 0) {
                    return status;
                }
            }
            return 0;
        } finally {
            Files.deleteIfExists(capture);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * An item's value as the demo prints it: float32 arrays as floats, other arrays as nested lists, and 64-bit
     * unsigned integers (a {@code u8} dtype or a {@code ('u', 64)} format) as unsigned numbers, which Java holds
     * in a signed {@code long}.
     *
     * @param item the item
     * @return the text
     */
    static String show(Item item) {
        Object value = item.value();
        if (value instanceof NdArray a && a.dtype().kind() == 'f' && a.dtype().itemsize() == 4) {
            double[] wide = a.toDoubleArray();
            float[] narrow = new float[wide.length];
            for (int i = 0; i < wide.length; i++) {
                narrow[i] = (float) wide[i];
            }
            return a.dtype() + " shape " + Arrays.toString(a.shape()) + " " + Arrays.toString(narrow);
        }
        if (value instanceof NdArray a) {
            Object nested = a.toNested();
            return a.dtype() + " shape " + Arrays.toString(a.shape()) + " "
                    + (isUnsigned64(a.dtype()) ? unsigned(nested) : nested);
        }
        return String.valueOf(isUnsigned64(item.internalDType()) ? unsigned(value) : value);
    }

    private static boolean isUnsigned64(DType dtype) {
        return dtype != null && dtype.kind() == 'u' && dtype.itemsize() == 8;
    }

    /** Replaces every {@code Long} in a value (nested lists included) by its unsigned 64-bit value. */
    private static Object unsigned(Object value) {
        if (value instanceof Long l) {
            return new java.math.BigInteger(Long.toUnsignedString(l));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(DemoCommand::unsigned).toList();
        }
        return value;
    }
}
