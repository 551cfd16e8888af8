package io.spead4j.tools;

import io.spead4j.BugCompat;
import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.ThreadPool;
import io.spead4j.net.PcapWriter;
import io.spead4j.send.Heap;
import io.spead4j.send.PacketBatch;
import io.spead4j.send.RateMethod;
import io.spead4j.send.StreamConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code spead4j send}: spead2_send. Sends test heaps (descriptors first, optional verifiable payload, end
 * heaps) to one or more destinations and prints the throughput as spead2_send does.
 */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Send test SPEAD heaps (spead2_send)")
final class SendCommand implements Callable<Integer> {
    static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--heap-size", paramLabel = "BYTES", description = "Payload size for heap (default ${DEFAULT-VALUE})")
    long heapSize = 4194304;

    @Option(names = "--items", paramLabel = "N", description = "Number of items per heap (default ${DEFAULT-VALUE})")
    int items = 1;

    @Option(names = "--heaps", paramLabel = "N", description = "Number of data heaps to send (-1=infinite, the default)")
    long heaps = -1;

    @Option(names = "--verify", description = "Insert payload values that receiver can verify")
    boolean verify;

    @Option(names = "--tcp", description = "Use TCP instead of UDP")
    boolean tcp;

    @Option(names = "--pyspead", description = "Be bug-compatible with PySPEAD")
    boolean pyspead;

    @Option(names = "--addr-bits", paramLabel = "BITS", description = "Heap address bits (default ${DEFAULT-VALUE})")
    int addrBits = 40;

    @Option(names = "--packet", paramLabel = "BYTES", description = "Maximum packet size to send (default ${DEFAULT-VALUE})")
    int packet = StreamConfig.DEFAULT_MAX_PACKET_SIZE;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Local address to bind sockets to")
    String bind = "";

    @Option(names = "--buffer", paramLabel = "BYTES", description = "Socket buffer size (default 512 KiB UDP, 208 KiB TCP)")
    Integer buffer;

    @Option(names = "--burst", paramLabel = "BYTES", description = "Burst size (default ${DEFAULT-VALUE})")
    long burst = StreamConfig.DEFAULT_BURST_SIZE;

    @Option(names = "--burst-rate-ratio", paramLabel = "RATIO",
            description = "Hard rate limit, relative to --rate (default ${DEFAULT-VALUE})")
    double burstRateRatio = StreamConfig.DEFAULT_BURST_RATE_RATIO;

    @Option(names = "--max-heaps", paramLabel = "N", description = "Maximum heaps in flight (default ${DEFAULT-VALUE})")
    int maxHeaps = StreamConfig.DEFAULT_MAX_HEAPS;

    @Option(names = "--rate-method", paramLabel = "METHOD", converter = RateMethodConverter.class,
            description = "Rate limiting method (SW/HW/AUTO, default AUTO). spead4j has no hardware rate limiting: "
                    + "HW and AUTO have the same effect as SW")
    RateMethod rateMethod = RateMethod.AUTO;

    @Option(names = "--rate", paramLabel = "GBPS", description = "Transmission rate bound (Gb/s, 0 = unlimited)")
    double rate;

    @Option(names = "--ttl", paramLabel = "N", description = "TTL for multicast target (default ${DEFAULT-VALUE})")
    int ttl = 1;

    @Mixin
    IbverbsOptions ibverbs = new IbverbsOptions();

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "spead4j: write the packets as UDP frames to a pcap file instead of sending them")
    Path pcap;

    @Parameters(paramLabel = "HOST:PORT", arity = "0..*", description = "Destinations (one substream each)")
    List<String> destinations = new ArrayList<>();

    /** spead2's rate method names: SW, HW, AUTO in either case. */
    static final class RateMethodConverter implements CommandLine.ITypeConverter<RateMethod> {
        @Override
        public RateMethod convert(String value) {
            return switch (value) {
                case "SW", "sw" -> RateMethod.SW;
                case "HW", "hw" -> RateMethod.HW;
                case "AUTO", "auto" -> RateMethod.AUTO;
                default -> throw new CommandLine.TypeConversionException("expected SW, HW or AUTO, got '" + value + "'");
            };
        }
    }

    private String validate() {
        if (destinations.isEmpty()) {
            return "at least one destination is required";
        }
        if (destinations.size() > 1 && tcp) {
            return "only one destination is supported with TCP";
        }
        String ibverbs = this.ibverbs.validate();
        if (ibverbs != null) {
            return ibverbs;
        }
        if (items < 1) {
            return "--items must be at least 1";
        }
        if (heapSize < 0 || heapSize / items / 4 > Integer.MAX_VALUE / 4) {
            return "--heap-size out of range";
        }
        if (maxHeaps < 1) {
            return "--max-heaps must be at least 1";
        }
        if (heaps < -1) {
            return "--heaps must be -1 (infinite) or at least 0";
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            return "--rate must be a non-negative number";
        }
        if (!(burstRateRatio >= 1.0)) {
            return "--burst-rate-ratio must be at least 1";
        }
        if (burst < 0) {
            return "--burst must not be negative";
        }
        if (packet < 56) {
            return "--packet must be at least 56 bytes";
        }
        try {
            new Flavour(addrBits, 0);
        } catch (IllegalArgumentException e) {
            return "--addr-bits: " + e.getMessage();
        }
        if (pcap != null && tcp) {
            return "--pcap writes UDP frames and cannot be used with --tcp";
        }
        return null;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        String bad = validate();
        List<InetSocketAddress> endpoints = new ArrayList<>();
        if (bad == null) {
            try {
                for (String d : destinations) {
                    endpoints.add(Network.endpoint(d, false));
                }
            } catch (IllegalArgumentException e) {
                bad = e.getMessage();
            }
        }
        if (bad != null) {
            throw new CommandLine.ParameterException(cl, bad);
        }
        StreamConfig config = new StreamConfig(packet, rate * (1e9 / 8), burst, maxHeaps, burstRateRatio, rateMethod);
        Sender sender = new Sender(cl);
        try (ThreadPool pool = new ThreadPool(1); Arena arena = Arena.ofShared()) {
            sender.allocate(arena);
            io.spead4j.send.Stream stream;
            try {
                stream = openStream(pool, endpoints, config);
            } catch (IOException e) {
                throw new Main.ToolException(1, RecvCommand.describe(e), e);
            }
            try (stream) {
                long start = System.nanoTime();
                long sent = sender.run(stream);
                double elapsed = (System.nanoTime() - start) / 1e9;
                cl.getOut().print("Sent " + sent + " bytes in " + CppFormat.general(elapsed) + " seconds, "
                        + CppFormat.general(sent * 8.0e-9 / elapsed) + " Gb/s\n");
                cl.getOut().flush();
            }
        }
        return 0;
    }

    private io.spead4j.send.Stream openStream(ThreadPool pool, List<InetSocketAddress> endpoints, StreamConfig config)
            throws IOException {
        if (pcap != null) {
            return new PcapStream(pool, config, endpoints, PcapWriter.create(pcap));
        }
        if (tcp) {
            return Network.tcpSender(pool, endpoints.getFirst(), config, buffer != null ? buffer : Network.TCP_BUFFER,
                    bind);
        }
        return Network.udpSender(pool, endpoints, config, buffer != null ? buffer : Network.UDP_SEND_BUFFER, ttl, bind);
    }

    /** spead2_send's {@code sender}: the heaps, their buffers and the in-flight window. */
    private final class Sender {
        private final int substreams = destinations.size();
        private final int inFlight;
        private final int elements;
        private final long itemSize;
        private final Heap[] firstHeaps;
        private final Heap[] dataHeaps;
        private final Heap lastHeap;
        private final MemorySegment[][] buffers;
        private final MinstdRand generator = new MinstdRand();

        Sender(CommandLine cl) {
            inFlight = heaps < 0 || heaps + substreams > maxHeaps ? maxHeaps : (int) (heaps + substreams);
            elements = (int) (heapSize / ((long) items * 4));
            itemSize = 4L * elements;
            long actual = itemSize * items;
            if (actual != heapSize) {
                cl.getErr().print("Heap size is not an exact multiple: using " + actual + " instead of " + heapSize + "\n");
                cl.getErr().flush();
            }
            firstHeaps = new Heap[inFlight];
            dataHeaps = new Heap[inFlight];
            buffers = new MemorySegment[inFlight][items];
            lastHeap = new Heap(new Flavour(addrBits, pyspead ? BugCompat.PYSPEAD_0_5_2 : 0)).addEnd();
        }

        void allocate(Arena arena) {
            String header = "{'shape': (" + elements + ",), 'fortran_order': False, 'descr': '>u4'}";
            for (int i = 0; i < inFlight; i++) {
                firstHeaps[i] = new Heap(Flavour.DEFAULT);
                dataHeaps[i] = new Heap(Flavour.DEFAULT);
                for (int j = 0; j < items; j++) {
                    firstHeaps[i].addDescriptor(new Descriptor(0x1000 + j, "Test item " + j,
                            "A test item with arbitrary value", List.of(), List.of(), header));
                }
                for (int j = 0; j < items; j++) {
                    buffers[i][j] = arena.allocate(Math.max(1, itemSize), 8).asSlice(0, itemSize);
                    firstHeaps[i].addItem(0x1000 + j, buffers[i][j], true);
                    dataHeaps[i].addItem(0x1000 + j, buffers[i][j], true);
                }
            }
        }

        private Heap heap(long idx) {
            Heap heap;
            if (idx < substreams) {
                heap = firstHeaps[(int) (idx % inFlight)];
            } else if (heaps >= 0 && idx >= heaps) {
                return lastHeap;
            } else {
                heap = dataHeaps[(int) (idx % inFlight)];
            }
            if (verify) {
                for (MemorySegment item : buffers[(int) (idx % inFlight)]) {
                    for (int e = 0; e < elements; e++) {
                        item.set(BE_INT, 4L * e, generator.next());
                    }
                }
            }
            return heap;
        }

        long run(io.spead4j.send.Stream stream) throws IOException, InterruptedException {
            long total = heaps < 0 ? Long.MAX_VALUE : heaps + substreams;
            @SuppressWarnings("unchecked")
            CompletableFuture<Long>[] pending = (CompletableFuture<Long>[]) new CompletableFuture<?>[inFlight];
            long bytes = 0;
            IOException error = null;
            for (long idx = 0; idx < total && error == null; idx++) {
                int slot = (int) (idx % inFlight);
                if (pending[slot] != null) {
                    try {
                        bytes += pending[slot].get();
                    } catch (ExecutionException e) {
                        error = asIo(e.getCause());
                        break;
                    }
                }
                pending[slot] = stream.sendHeapAsync(heap(idx), -1, (int) (idx % substreams));
            }
            for (CompletableFuture<Long> f : pending) {
                if (f != null) {
                    try {
                        bytes += f.get();
                    } catch (ExecutionException e) {
                        if (error == null) {
                            error = asIo(e.getCause());
                        }
                    }
                }
            }
            if (error != null) {
                throw new Main.ToolException(1, "Transmission error: " + error.getMessage(), error);
            }
            return bytes;
        }

        private IOException asIo(Throwable t) {
            return t instanceof IOException io ? io : new IOException(String.valueOf(t), t);
        }
    }

    /** A sender that writes each packet as a UDP frame into a pcap file (spead4j's {@code --pcap}). */
    static final class PcapStream extends io.spead4j.send.Stream {
        private final PcapWriter writer;
        private final int[] addresses;
        private final int[] ports;
        private final int source;

        PcapStream(ThreadPool pool, StreamConfig config, List<InetSocketAddress> endpoints, PcapWriter writer) {
            super(pool, config, endpoints.size());
            this.writer = writer;
            this.addresses = new int[endpoints.size()];
            this.ports = new int[endpoints.size()];
            for (int i = 0; i < endpoints.size(); i++) {
                InetSocketAddress ep = endpoints.get(i);
                if (!(ep.getAddress() instanceof Inet4Address v4)) {
                    throw new IllegalArgumentException("--pcap needs IPv4 destinations, got " + ep);
                }
                byte[] b = v4.getAddress();
                addresses[i] = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                ports[i] = ep.getPort();
            }
            this.source = 0x7f000001;
        }

        @Override
        protected void writePackets(PacketBatch batch) {
            long now = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < batch.size(); i++) {
                int s = batch.substreamIndex(i);
                try {
                    writer.writeUdp(source, 40000, addresses[s], ports[s],
                            batch.segment().asSlice(batch.offset(i), batch.length(i)), now);
                } catch (IOException e) {
                    batch.fail(i, e);
                }
            }
        }

        @Override
        public void close() {
            super.close();
            try {
                writer.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "PcapStream(%d destinations)", addresses.length);
        }
    }
}
