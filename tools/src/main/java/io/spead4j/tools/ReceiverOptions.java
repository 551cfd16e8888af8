package io.spead4j.tools;

import io.spead4j.BugCompat;
import io.spead4j.MemoryPool;
import io.spead4j.recv.MemcpyFunction;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * spead2's receiver and protocol options ({@code spead2_cmdline}): the stream configuration, ring size and
 * how each source becomes a reader. A picocli mixin shared by {@code recv} and {@code bench}; the names here are
 * spead2_recv's, and {@link BenchOptionNames} gives {@code bench mem} and {@code bench master} spead2_bench's.
 */
final class ReceiverOptions {
    @Option(names = "--tcp", description = "Use TCP instead of UDP")
    boolean tcp;

    @Option(names = "--pyspead", description = "Be bug-compatible with PySPEAD")
    boolean pyspead;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = {
        "Interface address: the address to listen on for a source given as :PORT, or the interface to join a",
        "multicast group on. spead4j applies it to IPv6 and TCP too (spead2_recv ignores it there)."})
    String bind = "";

    @Option(names = "--packet", paramLabel = "BYTES",
            description = "Maximum packet size to accept (default 9200 for UDP, 65536 for TCP)")
    Integer packet;

    @Option(names = "--buffer", paramLabel = "BYTES",
            description = "Socket buffer size (default 8 MiB for UDP, 208 KiB for TCP)")
    Integer buffer;

    @Option(names = "--concurrent-heaps", paramLabel = "N",
            description = "Maximum number of in-flight heaps, per substream (default ${DEFAULT-VALUE})")
    int concurrentHeaps = StreamConfig.DEFAULT_MAX_HEAPS;

    @Option(names = "--substreams", paramLabel = "N", description = "Number of parallel substreams (default ${DEFAULT-VALUE})")
    int substreams = 1;

    @Option(names = "--ring-heaps", paramLabel = "N", description = "Ring buffer capacity in heaps (default ${DEFAULT-VALUE})")
    int ringHeaps = RingStreamConfig.DEFAULT_HEAPS;

    @Option(names = "--mem-pool", description = "Use a memory pool")
    boolean memPool;

    @Option(names = "--mem-lower", paramLabel = "BYTES",
            description = "Minimum allocation which will use the memory pool (default ${DEFAULT-VALUE})")
    long memLower = 16384;

    @Option(names = "--mem-upper", paramLabel = "BYTES",
            description = "Maximum allocation which will use the memory pool (default ${DEFAULT-VALUE})")
    long memUpper = 32 * 1024 * 1024;

    @Option(names = "--mem-max-free", paramLabel = "N", description = "Maximum free memory buffers (default ${DEFAULT-VALUE})")
    int memMaxFree = 12;

    @Option(names = "--mem-initial", paramLabel = "N", description = "Initial free memory buffers (default ${DEFAULT-VALUE})")
    int memInitial = 8;

    @Option(names = "--ring", description = "Use ringbuffer instead of callbacks")
    boolean ring;

    @Option(names = "--memcpy-nt",
            description = "Use non-temporal memcpy (x86-64 Linux: non-temporal stores for payload pieces of 4 KiB "
                    + "and more; elsewhere a plain copy)")
    boolean memcpyNt;

    @Mixin
    IbverbsOptions ibverbs = new IbverbsOptions();

    /** @return a reason the options cannot be used, or null */
    String validate() {
        String ibverbs = this.ibverbs.validate();
        if (ibverbs != null) {
            return ibverbs;
        }
        if (concurrentHeaps < 1) {
            return "--concurrent-heaps must be at least 1";
        }
        if (substreams < 1) {
            return "--substreams must be at least 1";
        }
        if (ringHeaps < 1) {
            return "--ring-heaps must be at least 1";
        }
        if (packet != null && packet < 1) {
            return "--packet must be positive";
        }
        if (buffer != null && buffer < 0) {
            return "the socket buffer size (--buffer; --recv-buffer in bench master) must not be negative";
        }
        if (memPool && (memLower < 0 || memUpper < memLower || memMaxFree < 0 || memInitial < 0
                || memInitial > memMaxFree)) {
            return "memory pool options need 0 <= --mem-lower <= --mem-upper and 0 <= --mem-initial <= --mem-max-free";
        }
        return null;
    }

    /** @return the largest packet accepted */
    int maxPacketSize() {
        return packet != null ? packet : tcp ? Network.TCP_MAX_SIZE : Network.UDP_MAX_SIZE;
    }

    /** @return the socket buffer size */
    int bufferSize() {
        return buffer != null ? buffer : tcp ? Network.TCP_BUFFER : Network.UDP_RECV_BUFFER;
    }

    /** @return the stream configuration (spead2's {@code make_stream_config}) */
    StreamConfig streamConfig() {
        StreamConfig config = new StreamConfig().withMaxHeaps(concurrentHeaps).withSubstreams(substreams)
                .withMemcpy(memcpyNt ? MemcpyFunction.NONTEMPORAL : MemcpyFunction.STD)
                .withBugCompat(pyspead ? BugCompat.PYSPEAD_0_5_2 : 0);
        if (memPool) {
            config = config.withMemoryAllocator(new MemoryPool(memLower, memUpper, memMaxFree, memInitial));
        }
        return config;
    }

    /** @return the ring configuration (contiguous heaps only, as spead2's ring_stream default) */
    RingStreamConfig ringConfig() {
        return RingStreamConfig.DEFAULT.withHeaps(ringHeaps);
    }

    /**
     * Adds one reader per source, as spead2's {@code add_readers}.
     *
     * @param stream the stream
     * @param sources sources: capture files (if {@code allowFiles}) or {@code [host]:port}
     * @param allowFiles whether a source that is not an endpoint is a pcap file
     * @throws IOException if a file or socket cannot be opened
     */
    void addReaders(StreamBase stream, List<String> sources, boolean allowFiles) throws IOException {
        for (String source : sources) {
            if (allowFiles && Network.isFile(source)) {
                try {
                    stream.addUdpPcapFileReader(Path.of(source));
                } catch (NoSuchFileException e) {
                    throw new NoSuchFileException(source, null, "no such file");
                }
            } else if (tcp) {
                Network.addTcpReader(stream, Network.endpoint(source, true), maxPacketSize(), bufferSize(), bind);
            } else {
                Network.addUdpReader(stream, Network.endpoint(source, true), maxPacketSize(), bufferSize(), bind);
            }
        }
    }
}
