package io.spead4j.benchmarks;

import io.spead4j.Spead;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import io.spead4j.wire.PacketWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Decoding packets with {@link PacketDecoder}: validation and extraction of the specials of 1024 packets of
 * a 9000-byte-packet stream lying back to back in memory. Reports packets per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecodeBenchmark {
    private static final int PACKETS = 1024;

    /** Bytes per packet. */
    @Param({"9000", "1472"})
    public int packetSize;

    private MemorySegment buffer;
    private final PacketDecoder decoder = new PacketDecoder();

    /** Builds the packets. */
    @Setup
    public void setUp() {
        int pointers = 5;
        int payload = packetSize - 8 - 8 * pointers;
        buffer = MemorySegment.ofArray(new byte[PACKETS * packetSize]);
        long heapLength = 4L << 20;
        for (int i = 0; i < PACKETS; i++) {
            long base = (long) i * packetSize;
            long pos = PacketWriter.writeHeader(buffer, base, 48, pointers);
            pos = PacketWriter.writePointer(buffer, pos, ItemPointer.immediate(Spead.HEAP_CNT_ID, 1 + i / 400, 48));
            pos = PacketWriter.writePointer(buffer, pos, ItemPointer.immediate(Spead.HEAP_LENGTH_ID, heapLength, 48));
            pos = PacketWriter.writePointer(buffer, pos,
                    ItemPointer.immediate(Spead.PAYLOAD_OFFSET_ID, (long) (i % 400) * payload, 48));
            pos = PacketWriter.writePointer(buffer, pos, ItemPointer.immediate(Spead.PAYLOAD_LENGTH_ID, payload, 48));
            PacketWriter.writePointer(buffer, pos, ItemPointer.address(0x1234, 0, 48));
        }
    }

    /** @return a checksum so the work is not eliminated */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long decode() {
        long sum = 0;
        long size = buffer.byteSize();
        for (long offset = 0; offset < size; offset += packetSize) {
            sum += decoder.decode(buffer, offset, packetSize) + decoder.payloadOffset();
        }
        return sum;
    }
}
