package io.spead4j.tools;

import io.spead4j.Descriptor;
import io.spead4j.FormatEntry;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.recv.CallbackStream;
import io.spead4j.recv.DropCounts;
import io.spead4j.recv.DropReason;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import io.spead4j.recv.StreamStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code spead4j recv}: spead2_recv. Receives from UDP or TCP endpoints or pcap files and prints each heap,
 * its descriptors and items, and the stream statistics, exactly as spead2_recv prints them. Ctrl-C stops
 * the streams and prints the totals. When the console is a terminal (and without {@code --quiet}), a live
 * progress line (heaps, heaps/s, Gb/s, drops by reason) is rewritten on stderr about once a second.
 * {@code --stats-json} adds a last line of JSON with the statistics and drop reasons, for scripts.
 */
@Command(name = "recv", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Receive SPEAD heaps and print them (spead2_recv)")
final class RecvCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RecvCommand.class);

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--quiet", description = "Only show total of heaps received")
    boolean quiet;

    @Option(names = "--descriptors", description = "Show descriptors")
    boolean descriptors;

    @Option(names = "--joint", description = "Treat all sources as a single stream")
    boolean joint;

    @Option(names = "--threads", paramLabel = "N", description = {
        "Number of worker threads (default ${DEFAULT-VALUE}): as in spead2, the readers of every stream share",
        "them (native UDP readers; other sources still take a thread each)."})
    int threads = 1;

    @Option(names = "--verify", description = {"Verify payload (use spead4j send with the same option).",
        "Unlike spead2_recv, spead4j also verifies with --ring."})
    boolean verify;

    @Option(names = "--stats-json",
            description = "spead4j: end with one line of JSON (heaps received, statistics, drop reasons)")
    boolean statsJson;

    @Mixin
    ReceiverOptions receiver;

    @Mixin
    HardwareLeniencyOptions hardware = new HardwareLeniencyOptions();

    @Parameters(paramLabel = "SOURCE", arity = "0..*",
            description = "[host]:port to listen on, or a pcap/pcapng file")
    List<String> sources = new ArrayList<>();

    private long startNanos;
    private PrintWriter out;
    private final AtomicReference<String> failure = new AtomicReference<>();
    /** Payload bytes of the complete heaps received, for the progress line. */
    private final AtomicLong payloadBytes = new AtomicLong();
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        startNanos = System.nanoTime();
        CommandLine cl = spec.commandLine();
        if (sources.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "At least one source is required");
        }
        String bad = receiver.validate();
        if (bad == null && threads < 1) {
            bad = "--threads must be at least 1 (at least one thread is required), got " + threads;
        }
        if (bad == null && !joint && sources.size() > 1 && receiver.ring) {
            bad = "Multiple streams cannot be used with --ring";
        }
        if (bad != null) {
            throw new CommandLine.ParameterException(cl, bad);
        }
        out = cl.getOut();
        List<StreamBase> streams = new ArrayList<>();
        Thread hook = null;
        ProgressLine live = null;
        try (ThreadPool pool = new ThreadPool(threads)) {
            try {
                if (joint || receiver.ring) {
                    streams.add(makeStream(pool, sources));
                } else {
                    for (String source : sources) {
                        streams.add(makeStream(pool, List.of(source)));
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                streams.forEach(StreamBase::stop);
                throw new Main.ToolException(e instanceof IllegalArgumentException ? Main.USAGE : 1, describe(e), e);
            }
            // Ctrl-C stops the streams (as spead2_recv's SIGINT handler); the JVM then waits for the totals
            hook = new Thread(() -> {
                streams.forEach(StreamBase::stop);
                try {
                    finished.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "spead4j-recv-sigint");
            Runtime.getRuntime().addShutdownHook(hook);
            live = ProgressLine.start(cl.getErr(), quiet, streams, payloadBytes::get);
            long complete = 0;
            if (receiver.ring) {
                Stream ring = (Stream) streams.getFirst();
                for (HeapBase heap : ring) {
                    if (heap instanceof Heap h) {
                        complete++;
                        payloadBytes.addAndGet(payloadBytes(h));
                        show(h);
                        String error = verify ? verify(h) : null;
                        h.release();
                        if (error != null) {
                            // spead4j verifies in ring mode too (spead2_recv only in callback mode)
                            failure.compareAndSet(null, error);
                            break;
                        }
                    }
                }
            } else {
                for (StreamBase stream : streams) {
                    while (!stream.awaitStopped(100, TimeUnit.MILLISECONDS)) {
                        if (failure.get() != null) {
                            break;
                        }
                    }
                    complete += ((Printer) stream).complete;
                }
            }
            live.close();
            StreamStats stats = null;
            long[] drops = new long[DropReason.values().length];
            for (StreamBase stream : streams) {
                stream.stop();
                stats = stats == null ? stream.getStats() : stats.plus(stream.getStats());
                for (DropReason r : DropReason.values()) {
                    drops[r.ordinal()] += stream.getDrops().get(r);
                }
            }
            if (failure.get() != null) {
                out.flush();
                cl.getErr().print(failure.get());
                cl.getErr().flush();
                return 1;
            }
            StringBuilder sb = new StringBuilder();
            sb.append("Received ").append(complete).append(" heaps\n");
            for (int i = 0; i < stats.size(); i++) {
                sb.append(stats.config().get(i).name()).append(": ").append(stats.get(i)).append('\n');
            }
            if (statsJson) {
                sb.append(statsJson(complete, stats, new DropCounts(drops))).append('\n');
            }
            out.print(sb);
            out.flush();
            return 0;
        } finally {
            streams.forEach(StreamBase::stop);
            finished.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down (Ctrl-C): the hook is running
                }
            }
            if (live != null) {
                live.close();
            }
        }
    }

    /**
     * The {@code --stats-json} line: {@code {"heaps_received": N, "stats": {name: value, ...}, "drops":
     * {reason: count, ...}}}, statistics in spead2's order, every drop reason.
     *
     * @param complete complete heaps received
     * @param stats the statistics
     * @param drops the drop reasons
     * @return the JSON object on one line
     */
    static String statsJson(long complete, StreamStats stats, DropCounts drops) {
        StringBuilder sb = new StringBuilder("{\"heaps_received\": ").append(complete).append(", \"stats\": {");
        String sep = "";
        for (Map.Entry<String, Long> e : stats.asMap().entrySet()) {
            sb.append(sep).append(jsonString(e.getKey())).append(": ").append(e.getValue());
            sep = ", ";
        }
        sb.append("}, \"drops\": {");
        sep = "";
        for (Map.Entry<DropReason, Long> e : drops.asMap().entrySet()) {
            sb.append(sep).append(jsonString(e.getKey().statName())).append(": ").append(e.getValue());
            sep = ", ";
        }
        return sb.append("}}").toString();
    }

    private static String jsonString(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** @return the bytes of a heap's items that are not immediate @param heap the heap */
    static long payloadBytes(Heap heap) {
        long total = 0;
        for (RawItem item : heap.items()) {
            if (!item.immediate()) {
                total += item.length();
            }
        }
        return total;
    }

    static String describe(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private StreamBase makeStream(ThreadPool pool, List<String> streamSources) throws IOException {
        StreamConfig config = hardware.apply(receiver.streamConfig());
        StreamBase stream = receiver.ring ? new Stream(pool, config, receiver.ringConfig()) : new Printer(pool, config);
        try {
            receiver.addReaders(stream, streamSources, true);
        } catch (IOException | RuntimeException e) {
            stream.stop();
            throw e;
        }
        return stream;
    }

    /** Prints a heap as spead2_recv's {@code show_heap} (unless quiet). */
    private void show(Heap heap) {
        if (quiet) {
            return;
        }
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        RawPrintWriter.printBytes(out, format(heap, descriptors, elapsed));
    }

    /**
     * The lines spead2_recv prints for a heap. Descriptor names, descriptions and numpy headers are the bytes
     * received, one char per byte (as the core decodes them), to be written with
     * {@link RawPrintWriter#printBytes(String)} so that they come out byte for byte as spead2_recv prints them.
     *
     * @param heap the heap
     * @param withDescriptors whether to print its descriptors
     * @param elapsed seconds since the start
     * @return the text, each line ending in '\n', one byte per char
     */
    static String format(Heap heap, boolean withDescriptors, double elapsed) {
        StringBuilder sb = new StringBuilder();
        sb.append("Received heap ").append(heap.cnt()).append(" at ").append(CppFormat.general(elapsed)).append('\n');
        if (withDescriptors) {
            for (Descriptor d : heap.descriptors()) {
                sb.append("Descriptor for ").append(d.name()).append(" (").append(CppFormat.hex(d.id())).append(")\n");
                sb.append("  description: ").append(d.description()).append('\n');
                sb.append("  format:      [");
                boolean first = true;
                for (FormatEntry f : d.format()) {
                    sb.append(first ? "" : ", ").append('(').append(f.code()).append(", ").append(f.bits()).append(')');
                    first = false;
                }
                sb.append("]\n");
                sb.append("  dtype:       ").append(d.numpyHeader()).append('\n');
                sb.append("  shape:       (");
                first = true;
                for (long dim : d.shape()) {
                    sb.append(first ? "" : ", ").append(dim == -1 ? "?" : Long.toString(dim));
                    first = false;
                }
                sb.append(")\n");
            }
        }
        for (RawItem item : heap.items()) {
            sb.append(CppFormat.hex(item.id())).append(" = [").append(item.length()).append(" bytes]");
            if (item.immediate()) {
                sb.append(" = ").append(CppFormat.hex(item.immediateValue()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * spead2_recv's {@code verify_heap}: checks the payload pattern written by {@code send --verify}.
     *
     * @param heap the heap
     * @return null if it verifies, else the message to print (exit status 1)
     */
    static String verify(Heap heap) {
        List<RawItem> items = heap.items();
        boolean first = true;
        long elements = 0;
        MinstdRand generator = new MinstdRand();
        for (RawItem item : items) {
            if (item.id() < 0x1000) {
                continue;
            }
            if (first) {
                elements = item.length() / 4;
                generator.discard(elements * items.size() * (heap.cnt() - 1));
                first = false;
            }
            if (item.length() != elements * 4) {
                return "Heap " + heap.cnt() + ", item 0x" + Long.toHexString(item.id()) + " has an inconsistent length\n";
            }
            ByteBuffer data = item.value();
            for (int i = 0; i < elements; i++) {
                int expected = generator.next();
                int actual = data.getInt(4 * i);
                if (expected != actual) {
                    return "Verification mismatch in heap " + heap.cnt() + ", item 0x" + Long.toHexString(item.id())
                            + " offset " + i + "\nexpected 0x" + Integer.toHexString(expected) + ", actual 0x"
                            + Integer.toHexString(actual) + "\n";
                }
            }
        }
        if (first && !heap.isEndOfStream()) {
            LOG.warn("Heap {} has no verifiable items but is not an end-of-stream heap", heap.cnt());
        }
        return null;
    }

    /** spead2_recv's {@code callback_stream}. */
    private final class Printer extends CallbackStream {
        long complete;

        Printer(ThreadPool pool, StreamConfig config) {
            super(pool, config);
        }

        @Override
        protected void heapReady(HeapBase heap) {
            if (failure.get() != null) {
                if (heap instanceof Heap h) {
                    h.release();
                }
                return;
            }
            if (heap instanceof Heap h) {
                payloadBytes.addAndGet(payloadBytes(h));
                show(h);
                if (verify) {
                    String error = verify(h);
                    if (error != null) {
                        failure.compareAndSet(null, error);
                    }
                }
                complete++;
                h.release();
            } else if (!quiet) {
                out.print("Discarding incomplete heap " + heap.cnt() + "\n");
            }
        }
    }
}
