package io.spead4j.tools;

import io.spead4j.BugCompat;
import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.CallbackStream;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.ChannelStream;
import io.spead4j.send.InprocStream;
import io.spead4j.send.RateMethod;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** {@code spead4j bench}: spead2_bench ({@code mem}, {@code master}, {@code agent}), in-process and chunk stream benchmarks. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (spead2_bench): mem, master, agent, inproc, chunk; soak runs",
        subcommands = {BenchCommand.Mem.class, BenchCommand.Master.class, BenchCommand.Agent.class,
            BenchCommand.Inproc.class, BenchChunkCommand.class, SoakCommand.class})
final class BenchCommand implements Runnable {
    /** The item id of the benchmark heaps' payload. */
    static final long ITEM_ID = 0x1234;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a benchmark is required: mem, master, agent, inproc or chunk");
    }

    /** A receive stream counting contiguous heaps (spead2_bench's {@code recv_stream}). */
    static final class CountingStream extends CallbackStream {
        private final AtomicLong heaps = new AtomicLong();

        CountingStream(ThreadPool pool, StreamConfig config) {
            super(pool, config);
        }

        @Override
        protected void heapReady(HeapBase heap) {
            if (heap instanceof Heap h) {
                heaps.incrementAndGet();
                h.release();
            }
        }

        long heaps() {
            return heaps.get();
        }
    }

    /**
     * How long the agent lets its stream end on the sender's end-of-stream heap after the master's "stop"
     * before stopping it: the master sends "stop" once the kernel took its last packet, which the reader may
     * not have read yet (spead2_bench stops at once and can then miss heaps that did arrive).
     */
    static final long STOP_GRACE_MILLIS = 1000;

    /** Heaps {@code bench agent} receives from itself before serving, by default (see {@code --warmup-heaps}). */
    static final long DEFAULT_AGENT_WARMUP_HEAPS = 60000;

    /** Payload of the agent's warm-up heaps: 12 packets of 1472 bytes, 2 of 9200. */
    static final long WARMUP_HEAP_SIZE = 16384;

    /** Packet sizes of the agent's warm-up runs: an Ethernet MTU's and spead2_bench's default. */
    static final int[] WARMUP_PACKETS = {1472, 9200};

    /** Untimed rate-limited runs {@code bench master} makes before its search, by default. */
    static final int DEFAULT_PACED_WARMUP = 2;

    /**
     * Heaps {@code bench master} sends in its warm-up runs (unlimited and paced) before its search, by default: the
     * JIT compiles the code that runs once a heap (queueing a heap, its packet generator, completing it, on both
     * sides) only after about 5000 calls, and measured with {@code --fixed-rate} at 4 MiB heaps, runs with 40-130
     * ms of compiling on a 2-core machine lost heaps far more often (the compiler thread takes the receiver's
     * core) until some 8000 heaps had been sent. The agent takes longer: fed by spead2_send at 18 Gb/s, a
     * spead4j agent lost heaps in 8 and 6 of its first 20 runs of 537 heaps (spead2_bench agent: 4 and 3), and
     * as often as spead2_bench agent after that (2 and 10 of the next 40, against 4 and 11).
     */
    static final long DEFAULT_WARMUP_HEAPS = 12000;

    /** Most paced warm-up runs made to reach {@code --warmup-heaps} (not a bound on {@code --paced-warmup}). */
    static final int MAX_PACED_WARMUP = 40;

    /** No paced warm-up run beyond {@code --paced-warmup} starts after this long of paced warm-up. */
    static final long MAX_EXTRA_WARMUP_NANOS = 60_000_000_000L;

    /**
     * How many paced warm-up runs {@code bench master} makes.
     *
     * @param minRuns {@code --paced-warmup}
     * @param warmupHeaps {@code --warmup-heaps}
     * @param sent heaps the unlimited runs sent already
     * @param heapsPerRun heaps of one paced run
     * @return at least {@code minRuns}; more, up to {@link #MAX_PACED_WARMUP}, until {@code warmupHeaps} are sent
     */
    static int pacedWarmupRuns(int minRuns, long warmupHeaps, long sent, long heapsPerRun) {
        long missing = Math.max(0, warmupHeaps - sent);
        long forHeaps = Math.min(MAX_PACED_WARMUP, (missing + heapsPerRun - 1) / heapsPerRun);
        return (int) Math.max(minRuns, forHeaps);
    }

    /** A receiver, callback or ring (spead2_bench's {@code recv_connection}), counting contiguous heaps. */
    static final class Receiver {
        final StreamBase stream;
        private final Thread consumer;
        private final AtomicLong ringHeaps = new AtomicLong();
        /** The stream's memory pool, closed once the stream has stopped; null without one. */
        private final MemoryPool memoryPool;

        Receiver(ThreadPool pool, ReceiverOptions options) {
            StreamConfig config = options.streamConfig();
            memoryPool = config.memoryAllocator() instanceof MemoryPool p ? p : null;
            if (options.ring) {
                io.spead4j.recv.Stream ring = new io.spead4j.recv.Stream(pool, config, options.ringConfig());
                stream = ring;
                consumer = Thread.ofPlatform().name("spead4j-bench-consumer").start(() -> {
                    for (HeapBase heap : ring) {
                        ringHeaps.incrementAndGet();
                        if (heap instanceof Heap h) {
                            h.release();
                        }
                    }
                });
            } else {
                stream = new CountingStream(pool, config);
                consumer = null;
            }
        }

        /**
         * Waits for the end (stopping first if {@code force}) and returns the heaps counted. Then closes the memory
         * pool, which frees its buffers now: an agent makes a stream and a pool for every run (as spead2_bench
         * does), and without the close each run's pool memory (8 buffers of the heap size by default) would wait
         * for a garbage collection, which a receiving agent, allocating little on the Java heap, hardly has.
         */
        long stop(boolean force) throws InterruptedException {
            if (force && !stream.awaitStopped(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                stream.stop();
            }
            try {
                if (consumer != null) {
                    consumer.join();
                    return ringHeaps.get();
                }
                stream.awaitStopped();
                return ((CountingStream) stream).heaps();
            } finally {
                if (memoryPool != null && stream.isStopped()) {
                    memoryPool.close();
                }
            }
        }
    }

    /** Sizes the receiver's memory pool from the heap size, as spead2_bench does in mem and master modes. */
    static void applyPool(ReceiverOptions receiver, long heapSize) {
        receiver.memPool = true;
        receiver.memLower = heapSize;
        receiver.memUpper = heapSize + 1024;
    }

    // ------------------------------------------------------------------------------------------------ mem

    /**
     * {@code bench mem}: decode ~1 GiB of heaps from memory, 100 passes. Unlike spead2_bench, every pass must
     * receive every heap (else exit status 1), and the non-quiet output says how many were received.
     */
    @Command(name = "mem", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = BenchOptionNames.Mem.class,
            description = {"Decode about 1 GiB of heaps from memory, repeatedly, and print the rate.",
                "spead4j checks that every pass received every heap, and fails (exit status 1) if not."})
    static final class Mem implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        BenchOptions common = new BenchOptions();

        @Option(names = "--passes", paramLabel = "N", description = "spead4j: number of decoding passes (default ${DEFAULT-VALUE})")
        int passes = 100;

        @Option(names = "--total-bytes", paramLabel = "BYTES", hidden = true,
                description = "spead4j: approximate bytes of heap payload (default 1 GiB)")
        long totalBytes = 1L << 30;

        @Mixin
        ReceiverOptions receiver;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            String bad = receiver.validate();
            if (bad == null && (common.heapSize < 1 || common.heapSize > Integer.MAX_VALUE - 1024)) {
                bad = "--heap-size must be in [1, 2^31 - 1025]";
            }
            if (bad == null && passes < 1) {
                bad = "--passes must be at least 1";
            }
            if (bad == null && totalBytes < 0) {
                bad = "--total-bytes must not be negative";
            }
            if (bad != null) {
                throw new CommandLine.ParameterException(cl, bad);
            }
            applyPool(receiver, common.heapSize);
            long numHeaps = totalBytes / common.heapSize + 1;
            Path file = Files.createTempFile("spead4j-bench-mem", ".spead");
            double elapsed = 0;
            long size;
            try (ThreadPool pool = new ThreadPool(1); Arena arena = Arena.ofShared()) {
                build(pool, file, numHeaps);
                MemorySegment data;
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    size = ch.size();
                    data = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                }
                data.load();
                for (int pass = 0; pass < passes; pass++) {
                    Receiver r = new Receiver(pool, receiver);
                    long start = System.nanoTime();
                    r.stream.addBufferReader(data);
                    long received = r.stop(false);
                    elapsed += (System.nanoTime() - start) / 1e9;
                    String shortfall = heapCountError(pass, received, numHeaps - 1, r.stream.oversizedPackets(),
                            r.stream.config().maxHeapSize());
                    if (shortfall != null) {
                        throw new Main.ToolException(1, shortfall);
                    }
                }
            } finally {
                Files.deleteIfExists(file);
            }
            double gbps = size * (double) passes / elapsed * 8e-9;
            PrintWriter out = cl.getOut();
            if (!common.quiet) {
                out.print("Transferred " + size + " bytes in " + CppFormat.general(elapsed) + " seconds\n");
                out.print(CppFormat.general(gbps) + " Gbps\n");
                out.print("Received " + (numHeaps - 1) + " of " + (numHeaps - 1) + " heaps in each of " + passes
                        + " passes\n");
            } else {
                out.print(CppFormat.general(gbps) + "\n");
            }
            out.flush();
            return 0;
        }

        /**
         * Checks the heaps a pass received against those sent. spead2_bench's mem mode counts the heaps but
         * does not look at the count; spead4j fails instead, since a rate over heaps that were not all decoded
         * would be meaningless.
         *
         * @param pass the pass (from 0)
         * @param received complete heaps the receiver counted
         * @param sent data heaps in the buffer (the end heap is not delivered)
         * @param oversized packets the stream rejected because their heap exceeded its size cap
         * @param maxHeapSize that cap, in bytes
         * @return null if every heap arrived, else the message to fail with
         */
        static String heapCountError(int pass, long received, long sent, long oversized, long maxHeapSize) {
            if (received == sent) {
                return null;
            }
            String message = "pass " + (pass + 1) + " received " + received + " of the " + sent + " heaps sent";
            if (oversized > 0) {
                message += " (" + oversized + " packets rejected: their heap is larger than spead4j's cap of "
                        + maxHeapSize + " bytes, recv.StreamConfig.maxHeapSize)";
            }
            return message;
        }

        /** Serialises numHeaps heaps (the last an end heap) as spead2_bench's {@code build_streambuf}. */
        private void build(ThreadPool pool, Path file, long numHeaps) throws IOException {
            Flavour flavour = new Flavour(40, receiver.pyspead ? BugCompat.PYSPEAD_0_5_2 : 0);
            io.spead4j.send.StreamConfig config = new io.spead4j.send.StreamConfig()
                    .withMaxPacketSize(receiver.maxPacketSize());
            io.spead4j.send.Heap heap = new io.spead4j.send.Heap(flavour)
                    .addItem(ITEM_ID, new byte[(int) common.heapSize], false);
            io.spead4j.send.Heap end = new io.spead4j.send.Heap(flavour).addEnd();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 ChannelStream stream = new ChannelStream(pool, ch, config)) {
                for (long i = 0; i < numHeaps; i++) {
                    stream.sendHeap(i < numHeaps - 1 ? heap : end);
                }
                stream.flush();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ agent

    /** {@code bench agent PORT}: the receiving end of {@code bench master}. */
    @Command(name = "agent", mixinStandardHelpOptions = true,
            description = "Receive benchmark traffic for a master; control connection on TCP PORT")
    static final class Agent implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "PORT", description = "TCP control port; data arrives on the same port number")
        int port;

        @Option(names = "--sessions", paramLabel = "N", hidden = true,
                description = "spead4j: exit after N control connections (default: run forever)")
        int sessions = -1;

        @Option(names = "--warmup-heaps", paramLabel = "N",
                description = "spead4j: before serving, receive N small heaps sent to itself over loopback, in "
                        + "runs of Ethernet-sized and of jumbo packets, so that the JIT has compiled the receive "
                        + "path before the first master's traffic (default ${DEFAULT-VALUE}; 0 for none). A master "
                        + "that connects meanwhile waits")
        long warmupHeaps = DEFAULT_AGENT_WARMUP_HEAPS;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            if (port < 0 || port > 0xffff) {
                throw new CommandLine.ParameterException(cl, "bad port " + port);
            }
            if (warmupHeaps < 0) {
                throw new CommandLine.ParameterException(cl, "--warmup-heaps must not be negative");
            }
            PrintWriter err = cl.getErr();
            try (ServerSocket server = new ServerSocket()) {
                server.setReuseAddress(true);
                // bound first, so that a master connecting during the warm-up waits in the backlog
                server.bind(new InetSocketAddress("0.0.0.0", port));
                warmUp(err);
                for (int session = 0; sessions < 0 || session < sessions; session++) {
                    try (Socket control = server.accept()) {
                        serve(control, err);
                    }
                }
            }
            return 0;
        }

        /**
         * Sends {@link #warmupHeaps} heaps of {@link #WARMUP_HEAP_SIZE} bytes to this agent's data port over
         * loopback, half in 1472-byte and half in the default packets, each run received by a receiver made
         * exactly as a master's "start" makes it (memory pool, callback counting). The JIT compiles the code run
         * once a heap only after some thousands of heaps, which at 4 MiB heaps is 20 s into a master's traffic;
         * 60000 heaps of 16 KiB get it to C2 in about 2.3 s. Measured with spead2_send at 15 Gb/s in 1472-byte
         * packets, 30 runs a series: runs with a loss 22 of 90 with this and 26 of 90 without, the first run 1 of
         * 3 against 3 of 3. A failed warm-up is reported and the agent serves anyway.
         */
        private void warmUp(PrintWriter err) {
            if (warmupHeaps == 0) {
                return;
            }
            long start = System.nanoTime();
            long compiling = Master.jitMillis();
            long received = 0;
            long sent = 0;
            try {
                for (int run = 0; run < WARMUP_PACKETS.length; run++) {
                    long heaps = warmupHeaps / WARMUP_PACKETS.length
                            + (run == 0 ? warmupHeaps % WARMUP_PACKETS.length : 0);
                    if (heaps == 0) {
                        continue;
                    }
                    Master master = new Master();
                    new CommandLine(master).parseArgs("--heap-size", Long.toString(WARMUP_HEAP_SIZE),
                            "--packet", Integer.toString(WARMUP_PACKETS[run]), "127.0.0.1:" + port);
                    applyPool(master.receiver, master.common.heapSize);
                    try (ThreadPool pool = new ThreadPool(1)) {
                        Receiver receiver = startReceiver(pool, master.wireOptions());
                        try {
                            master.sendRun(new InetSocketAddress("127.0.0.1", port), 0.0, heaps);
                            sent += heaps;
                        } finally {
                            received += receiver.stop(true);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                err.println("Warm-up failed (serving anyway): " + RecvCommand.describe(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long jit = Master.jitMillis();
            err.println(String.format(Locale.ROOT, "Warm-up: received %d of %d heaps in %.1f s%s", received, sent,
                    (System.nanoTime() - start) / 1e9,
                    compiling < 0 ? "" : String.format(Locale.ROOT, " (JIT compiling meanwhile: %d ms)",
                            jit - compiling)));
            err.flush();
        }

        /**
         * Makes the receiver a master's "start" asks for, as {@link #serve} and {@link #warmUp} both need it: the
         * options from the config lines, checked, a receiver on {@code pool}, and its reader on this agent's port
         * (or the multicast group the lines name).
         *
         * @param pool the pool the receiver runs on
         * @param config the "name = value" lines of a start
         * @return the receiver, receiving
         * @throws IOException if the reader cannot be opened (the receiver made by then is stopped)
         * @throws IllegalArgumentException if the lines ask for something invalid
         */
        private Receiver startReceiver(ThreadPool pool, List<String> config) throws IOException, InterruptedException {
            ReceiverOptions options = new ReceiverOptions();
            String multicast = configure(options, config);
            String bad = options.validate();
            if (bad != null) {
                throw new IllegalArgumentException(bad);
            }
            Receiver receiver = new Receiver(pool, options);
            try {
                options.addReaders(receiver.stream, List.of(multicast.isEmpty() ? Integer.toString(port) : multicast),
                        false);
            } catch (IOException | RuntimeException e) {
                receiver.stop(true);
                throw e;
            }
            return receiver;
        }

        private void serve(Socket control, PrintWriter err) throws IOException, InterruptedException {
            BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
            PrintWriter reply = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
            Receiver connection = null;
            ThreadPool pool = null;
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    switch (line) {
                        case "start" -> {
                            List<String> config = new ArrayList<>();
                            while ((line = in.readLine()) != null && !line.equals("end_config")) {
                                config.add(line);
                            }
                            if (connection != null) {
                                err.println("Start received while already running");
                                continue;
                            }
                            try {
                                pool = new ThreadPool(1);
                                connection = startReceiver(pool, config);
                            } catch (IOException | RuntimeException e) {
                                // e.g. --tcp: the data listener wants the control port, as in spead2_bench
                                err.println("Start failed: " + RecvCommand.describe(e));
                                if (pool != null) {
                                    pool.close();
                                    pool = null;
                                }
                                reply.print("error\n");
                                reply.flush();
                                continue;
                            }
                            reply.print("ready\n");
                            reply.flush();
                        }
                        case "stop" -> {
                            if (connection == null) {
                                err.println("Stop received when already stopped");
                                continue;
                            }
                            long heaps = connection.stop(true);
                            connection = null;
                            pool.close();
                            pool = null;
                            err.println(heaps);
                            reply.print(heaps + "\n");
                            reply.flush();
                        }
                        case "exit" -> {
                            return;
                        }
                        default -> err.println("Bad command: " + line);
                    }
                }
            } finally {
                if (connection != null) {
                    connection.stop(true);
                }
                if (pool != null) {
                    pool.close();
                }
            }
        }

        /** Applies the master's {@code name = value} lines; returns the multicast group ("" if none). */
        static String configure(ReceiverOptions o, List<String> lines) {
            String multicast = "";
            for (String line : lines) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = line.substring(0, eq).trim();
                String value = line.substring(eq + 1).trim();
                switch (name) {
                    case "multicast" -> multicast = value;
                    case "tcp" -> o.tcp = bool(value);
                    case "pyspead" -> o.pyspead = bool(value);
                    case "bind" -> o.bind = value;
                    case "packet" -> o.packet = Integer.parseInt(value);
                    case "buffer" -> o.buffer = Integer.parseInt(value);
                    case "concurrent-heaps" -> o.concurrentHeaps = Integer.parseInt(value);
                    case "substreams" -> o.substreams = Integer.parseInt(value);
                    case "ring-heaps" -> o.ringHeaps = Integer.parseInt(value);
                    case "mem-pool" -> o.memPool = bool(value);
                    case "mem-lower" -> o.memLower = Long.parseLong(value);
                    case "mem-upper" -> o.memUpper = Long.parseLong(value);
                    case "mem-max-free" -> o.memMaxFree = Integer.parseInt(value);
                    case "mem-initial" -> o.memInitial = Integer.parseInt(value);
                    case "ring" -> o.ring = bool(value);
                    case "memcpy-nt" -> o.memcpyNt = bool(value);
                    // a spead2 master built with ibverbs always sends ibv, ibv-vector and ibv-max-poll: only
                    // ibv = 1 asks for ibverbs, which validate() then refuses
                    case "ibv" -> o.ibverbs.ibv = bool(value);
                    default -> {
                        // ibv-vector, ibv-max-poll (used only with ibv) and unknown keys are ignored
                    }
                }
            }
            return multicast;
        }

        private static boolean bool(String v) {
            return v.equals("1") || v.equalsIgnoreCase("true");
        }
    }

    // ------------------------------------------------------------------------------------------------ master

    /** {@code bench master HOST:PORT}: finds the sustainable rate of an agent. */
    @Command(name = "master", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = BenchOptionNames.Master.class, abbreviateSynopsis = true,
            description = {"Find the highest rate an agent receives without loss.",
                "Options are spead2_bench's; --bind, --buffer, --ibv, --ibv-vector and --ibv-max-poll are spead4j's "
                    + "older names of --recv-bind, --recv-buffer, --recv-ibv, --recv-ibv-vector and "
                    + "--recv-ibv-max-poll."})
    static final class Master implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Mixin
        BenchOptions common = new BenchOptions();

        /** The agent's receiver; spead2_bench's names ({@code --recv-bind}, ...) from {@link BenchOptionNames}. */
        @Mixin
        ReceiverOptions receiver;

        @Option(names = "--addr-bits", paramLabel = "BITS", description = "Heap address bits (default ${DEFAULT-VALUE})")
        int addrBits = 40;

        @Option(names = "--send-bind", paramLabel = "ADDRESS", description = "Local address to bind the sender to")
        String sendBind = "";

        @Option(names = "--send-buffer", paramLabel = "BYTES",
                description = "Sender socket buffer size (default 512 KiB; 208 KiB with --tcp)")
        Integer sendBuffer;

        @Option(names = "--burst", paramLabel = "BYTES", description = "Burst size (default ${DEFAULT-VALUE})")
        long burst = io.spead4j.send.StreamConfig.DEFAULT_BURST_SIZE;

        @Option(names = "--burst-rate-ratio", paramLabel = "RATIO",
                description = "Hard rate limit, relative to the rate (default ${DEFAULT-VALUE})")
        double burstRateRatio = io.spead4j.send.StreamConfig.DEFAULT_BURST_RATE_RATIO;

        @Option(names = "--max-heaps", paramLabel = "N", description = "Maximum heaps in flight (default ${DEFAULT-VALUE})")
        int maxHeaps = io.spead4j.send.StreamConfig.DEFAULT_MAX_HEAPS;

        @Option(names = "--rate-method", paramLabel = "METHOD", converter = SendCommand.RateMethodConverter.class,
                description = "Rate limiting method (SW/HW/AUTO, default AUTO). spead4j has no hardware rate "
                        + "limiting: HW and AUTO have the same effect as SW")
        RateMethod rateMethod = RateMethod.AUTO;

        @Option(names = "--ttl", paramLabel = "N", description = "TTL for multicast target (default ${DEFAULT-VALUE})")
        int ttl = 1;

        @Option(names = "--send-ibv", description = "Use ibverbs to send (not supported by spead4j)")
        boolean sendIbv;

        @Option(names = "--send-ibv-vector", paramLabel = "N",
                description = "Interrupt vector of the ibverbs sender (not supported by spead4j)")
        Integer sendIbvVector;

        /** spead2_bench 4.4.1 names the sender's ibv-max-poll {@code --send-max-poll}. */
        @Option(names = {"--send-max-poll", "--send-ibv-max-poll"}, paramLabel = "N",
                description = "Maximum polls in a row of the ibverbs sender (not supported by spead4j)")
        Integer sendIbvMaxPoll;

        @Option(names = "--multicast", paramLabel = "GROUP:PORT", description = "Multicast group to use, instead of unicast")
        String multicast = "";

        @Option(names = "--run-bytes", paramLabel = "BYTES", hidden = true,
                description = "spead4j: minimum bytes per measurement run (default 1e9, as spead2)")
        double runBytes = 1e9;

        @Option(names = "--paced-warmup", paramLabel = "N",
                description = "spead4j: untimed runs at half the unlimited send rate before the search (default "
                        + "${DEFAULT-VALUE}; spead2_bench has none), so that master and agent have compiled their "
                        + "rate-limited paths (the JIT) before the first timed rate; each prints the JIT time it saw")
        int pacedWarmup = DEFAULT_PACED_WARMUP;

        @Option(names = "--warmup-heaps", paramLabel = "N",
                description = "spead4j: after the --paced-warmup runs, more paced warm-up runs (at most "
                        + MAX_PACED_WARMUP + ", none started after " + MAX_EXTRA_WARMUP_NANOS / 1_000_000_000L
                        + " s) until the warm-up runs have sent N heaps "
                        + "in all (default "
                        + "${DEFAULT-VALUE}): the JIT compiles the code run once a heap only after some thousands of "
                        + "heaps; 0 for no more than --paced-warmup")
        long warmupHeaps = DEFAULT_WARMUP_HEAPS;

        @Option(names = "--fixed-rate", paramLabel = "GBPS",
                description = "spead4j: no search; after the unlimited warm-up run, make --fixed-runs runs at this rate "
                        + "and print how many lost no heap (the chance of a lossless run at one rate, where the search "
                        + "needs five in a row)")
        Double fixedRate;

        @Option(names = "--fixed-runs", paramLabel = "N",
                description = "spead4j: runs made with --fixed-rate (default ${DEFAULT-VALUE})")
        int fixedRuns = 20;

        @Parameters(paramLabel = "HOST:PORT", description = "The agent's control endpoint")
        String endpoint;

        /** @return why the options cannot be used, or null */
        String validate() {
            if (pacedWarmup < 0) {
                return "--paced-warmup must not be negative";
            }
            if (warmupHeaps < 0) {
                return "--warmup-heaps must not be negative";
            }
            if (fixedRate != null && !(fixedRate > 0 && fixedRate < Double.POSITIVE_INFINITY)) {
                return "--fixed-rate must be a positive number of Gb/s";
            }
            if (fixedRuns < 1) {
                return "--fixed-runs must be at least 1";
            }
            if (receiver.ibverbs.given() || sendIbv || sendIbvVector != null || sendIbvMaxPoll != null) {
                return "ibverbs (--recv-ibv, --recv-ibv-vector, --recv-ibv-max-poll, --send-ibv, --send-ibv-vector, "
                        + "--send-max-poll) is not supported by spead4j; use UDP or TCP";
            }
            String bad = receiver.validate();
            if (bad != null) {
                return bad;
            }
            if (common.heapSize < 1 || common.heapSize > Integer.MAX_VALUE - 1024) {
                return "--heap-size must be in [1, 2^31 - 1025]";
            }
            if (receiver.maxPacketSize() < 56) {
                return "--packet must be at least 56 bytes";
            }
            try {
                new Flavour(addrBits, 0);
            } catch (IllegalArgumentException e) {
                return "--addr-bits: " + e.getMessage();
            }
            if (sendBuffer != null && sendBuffer < 0) {
                return "--send-buffer must not be negative";
            }
            if (burst < 0) {
                return "--burst must not be negative";
            }
            if (!(burstRateRatio >= 1.0)) {
                return "--burst-rate-ratio must be at least 1";
            }
            if (maxHeaps < 1) {
                return "--max-heaps must be at least 1";
            }
            if (!(runBytes > 0)) {
                return "--run-bytes must be positive";
            }
            return null;
        }

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            String bad = validate();
            InetSocketAddress control = null;
            if (bad == null) {
                try {
                    control = Network.endpoint(endpoint, false);
                } catch (IllegalArgumentException e) {
                    bad = e.getMessage();
                }
            }
            if (bad != null) {
                throw new CommandLine.ParameterException(cl, bad);
            }
            applyPool(receiver, common.heapSize);
            PrintWriter out = cl.getOut();
            if (fixedRate != null) {
                return fixedRateRuns(control, out);
            }
            double bestActual;
            long numHeaps = runHeaps(0.0);
            measureOnce(control, 0.0, numHeaps, 0);
            double[] result = measure(control, 0.0, numHeaps, numHeaps - 1);
            if (result[0] != 0) {
                if (!common.quiet) {
                    out.print("Limited by send speed\n");
                }
                bestActual = result[1];
            } else {
                if (!common.quiet) {
                    out.print(String.format(Locale.ROOT, "Send rate: %.3f Gbps\n", result[1] * 8e-9));
                    out.flush();
                }
                bestActual = 0.0;
                // spead2's warm-up run and the 5 unlimited runs sent numHeaps heaps each
                pacedWarmup(control, result[1] * 0.5, 6 * numHeaps, out);
                double low = 0.0;
                double high = result[1];
                while (high - low > high * 0.02) {
                    double rate = (low + high) * 0.5;
                    numHeaps = runHeaps(rate);
                    double[] r = measure(control, rate, numHeaps, numHeaps - 1);
                    if (!common.quiet) {
                        out.print(String.format(Locale.ROOT, "Rate: %.3f Gbps (%.3f actual): %s\n", rate * 8e-9,
                                r[1] * 8e-9, r[0] != 0 ? "GOOD" : "BAD"));
                        out.flush();
                    }
                    if (r[0] != 0) {
                        low = rate;
                        bestActual = r[1];
                    } else {
                        high = rate;
                    }
                }
            }
            double gbps = bestActual * 8e-9;
            if (common.quiet) {
                out.print(CppFormat.general(gbps) + "\n");
            } else {
                out.print(String.format(Locale.ROOT, "Sustainable rate: %.3f Gbps\n", gbps));
            }
            out.flush();
            return 0;
        }

        /**
         * Runs {@link #pacedWarmup} untimed runs at {@code rate}, and more until the warm-up has sent
         * {@link #warmupHeaps} heaps ({@code sent} by the unlimited runs already; see {@link #pacedWarmupRuns}).
         * spead2_bench's one unlimited warm-up run is made
         * for compiled C++; on the JVM it leaves the rate-limited path of the sender (and the agent's receiver
         * between bursts) to be compiled during the first timed runs of the search, by a compiler thread that
         * then takes the receiver's core: measured on 2 cores against the same spead2 agent, the master's
         * sustainable rate went from 0.6-0.9 of spead2_bench master's to parity with two such runs.
         * Each line says how long this JVM's JIT compiled during the run (the first such run typically a second,
         * the next a few hundred ms, later ones a few ms): a guide for choosing {@code --paced-warmup}.
         */
        private void pacedWarmup(InetSocketAddress control, double rate, long sent, PrintWriter out)
                throws IOException, InterruptedException {
            long heaps = runHeaps(rate);
            int runs = pacedWarmupRuns(pacedWarmup, warmupHeaps, sent, heaps);
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                if (i >= pacedWarmup && System.nanoTime() - start > MAX_EXTRA_WARMUP_NANOS) {
                    break; // a slow machine: the search must still fit the time a caller gives the master
                }
                long compiling = jitMillis();
                double[] r = measureOnce(control, rate, heaps, 0);
                if (!common.quiet) {
                    String jitTime = compiling < 0 ? "" : String.format(Locale.ROOT,
                            " (JIT compiling here meanwhile: %d ms)", jitMillis() - compiling);
                    out.print(String.format(Locale.ROOT, "Paced warm-up: %.3f Gbps%s%n", r[1] * 8e-9, jitTime));
                    out.flush();
                }
            }
        }

        /**
         * {@code --fixed-rate}: spead2's unlimited warm-up run, then {@link #fixedRuns} runs at the fixed rate, each
         * printed with the seconds since the first run and the JIT time during it (to line losses up with warm-up
         * and compilation), then the count of lossless
         * runs (quiet: the lossless fraction alone).
         */
        private int fixedRateRuns(InetSocketAddress control, PrintWriter out) throws IOException, InterruptedException {
            long origin = System.nanoTime();
            measureOnce(control, 0.0, runHeaps(0.0), 0);
            double rate = fixedRate * 1e9 / 8;
            long numHeaps = runHeaps(rate);
            int lossless = 0;
            for (int i = 1; i <= fixedRuns; i++) {
                long compiling = jitMillis();
                double[] r = measureOnce(control, rate, numHeaps, numHeaps - 1);
                boolean good = r[0] != 0;
                lossless += good ? 1 : 0;
                if (!common.quiet) {
                    String jitTime = compiling < 0 ? "" : String.format(Locale.ROOT, ", JIT %d ms",
                            jitMillis() - compiling);
                    out.print(String.format(Locale.ROOT, "Run %d at %.3f Gbps (%.3f actual, %.1f s%s): received %d of "
                            + "%d heaps: %s%n", i, fixedRate, r[1] * 8e-9, (System.nanoTime() - origin) / 1e9, jitTime,
                            (long) r[2], numHeaps - 1, good ? "GOOD" : "BAD"));
                    out.flush();
                }
            }
            if (common.quiet) {
                out.print(CppFormat.general((double) lossless / fixedRuns) + "\n");
            } else {
                out.print("Lossless runs: " + lossless + " of " + fixedRuns + "\n");
            }
            out.flush();
            return 0;
        }

        /** {@return the milliseconds this JVM's JIT has compiled so far, -1 where that is not measured} */
        private static long jitMillis() {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        }

        /**
         * The heaps of one run at {@code rate} (bytes/s, 0 for unlimited), spead2_bench's rule: at least
         * {@link #runBytes} and at least a second's worth, plus 2.
         */
        private long runHeaps(double rate) {
            return (long) (Math.max(runBytes, rate) / common.heapSize) + 2;
        }

        private double[] measure(InetSocketAddress control, double rate, long numHeaps, long required)
                throws IOException, InterruptedException {
            boolean good = true;
            double sum = 0;
            int passes = 5;
            for (int i = 0; i < passes; i++) {
                double[] r = measureOnce(control, rate, numHeaps, required);
                good &= r[0] != 0;
                sum += r[1];
            }
            return new double[] {good ? 1 : 0, sum / passes};
        }

        /**
         * One run: configures the agent, sends the heaps at {@code rate} bytes/s, asks how many arrived.
         *
         * @return {1 if at least {@code required} arrived else 0, the bytes/s sent, the heaps the agent counted}
         */
        private double[] measureOnce(InetSocketAddress controlAddress, double rate, long numHeaps, long required)
                throws IOException, InterruptedException {
            try (Socket control = new Socket(controlAddress.getAddress(), controlAddress.getPort())) {
                PrintWriter w = new PrintWriter(control.getOutputStream(), false, StandardCharsets.UTF_8);
                BufferedReader in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
                w.print("start\n");
                for (String line : wireOptions()) {
                    w.print(line + "\n");
                }
                w.print("end_config\n");
                w.flush();
                String response = in.readLine();
                if (!"ready".equals(response)) {
                    throw new Main.ToolException(1, "Did not receive 'ready' response");
                }
                InetSocketAddress dataEndpoint = multicast.isEmpty() ? controlAddress : Network.endpoint(multicast, false);
                double actual = sendRun(dataEndpoint, rate, numHeaps);
                Thread.sleep(100);
                w.print("stop\n");
                w.flush();
                String count = in.readLine();
                if (count == null) {
                    throw new Main.ToolException(1, "Connection error: the agent closed the control connection");
                }
                long received = Long.parseLong(count.trim());
                Thread.sleep(500);
                return new double[] {received >= required ? 1 : 0, actual, received};
            } catch (IOException e) {
                throw new Main.ToolException(1, "Connection error: " + e.getMessage(), e);
            }
        }

        /**
         * Sends {@code numHeaps} heaps and an end heap to the agent's data endpoint.
         *
         * @param dataEndpoint where the heaps go
         * @param rate bytes per second, 0 for unlimited
         * @param numHeaps heaps to send before the end heap
         * @return the bytes per second sent
         */
        double sendRun(InetSocketAddress dataEndpoint, double rate, long numHeaps)
                throws IOException, InterruptedException {
            Flavour flavour = new Flavour(addrBits, receiver.pyspead ? BugCompat.PYSPEAD_0_5_2 : 0);
            // native memory, as spead2_bench's plain buffer: the UDP writer then gathers the payload straight
            // from it into sendmmsg (zero copy); a Java array would be copied into each packet first. Freed when
            // the run ends (the stream is closed by then), not at some later garbage collection
            Arena payloadArena = Arena.ofShared();
            MemorySegment data = payloadArena.allocate(common.heapSize, 64);
            io.spead4j.send.Heap heap = new io.spead4j.send.Heap(flavour).addItem(ITEM_ID, data, false);
            io.spead4j.send.Heap end = new io.spead4j.send.Heap(flavour).addEnd();
            io.spead4j.send.StreamConfig config = new io.spead4j.send.StreamConfig(receiver.maxPacketSize(),
                    rate, burst, maxHeaps, burstRateRatio, rateMethod);
            // timed as spead2_bench times it: from before the stream is made to the last heap's completion,
            // without the thread pool's start or the stream's and pool's shutdown
            try (payloadArena; ThreadPool pool = new ThreadPool(1)) {
                long start = System.nanoTime();
                try (io.spead4j.send.Stream stream = receiver.tcp
                        ? Network.tcpSender(pool, dataEndpoint, config,
                                sendBuffer != null ? sendBuffer : Network.TCP_BUFFER, sendBind)
                        : Network.udpSender(pool, List.of(dataEndpoint), config,
                                sendBuffer != null ? sendBuffer : Network.UDP_SEND_BUFFER, ttl, sendBind)) {
                    long transferred = sendAll(stream, heap, end, numHeaps);
                    return transferred / ((System.nanoTime() - start) / 1e9);
                }
            }
        }

        private long sendAll(io.spead4j.send.Stream stream, io.spead4j.send.Heap heap, io.spead4j.send.Heap end,
                long numHeaps) throws IOException, InterruptedException {
            long total = numHeaps + 1;
            int window = (int) Math.min(maxHeaps, total);
            @SuppressWarnings("unchecked")
            CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[window];
            long bytes = 0;
            try {
                for (long i = 0; i < total; i++) {
                    int slot = (int) (i % window);
                    if (pending[slot] != null) {
                        bytes += pending[slot].get();
                    }
                    pending[slot] = stream.sendHeapAsync(i < numHeaps ? heap : end);
                }
                for (CompletableFuture<Long> f : pending) {
                    if (f != null) {
                        bytes += f.get();
                    }
                }
            } catch (ExecutionException e) {
                throw new Main.ToolException(1, "Transmission error: " + e.getCause().getMessage(), e.getCause());
            }
            return bytes;
        }

        /** The receiver options as {@code name = value} lines (spead2_bench's {@code enumerate_wire}). */
        List<String> wireOptions() {
            ReceiverOptions r = receiver;
            List<String> lines = new ArrayList<>();
            lines.add("multicast = " + multicast);
            lines.add("tcp = " + (r.tcp ? 1 : 0));
            lines.add("pyspead = " + (r.pyspead ? 1 : 0));
            lines.add("bind = " + r.bind);
            lines.add("packet = " + r.maxPacketSize());
            lines.add("buffer = " + r.bufferSize());
            lines.add("concurrent-heaps = " + r.concurrentHeaps);
            lines.add("substreams = " + r.substreams);
            lines.add("ring-heaps = " + r.ringHeaps);
            lines.add("mem-pool = " + (r.memPool ? 1 : 0));
            lines.add("mem-lower = " + r.memLower);
            lines.add("mem-upper = " + r.memUpper);
            lines.add("mem-max-free = " + r.memMaxFree);
            lines.add("mem-initial = " + r.memInitial);
            lines.add("ring = " + (r.ring ? 1 : 0));
            lines.add("memcpy-nt = " + (r.memcpyNt ? 1 : 0));
            return lines;
        }
    }

    // ------------------------------------------------------------------------------------------------ inproc

    /** {@code bench inproc}: heaps/s and Gb/s through the in-process transport, sender and receiver concurrent. */
    @Command(name = "inproc", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measure the in-process transport (send.InprocStream -> recv.Stream.addInprocReader).",
                "Without --heap-size/--packet runs three cases: 4 MiB heaps in 9000 B packets, "
                    + "4 MiB heaps in 1472 B packets, 8 KiB heaps in 9000 B packets."})
    static final class Inproc implements Callable<Integer> {
        @Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--heap-size", paramLabel = "BYTES", description = "Heap payload size (one case)")
        Integer heapSize;

        @Option(names = "--packet", paramLabel = "BYTES", description = "Maximum packet size (one case)")
        Integer packet;

        @Option(names = "--bytes", paramLabel = "BYTES",
                description = "Payload to send per case, decides the heap count (default ${DEFAULT-VALUE})")
        long bytes = 1L << 30;

        @Option(names = "--heaps", paramLabel = "N", description = "Number of heaps per case (overrides --bytes)")
        Long heaps;

        @Option(names = "--window", paramLabel = "N",
                description = "Most heaps sent but not yet received (bounds the unbounded queue; default ${DEFAULT-VALUE})")
        int window = 16;

        @Option(names = "--quiet", description = "Print only heaps/s and Gb/s per case")
        boolean quiet;

        @Option(names = "--no-warmup", description = "Skip the untimed warm-up run (a quarter of the heaps) per case")
        boolean noWarmup;

        @Override
        public Integer call() throws Exception {
            CommandLine cl = spec.commandLine();
            List<int[]> cases = new ArrayList<>();
            if (heapSize == null && packet == null) {
                cases.add(new int[] {4 << 20, 9000});
                cases.add(new int[] {4 << 20, 1472});
                cases.add(new int[] {8 << 10, 9000});
            } else {
                cases.add(new int[] {heapSize != null ? heapSize : 4 << 20, packet != null ? packet : 9000});
            }
            for (int[] c : cases) {
                if (c[0] < 1 || c[1] < 56) {
                    throw new CommandLine.ParameterException(cl, "--heap-size must be positive and --packet at least 56");
                }
            }
            if (window < 1 || (heaps != null && heaps < 1) || bytes < 1) {
                throw new CommandLine.ParameterException(cl, "--window, --heaps and --bytes must be positive");
            }
            PrintWriter out = cl.getOut();
            for (int[] c : cases) {
                long n = heaps != null ? heaps : Math.max(1, bytes / c[0]);
                if (!noWarmup) {
                    run(c[0], c[1], Math.max(1, n / 4)); // lets the JIT compile the path before it is timed
                }
                double[] r = run(c[0], c[1], n);
                double heapsPerSecond = n / r[0];
                double gbps = (double) c[0] * n * 8e-9 / r[0];
                if (quiet) {
                    out.print(CppFormat.general(heapsPerSecond) + " " + CppFormat.general(gbps) + "\n");
                } else {
                    out.print(String.format(Locale.ROOT,
                            "%d-byte heaps in %d-byte packets: %d heaps in %s seconds: %s heaps/s, %s Gb/s%n",
                            c[0], c[1], n, CppFormat.general(r[0]), CppFormat.general(heapsPerSecond),
                            CppFormat.general(gbps)));
                }
                out.flush();
                if (r[1] != n) {
                    throw new Main.ToolException(1, "received " + (long) r[1] + " of " + n + " heaps");
                }
            }
            return 0;
        }

        /** Sends n heaps through a queue while a ring stream receives them; returns {seconds, heaps received}. */
        private double[] run(int heapBytes, int packetBytes, long n) throws Exception {
            InprocQueue queue = new InprocQueue();
            Semaphore credit = new Semaphore(window);
            AtomicLong received = new AtomicLong();
            StreamConfig recvConfig = new StreamConfig()
                    .withMemoryAllocator(new MemoryPool(heapBytes, heapBytes + 1024, 12, 8));
            try (ThreadPool recvPool = new ThreadPool(1); ThreadPool sendPool = new ThreadPool(1);
                 io.spead4j.recv.Stream rx = new io.spead4j.recv.Stream(recvPool, recvConfig,
                         io.spead4j.recv.RingStreamConfig.DEFAULT.withHeaps(16));
                 InprocStream tx = new InprocStream(sendPool, List.of(queue),
                         new io.spead4j.send.StreamConfig().withMaxPacketSize(packetBytes).withMaxHeaps(8))) {
                rx.addInprocReader(queue);
                ProgressLine progress = ProgressLine.start(spec.commandLine().getErr(), quiet, List.of(rx),
                        () -> received.get() * heapBytes);
                io.spead4j.send.Heap heap = new io.spead4j.send.Heap().addItem(ITEM_ID, new byte[heapBytes], false);
                Thread consumer = Thread.ofPlatform().name("spead4j-bench-inproc").start(() -> {
                    for (HeapBase h : rx) {
                        received.incrementAndGet();
                        credit.release();
                        if (h instanceof Heap full) {
                            full.release();
                        }
                    }
                });
                long start = System.nanoTime();
                int inFlight = tx.config().maxHeaps();
                @SuppressWarnings("unchecked")
                CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[inFlight];
                for (long i = 0; i < n; i++) {
                    credit.acquire();
                    int slot = (int) (i % inFlight);
                    if (pending[slot] != null) {
                        pending[slot].get();
                    }
                    pending[slot] = tx.sendHeapAsync(heap);
                }
                for (CompletableFuture<Long> f : pending) {
                    if (f != null) {
                        f.get();
                    }
                }
                tx.sendHeap(new io.spead4j.send.Heap().addEnd());
                consumer.join();
                progress.close();
                double seconds = (System.nanoTime() - start) / 1e9;
                return new double[] {seconds, received.get()};
            }
        }
    }
}
