package io.spead4j.tools;

import io.spead4j.InprocQueue;
import io.spead4j.MemoryPool;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.InprocStream;
import io.spead4j.send.PacketGenerator;
import io.spead4j.send.TcpStream;
import io.spead4j.send.UdpStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code spead4j bench soak}: sends heaps for a given time over one transport while a receiver checks every heap
 * (sequence number and CRC-32C, see {@link SoakHeaps}), prints progress, and ends with the heaps sent, received,
 * lost and corrupted, the memory of the process over time and, over UDP, the kernel's drop count beside the
 * stream's. The exit status is 1 if a heap was corrupted or out of order, if a heap was lost over inproc or TCP,
 * or if over UDP the packets the stream lost differ from the datagrams the kernel dropped.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send checked heaps for a while over inproc, TCP or UDP and verify that each arrives intact.",
            "Every heap carries a sequence number and the CRC-32C of its payload; the receiver checks both as heaps "
                + "arrive. At the end: heaps sent, received, lost and corrupted, the Java heap in use after a "
                + "full GC over time (flat after warm-up: within 10%%), and over UDP the packets the stream lost "
                + "against the datagrams the kernel dropped for its socket (drops in /proc/net/udp; the host's "
                + "RcvbufErrors in /proc/net/snmp is shown beside it). UDP is sent without segmentation offload, "
                + "which the kernel would count as one drop per offloaded message.",
            "Exit status 1 if a heap was corrupted, or lost over inproc/TCP, or if UDP losses differ from the "
                + "kernel's count."})
final class SoakCommand implements Callable<Integer> {
    /** How long the sender waits for the receiver to take a heap before it gives up. */
    private static final long STALL_SECONDS = 30;
    /** How long a UDP receiver may take to see the end heap after the sender sent it. */
    private static final long UDP_END_GRACE_MILLIS = 2000;
    /** Longest wait for the sender to pause, and then for the receiver to catch up, before a memory sample. */
    private static final long QUIET_WAIT_MILLIS = 5000;
    /** io.spead4j.send.UdpStream's switch for segmentation offload. */
    private static final String NO_GSO_PROPERTY = "spead4j.udp.noGso";

    /** The transport to soak. */
    enum Transport { INPROC, TCP, UDP }

    /** Reads {@code inproc}, {@code tcp} or {@code udp}, in any case. */
    static final class TransportConverter implements CommandLine.ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            try {
                return Transport.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected inproc, tcp or udp, got '" + value + "'");
            }
        }
    }

    /** Reads a duration: a number with a unit {@code ms}, {@code s}, {@code m} or {@code h} (seconds if none). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--transport", paramLabel = "inproc|tcp|udp", converter = TransportConverter.class,
            description = "Transport (default inproc)")
    Transport transport = Transport.INPROC;

    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "How long to send, e.g. 30s, 10m (default 30s)")
    Duration duration = Duration.ofSeconds(30);

    @Option(names = "--heap-size", paramLabel = "BYTES", description = "Payload bytes per heap (default ${DEFAULT-VALUE})")
    int heapSize = 65536;

    @Option(names = "--packet", paramLabel = "BYTES", description = "Maximum packet size (default ${DEFAULT-VALUE})")
    int packet = 1472;

    @Option(names = "--rate", paramLabel = "GBPS",
            description = "Send rate in Gb/s, 0 for no limit (default: 0.5 over UDP, no limit otherwise)")
    Double rateGbps;

    @Option(names = "--window", paramLabel = "N", description = "Most heaps sent but not yet received (default ${DEFAULT-VALUE})")
    int window = 8;

    @Option(names = "--recv-buffer", paramLabel = "BYTES",
            description = "UDP socket receive buffer size (default 8 MiB, spead2's)")
    int recvBuffer = StreamBase.DEFAULT_UDP_BUFFER_SIZE;

    @Option(names = "--progress", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Progress line interval (default 5s)")
    Duration progress = Duration.ofSeconds(5);

    @Option(names = "--memory-interval", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Memory sample interval (default: a 60th of the duration, 1s to 10s)")
    Duration memoryInterval;

    @Option(names = "--warmup", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Memory samples before this are warm-up, not checked (default: a quarter of the "
                    + "duration, at most 60s)")
    Duration warmup;

    @Option(names = "--corrupt-heap", paramLabel = "SEQ", hidden = true,
            description = "Test hook: flip a payload bit of heap SEQ after its checksum was computed")
    long corruptHeap = -1;

    /** The receiver's running tally; written by the consumer thread only. */
    static final class Tally {
        final AtomicLong received = new AtomicLong();
        final AtomicLong corrupted = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicReference<String> firstProblem = new AtomicReference<>();
        private long expected;

        /**
         * Counts one received heap.
         *
         * @param check what the heap holds
         */
        void count(SoakHeaps.Check check) {
            long seq = check.sequence();
            if (!check.intact()) {
                corrupted.incrementAndGet();
                firstProblem.compareAndSet(null, check.problem());
            } else if (seq < expected) {
                outOfOrder.incrementAndGet();
                firstProblem.compareAndSet(null, "heap " + seq + " arrived after heap " + (expected - 1));
            } else {
                received.incrementAndGet();
            }
            if (seq >= expected) {
                gaps.addAndGet(seq - expected);
                expected = seq + 1;
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        String bad = validate();
        if (bad != null) {
            throw new CommandLine.ParameterException(cl, bad);
        }
        PrintWriter out = cl.getOut();
        double rate = (rateGbps != null ? rateGbps : transport == Transport.UDP ? 0.5 : 0) * 1e9 / 8;
        Duration memoryEvery = memoryInterval != null ? memoryInterval
                : clamp(duration.dividedBy(60), Duration.ofSeconds(1), Duration.ofSeconds(10));
        Duration warm = warmup != null ? warmup : min(duration.dividedBy(4), Duration.ofSeconds(60));
        out.print(String.format(Locale.ROOT, "Soak over %s for %s: %d-byte heaps in %d-byte packets, %s%n",
                transport.name().toLowerCase(Locale.ROOT), format(duration), heapSize, packet,
                rate > 0 ? String.format(Locale.ROOT, "%s Gb/s", CppFormat.general(rate * 8e-9)) : "no rate limit"));
        out.flush();

        int pooled = window + 16 + 8;
        // over UDP the end heap may be lost, so the receiver does not stop on it: the socket must stay open
        // until its drop count has been read
        StreamConfig recvConfig = new StreamConfig()
                .withMemoryAllocator(new MemoryPool(heapSize, heapSize + 1024L, pooled, pooled))
                .withStopOnStopItem(transport != Transport.UDP);
        io.spead4j.send.StreamConfig sendConfig = new io.spead4j.send.StreamConfig()
                .withMaxPacketSize(packet).withMaxHeaps(window).withRate(rate);
        long packetsPerHeap = new PacketGenerator(SoakHeaps.heap(0, new byte[heapSize], 0), 1, packet)
                .packets().size();
        Tally tally = new Tally();
        SoakMemory memory = new SoakMemory();
        Semaphore credit = transport == Transport.INPROC ? new Semaphore(window) : null;
        AtomicLong sent = new AtomicLong();
        KernelUdpCounters kernelBefore = null;
        KernelUdpCounters kernelAfter = null;
        long socketDrops = -1;
        java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
        long packetsReceived;
        long start;
        boolean endSeen;
        try (ThreadPool recvPool = new ThreadPool(1); ThreadPool sendPool = new ThreadPool(1);
             io.spead4j.recv.Stream rx = new io.spead4j.recv.Stream(recvPool, recvConfig,
                     RingStreamConfig.DEFAULT.withHeaps(16))) {
            InprocQueue queue = null;
            InetSocketAddress at = null;
            InetAddress loopback = InetAddress.getLoopbackAddress();
            switch (transport) {
                case INPROC -> {
                    queue = new InprocQueue();
                    rx.addInprocReader(queue);
                }
                case TCP -> {
                    rx.addTcpReader(0, Math.max(StreamBase.DEFAULT_TCP_MAX_SIZE, packet),
                            StreamBase.DEFAULT_TCP_BUFFER_SIZE, loopback.getHostAddress());
                    at = rx.localAddresses().getLast();
                }
                case UDP -> {
                    kernelBefore = KernelUdpCounters.read(KernelUdpCounters.SNMP);
                    rx.addUdpReader(0, Math.max(StreamBase.DEFAULT_UDP_MAX_SIZE, packet),
                            recvBuffer, loopback.getHostAddress());
                    at = rx.localAddresses().getLast();
                }
            }
            Thread consumer = Thread.ofPlatform().name("spead4j-soak-receiver").start(() -> {
                for (HeapBase h : rx) {
                    if (h.isEndOfStream()) {
                        end.countDown();
                        if (h instanceof Heap heap) {
                            heap.release();
                        }
                    } else if (h instanceof Heap heap) {
                        try {
                            tally.count(SoakHeaps.verify(heap, heapSize));
                        } finally {
                            heap.release();
                        }
                    }
                    if (credit != null) {
                        credit.release();
                    }
                }
            });
            try (io.spead4j.send.Stream tx = switch (transport) {
                case INPROC -> new InprocStream(sendPool, List.of(queue), sendConfig);
                case TCP -> new TcpStream(sendPool, List.of(at), sendConfig);
                case UDP -> udpSender(sendPool, at, sendConfig, loopback);
            }) {
                start = System.nanoTime();
                long deadline = start + duration.toNanos();
                CompletableFuture<Void> sender = new CompletableFuture<>();
                AtomicReference<Pause> pauses = new AtomicReference<>();
                Thread.ofPlatform().name("spead4j-soak-sender").start(() -> {
                    try {
                        send(tx, credit, deadline, sent, pauses);
                        sender.complete(null);
                    } catch (Throwable t) {
                        sender.completeExceptionally(t);
                    }
                });
                long nextProgress = start + progress.toNanos();
                long nextMemory = start + memoryEvery.toNanos();
                while (!sender.isDone()) {
                    long now = System.nanoTime();
                    if (now - nextMemory >= 0) {
                        sampleQuiet(memory, (now - start) / 1e9, pauses, sent, tally, sender);
                        nextMemory += memoryEvery.toNanos();
                    }
                    if (now - nextProgress >= 0) {
                        printProgress(out, (now - start) / 1e9, sent.get(), tally, memory);
                        nextProgress += progress.toNanos();
                    }
                    long wait = Math.min(nextMemory, nextProgress) - System.nanoTime();
                    try {
                        sender.get(Math.max(1, wait), TimeUnit.NANOSECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // time for the next sample or progress line
                    } catch (ExecutionException e) {
                        break; // reported below
                    }
                }
                try {
                    sender.get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    rx.stop();
                    consumer.join();
                    throw cause instanceof Main.ToolException t ? t
                            : new Main.ToolException(1, "sending failed: " + describe(cause), cause);
                }
            }
            if (transport == Transport.UDP) {
                // every datagram was queued or dropped when the sender returned; the end heap (if it was not
                // dropped) arrives after all the others, or the grace lets the reader drain the socket
                endSeen = end.await(UDP_END_GRACE_MILLIS, TimeUnit.MILLISECONDS);
                socketDrops = KernelUdpCounters.socketDrops(at);
                kernelAfter = KernelUdpCounters.read(KernelUdpCounters.SNMP);
                rx.stop();
                consumer.join();
            } else {
                consumer.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
                endSeen = !consumer.isAlive();
                if (!endSeen) {
                    rx.stop();
                    consumer.join();
                }
            }
            packetsReceived = rx.getStats().packets();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return report(out, seconds, warm, sent.get(), packetsPerHeap, packetsReceived, endSeen, tally, memory,
                socketDrops, kernelBefore, kernelAfter);
    }

    /** @return why the options cannot be used, or null */
    private String validate() {
        if (duration.isNegative() || duration.isZero()) {
            return "--duration must be positive";
        }
        if (heapSize < 1 || heapSize > (1 << 30)) {
            return "--heap-size must be in [1, 2^30]";
        }
        if (packet < 64 || packet > 65535) {
            return "--packet must be in [64, 65535]";
        }
        if (window < 1 || window > 1024) {
            return "--window must be in [1, 1024]";
        }
        if (recvBuffer < 0) {
            return "--recv-buffer must not be negative";
        }
        long buffers = (long) heapSize * (2L * window + 24); // the sender's payloads and the receiver's pool
        if (buffers > Runtime.getRuntime().maxMemory() / 2) {
            return "--heap-size " + heapSize + " with --window " + window + " needs " + buffers / 1048576
                    + " MiB of buffers, more than half the Java heap (-Xmx)";
        }
        if (rateGbps != null && !(rateGbps >= 0 && Double.isFinite(rateGbps))) {
            return "--rate must be 0 or more";
        }
        for (Duration d : new Duration[] {progress, memoryInterval}) {
            if (d != null && d.toMillis() < 1) {
                return "--progress and --memory-interval must be at least 1ms";
            }
        }
        if (warmup != null && warmup.isNegative()) {
            return "--warmup must not be negative";
        }
        return null;
    }

    /**
     * A request that the sender pause: it sends nothing more and waits for every heap it sent to be sent, then
     * counts down {@code paused} and waits for {@code resume}.
     */
    private record Pause(java.util.concurrent.CountDownLatch paused, java.util.concurrent.CountDownLatch resume) {
        Pause() {
            this(new java.util.concurrent.CountDownLatch(1), new java.util.concurrent.CountDownLatch(1));
        }
    }

    /**
     * Takes a memory sample with nothing in flight, so that it measures what the process keeps rather than how
     * many heaps happen to be on their way: pauses the sender, waits until the receiver has accounted for every
     * heap sent (or, over UDP where some may be lost, until its count stops moving), samples, resumes.
     */
    private void sampleQuiet(SoakMemory memory, double seconds, AtomicReference<Pause> pauses, AtomicLong sent,
            Tally tally, CompletableFuture<Void> sender) throws InterruptedException {
        Pause pause = new Pause();
        pauses.set(pause);
        try {
            long pauseBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_WAIT_MILLIS);
            while (!pause.paused().await(10, TimeUnit.MILLISECONDS) && !sender.isDone()
                    && System.nanoTime() - pauseBy < 0) {
                // the sender pauses between heaps; it may also have reached the end of the run
            }
            if (pause.paused().getCount() != 0) {
                return; // the run ended (its payload buffers are gone: a sample now would not compare)
            }
            long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_WAIT_MILLIS);
            long seen = -1;
            while (System.nanoTime() - waitUntil < 0) {
                long accounted = tally.received.get() + tally.corrupted.get() + tally.outOfOrder.get();
                if (accounted >= sent.get()) {
                    break;
                }
                if (transport == Transport.UDP && accounted == seen) {
                    break; // nothing arrived for 20 ms: the rest was lost
                }
                seen = accounted;
                Thread.sleep(20);
            }
            memory.sample(seconds);
        } finally {
            pauses.set(null);
            pause.resume().countDown();
        }
    }

    /** Sends heaps until the deadline (pausing when asked), then the end heap; counts them in {@code sent}. */
    private void send(io.spead4j.send.Stream tx, Semaphore credit, long deadline, AtomicLong sent,
            AtomicReference<Pause> pauses) throws Exception {
        byte[][] payloads = new byte[window][heapSize];
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[window];
        long seq = 0;
        try {
            while (System.nanoTime() - deadline < 0) {
                Pause pause = pauses.get();
                if (pause != null && pause.paused().getCount() > 0) {
                    for (CompletableFuture<Long> f : pending) {
                        if (f != null) {
                            f.get();
                        }
                    }
                    pause.paused().countDown();
                    pause.resume().await();
                }
                int slot = (int) (seq % window);
                if (pending[slot] != null) {
                    pending[slot].get();
                }
                if (credit != null && !credit.tryAcquire(STALL_SECONDS, TimeUnit.SECONDS)) {
                    throw new Main.ToolException(1, "the receiver took no heap for " + STALL_SECONDS + " s");
                }
                byte[] payload = payloads[slot];
                SoakHeaps.fill(payload, seq);
                long checksum = SoakHeaps.checksum(ByteBuffer.wrap(payload));
                if (seq == corruptHeap) {
                    payload[payload.length / 2] ^= 1;
                }
                pending[slot] = tx.sendHeapAsync(SoakHeaps.heap(seq, payload, checksum));
                seq++;
                sent.set(seq);
            }
            for (CompletableFuture<Long> f : pending) {
                if (f != null) {
                    f.get();
                }
            }
        } catch (ExecutionException e) {
            throw new Main.ToolException(1, "sending failed: " + describe(e.getCause()), e.getCause());
        }
        tx.sendHeap(new io.spead4j.send.Heap().addEnd());
    }

    private static void printProgress(PrintWriter out, double seconds, long sent, Tally tally, SoakMemory memory) {
        List<SoakMemory.Sample> samples = memory.samples();
        out.print(String.format(Locale.ROOT, "[%6.0f s] sent %d, received %d, lost %d, corrupted %d%s%n", seconds,
                sent, tally.received.get(), tally.gaps.get(), tally.corrupted.get(),
                samples.isEmpty() ? "" : "; heap used after GC " + SoakMemory.mib(samples.getLast().heapUsed())));
        out.flush();
    }

    private int report(PrintWriter out, double seconds, Duration warm, long sent, long packetsPerHeap,
            long packetsReceived, boolean endSeen, Tally tally, SoakMemory memory, long socketDrops,
            KernelUdpCounters before, KernelUdpCounters after) {
        long received = tally.received.get();
        long corrupted = tally.corrupted.get();
        long outOfOrder = tally.outOfOrder.get();
        long lost = Math.max(0, sent - received - corrupted - outOfOrder);
        List<String> failures = new ArrayList<>();
        out.print(String.format(Locale.ROOT, "Ran %.1f s: heaps sent %d, received %d, lost %d, corrupted %d%s%n",
                seconds, sent, received, lost, corrupted, outOfOrder > 0 ? ", out of order " + outOfOrder : ""));
        if (corrupted > 0 || outOfOrder > 0) {
            failures.add((corrupted + outOfOrder) + " heaps corrupted or out of order (first: "
                    + tally.firstProblem.get() + ")");
        }
        if (transport != Transport.UDP) {
            if (lost > 0) {
                failures.add(lost + " heaps lost over " + transport.name().toLowerCase(Locale.ROOT));
            }
            if (!endSeen) {
                failures.add("the end of the stream did not arrive");
            }
        } else {
            long packetsSent = sent * packetsPerHeap + 1;
            long streamLost = packetsSent - packetsReceived;
            out.print(String.format(Locale.ROOT, "UDP packets: sent %d (%d per heap and the end heap), received %d,"
                    + " lost %d%n", packetsSent, packetsPerHeap, packetsReceived, streamLost));
            long rcvbuf = before == null || after == null ? -1
                    : after.get("RcvbufErrors") - before.get("RcvbufErrors");
            if (rcvbuf >= 0) {
                out.print(String.format(Locale.ROOT, "Kernel, whole host (/proc/net/snmp): RcvbufErrors +%d, "
                        + "InErrors +%d: %s%n", rcvbuf, after.get("InErrors") - before.get("InErrors"),
                        rcvbuf == streamLost ? "equal to the packets lost"
                                : "differ from the " + streamLost + " packets lost (every socket counts here)"));
            }
            if (socketDrops >= 0) {
                out.print(String.format(Locale.ROOT, "Kernel, this socket (/proc/net/udp drops): %d: %s%n",
                        socketDrops, socketDrops == streamLost ? "equal to the packets lost"
                                : "differ from the " + streamLost + " packets lost"));
            }
            // the socket's own count decides; the host-wide one where the socket's is not available
            long kernel = socketDrops >= 0 ? socketDrops : rcvbuf;
            if (kernel < 0) {
                out.print("Kernel counters: unavailable (no /proc/net/udp or /proc/net/snmp), not compared\n");
            } else if (kernel != streamLost) {
                failures.add("the stream lost " + streamLost + " packets but the kernel dropped " + kernel);
            }
        }
        out.print("Memory (Java heap in use after a full GC, taken with the sender paused and nothing in flight; "
                + "resident set of the process):\n");
        for (SoakMemory.Sample s : memory.samples()) {
            out.print("  " + s + "\n");
        }
        SoakMemory.Flatness flat = memory.afterWarmup(warm.toNanos() / 1e9);
        if (flat.samples() == 0) {
            out.print("Memory after the " + format(warm) + " warm-up: no samples, not checked\n");
        } else {
            out.print(String.format(Locale.ROOT,
                    "Memory after the %s warm-up: %d samples, min %s, max %s, spread %.1f%%: %s%n", format(warm),
                    flat.samples(), SoakMemory.mib(flat.min()), SoakMemory.mib(flat.max()), flat.spread() * 100,
                    flat.flat() ? "flat (within 10%)" : "NOT within 10%"));
        }
        out.print(failures.isEmpty() ? "Result: PASS\n" : "Result: FAIL\n");
        out.flush();
        if (!failures.isEmpty()) {
            throw new Main.ToolException(1, String.join("; ", failures));
        }
        return 0;
    }

    /**
     * Parses a duration such as {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h} or {@code 30} (seconds).
     *
     * @param text the text
     * @return the duration
     * @throws CommandLine.TypeConversionException if it is not one
     */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?").matcher(t);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("expected a duration such as 500ms, 30s, 10m or 1h, got '"
                    + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double nanos = value * switch (unit) {
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
        };
        if (nanos > Long.MAX_VALUE / 2.0) {
            throw new CommandLine.TypeConversionException("duration '" + text + "' is too long");
        }
        return Duration.ofNanos((long) nanos);
    }

    /**
     * The UDP sender, without segmentation offload: the kernel counts a dropped GSO message once however many
     * packets it holds, so the loss comparison is exact only packet by packet.
     */
    private static UdpStream udpSender(ThreadPool pool, InetSocketAddress to, io.spead4j.send.StreamConfig config,
            InetAddress local) throws java.io.IOException {
        String old = System.getProperty(NO_GSO_PROPERTY);
        System.setProperty(NO_GSO_PROPERTY, "true");
        try {
            return new UdpStream(pool, List.of(to), config, UdpStream.DEFAULT_BUFFER_SIZE, local);
        } finally {
            if (old == null) {
                System.clearProperty(NO_GSO_PROPERTY);
            } else {
                System.setProperty(NO_GSO_PROPERTY, old);
            }
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    private static Duration clamp(Duration d, Duration low, Duration high) {
        return d.compareTo(low) < 0 ? low : d.compareTo(high) > 0 ? high : d;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
