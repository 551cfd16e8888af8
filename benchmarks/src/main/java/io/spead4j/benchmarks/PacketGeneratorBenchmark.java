package io.spead4j.benchmarks;

import io.spead4j.send.Heap;
import io.spead4j.send.PacketGenerator;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Packet generation: a 4 MiB heap (one addressed item) split by {@link PacketGenerator} into packets written
 * into a reused buffer (headers, pointers and payload copied), as a send stream does. One operation = one
 * heap; the auxiliary counters give packets/s and bytes/s (× 8 for bits).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketGeneratorBenchmark {
    /** Maximum packet size. */
    @Param({"9000", "1472"})
    public int packetSize;

    private Heap heap;
    private MemorySegment buffer;
    private long cnt;

    /** Packets and bytes produced, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Produced {
        /** Packets generated. */
        public long packets;
        /** Bytes generated, headers included. */
        public long bytes;

        /** Resets the counters. */
        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
            bytes = 0;
        }
    }

    /** Builds the heap. */
    @Setup
    public void setUp() {
        heap = new Heap().addItem(0x1000, new byte[4 << 20], false);
        buffer = MemorySegment.ofArray(new byte[packetSize]);
    }

    /** @param produced counters @return the last packet's size */
    @Benchmark
    public int generateHeap(Produced produced) {
        PacketGenerator generator = new PacketGenerator(heap, ++cnt, packetSize);
        int size = 0;
        while (generator.hasNextPacket()) {
            size = generator.nextPacket(buffer, 0);
            produced.packets++;
            produced.bytes += size;
        }
        return size;
    }
}
