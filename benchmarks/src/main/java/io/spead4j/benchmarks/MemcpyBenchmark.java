package io.spead4j.benchmarks;

import io.spead4j.recv.MemcpyFunction;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

/**
 * The receive path's payload copy: successive packet-sized pieces copied from a small, cache-resident source
 * (8 packet slots of 9216 bytes, payload starting 48 bytes in, as after a SPEAD header) into a 64 MiB
 * destination (16 heaps of 4 MiB, more than the last-level cache, as a memory pool's heaps are), one piece
 * after the other, wrapping at the end. One operation = one piece of {@code size} bytes; bytes/s =
 * operations/s × size.
 *
 * <p>Methods: {@code MemorySegment.copy} ({@link MemcpyFunction#STD}); libc {@code memcpy} through an FFM
 * downcall, plain and with {@code Linker.Option.critical(false)} (addresses passed as {@code long}, so native
 * destination only), and with {@code critical(true)} for the on-heap destination (what
 * {@link io.spead4j.MemoryAllocator#plain()} gives); {@link MemcpyFunction#NONTEMPORAL}. Each for a native
 * ({@code Arena}) destination and an on-heap ({@code byte[]}) destination.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@SuppressWarnings("restricted") // downcalls to libc memcpy
public class MemcpyBenchmark {
    private static final long DESTINATION_BYTES = 64L << 20;
    private static final int SLOT_BYTES = 9216;
    private static final int SLOTS = 8;
    private static final int PAYLOAD_START = 48;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemorySegment MEMCPY = LINKER.defaultLookup().findOrThrow("memcpy");
    private static final FunctionDescriptor BY_ADDRESS = FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final MethodHandle LIBC = LINKER.downcallHandle(MEMCPY, BY_ADDRESS);
    private static final MethodHandle LIBC_CRITICAL = LINKER.downcallHandle(MEMCPY, BY_ADDRESS,
            Linker.Option.critical(false));
    private static final MethodHandle LIBC_CRITICAL_HEAP = LINKER.downcallHandle(MEMCPY,
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            Linker.Option.critical(true));

    /** Source slots and piece position shared by both destination kinds. */
    @State(Scope.Thread)
    public abstract static class Pieces {
        /** Bytes per piece. */
        @Param({"1024", "1472", "4096", "8192", "8952", "9000"})
        public int size;

        Arena arena;
        MemorySegment source;
        long sourceAddress;
        MemorySegment destination;
        long destinationOffset;
        long destinationLimit;
        int slot;

        abstract MemorySegment newDestination();

        /** Allocates and touches the buffers. */
        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            source = arena.allocate((long) SLOT_BYTES * SLOTS, 64);
            source.fill((byte) 0x5a);
            sourceAddress = source.address();
            destination = newDestination();
            destination.fill((byte) 1);
            destinationLimit = DESTINATION_BYTES - size;
        }

        /** Frees the native memory. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }

        /** @return offset in the source of the next piece */
        final long nextSourceOffset() {
            slot = (slot + 1) & (SLOTS - 1);
            return (long) slot * SLOT_BYTES + PAYLOAD_START;
        }

        /** @return offset in the destination of the next piece */
        final long nextDestinationOffset() {
            long offset = destinationOffset;
            destinationOffset = offset + size > destinationLimit ? 0 : offset + size;
            return offset;
        }
    }

    /** A native destination. */
    @State(Scope.Thread)
    public static class NativeDestination extends Pieces {
        long destinationAddress;

        @Override
        MemorySegment newDestination() {
            MemorySegment segment = arena.allocate(DESTINATION_BYTES, 4096);
            destinationAddress = segment.address();
            return segment;
        }
    }

    /** An on-heap destination, as {@link io.spead4j.MemoryAllocator#plain()} allocates. */
    @State(Scope.Thread)
    public static class ArrayDestination extends Pieces {
        @Override
        MemorySegment newDestination() {
            return MemorySegment.ofArray(new byte[(int) DESTINATION_BYTES]);
        }
    }

    /** @param s state */
    @Benchmark
    public void segmentCopyNative(NativeDestination s) {
        MemorySegment.copy(s.source, s.nextSourceOffset(), s.destination, s.nextDestinationOffset(), s.size);
    }

    /** @param s state @throws Throwable never */
    @Benchmark
    public void libcNative(NativeDestination s) throws Throwable {
        long src = s.sourceAddress + s.nextSourceOffset();
        LIBC.invokeExact(s.destinationAddress + s.nextDestinationOffset(), src, (long) s.size);
    }

    /** @param s state @throws Throwable never */
    @Benchmark
    public void libcCriticalNative(NativeDestination s) throws Throwable {
        long src = s.sourceAddress + s.nextSourceOffset();
        LIBC_CRITICAL.invokeExact(s.destinationAddress + s.nextDestinationOffset(), src, (long) s.size);
    }

    /** @param s state */
    @Benchmark
    public void nonTemporalNative(NativeDestination s) {
        MemcpyFunction.NONTEMPORAL.copy(s.source, s.nextSourceOffset(), s.destination, s.nextDestinationOffset(),
                s.size);
    }

    /** @param s state */
    @Benchmark
    public void segmentCopyArray(ArrayDestination s) {
        MemorySegment.copy(s.source, s.nextSourceOffset(), s.destination, s.nextDestinationOffset(), s.size);
    }

    /** @param s state @throws Throwable never */
    @Benchmark
    public void libcCriticalHeapArray(ArrayDestination s) throws Throwable {
        MemorySegment src = s.source.asSlice(s.nextSourceOffset(), s.size);
        LIBC_CRITICAL_HEAP.invokeExact(s.destination.asSlice(s.nextDestinationOffset(), s.size), src,
                (long) s.size);
    }

    /** @param s state */
    @Benchmark
    public void nonTemporalArray(ArrayDestination s) {
        MemcpyFunction.NONTEMPORAL.copy(s.source, s.nextSourceOffset(), s.destination, s.nextDestinationOffset(),
                s.size);
    }
}
