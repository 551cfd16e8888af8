package io.spead4j.recv;

import io.spead4j.MemoryAllocator;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.send.BytesStream;
import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both copy functions copy exactly the bytes asked for, check their arguments, and serve a receive stream. */
class MemcpyFunctionTest {
    private static final ThreadPool POOL = TestPools.shared();

    private static boolean linuxX8664() {
        String arch = System.getProperty("os.arch", "");
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
                && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    @Test
    void theNonTemporalRoutineIsAvailableOnLinuxX8664() {
        // Elsewhere NONTEMPORAL copies as STD by design; here the routine must load, or NONTEMPORAL is fake.
        assertThat(NonTemporalCopy.AVAILABLE).isEqualTo(linuxX8664());
    }

    /** A copy under test. */
    @FunctionalInterface
    private interface Copy {
        void copy(MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long length);
    }

    /** Every length 0..600 and a spread up to 10 000 at source/destination misalignments 0..15, both kinds. */
    @ParameterizedTest
    @EnumSource(MemcpyFunction.class)
    void copiesExactlyTheRangeAndNothingElse(MemcpyFunction function) {
        checkCopies(function.toString(), function::copy);
    }

    /** The routine itself, also below the length from which NONTEMPORAL uses it (its short and aligning paths). */
    @Test
    void theNonTemporalRoutineCopiesExactlyTheRangeAtEveryLength() {
        Assumptions.assumeTrue(NonTemporalCopy.AVAILABLE, "no non-temporal routine on this platform");
        checkCopies("NonTemporalCopy", NonTemporalCopy::copy);
    }

    private static void checkCopies(String function, Copy copy) {
        Random random = new Random(14);
        byte[] source = new byte[10_100];
        random.nextBytes(source);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSource = arena.allocate(source.length, 64);
            MemorySegment.copy(source, 0, nativeSource, ValueLayout.JAVA_BYTE, 0, source.length);
            MemorySegment nativeDestination = arena.allocate(10_200, 64);
            MemorySegment heapDestination = MemorySegment.ofArray(new byte[10_200]);
            MemorySegment heapSource = MemorySegment.ofArray(source);
            for (int length = 0; length <= 10_000; length += length < 600 ? 1 : 37) {
                int srcOffset = random.nextInt(16);
                int dstOffset = random.nextInt(16) + 32;
                for (MemorySegment src : List.of(nativeSource, heapSource)) {
                    for (MemorySegment dst : List.of(nativeDestination, heapDestination)) {
                        dst.fill((byte) 0x77);
                        copy.copy(src, srcOffset, dst, dstOffset, length);
                        byte[] got = dst.toArray(ValueLayout.JAVA_BYTE);
                        for (int i = 0; i < got.length; i++) {
                            byte want = i >= dstOffset && i < dstOffset + length
                                    ? source[srcOffset + i - dstOffset] : (byte) 0x77;
                            if (got[i] != want) {
                                throw new AssertionError(function + " length " + length + " src+" + srcOffset
                                        + " dst+" + dstOffset + " (" + (src.isNative() ? "native" : "heap") + " to "
                                        + (dst.isNative() ? "native" : "heap") + "): byte " + i + " is " + got[i]
                                        + ", want " + want);
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MemcpyFunction.class)
    void rejectsRangesOutsideTheSegmentsAReadOnlyDestinationAndAClosedSegment(MemcpyFunction function) {
        MemorySegment src = MemorySegment.ofArray(new byte[10_000]);
        MemorySegment dst = MemorySegment.ofArray(new byte[10_000]);
        assertThatThrownBy(() -> function.copy(src, 1, dst, 0, 10_000))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> function.copy(src, 0, dst, 1, 10_000))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> function.copy(src, 0, dst, -1, 5_000))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> function.copy(src, 0, dst, 0, -1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> function.copy(src, 0, dst.asReadOnly(), 0, 5_000))
                .isInstanceOf(IllegalArgumentException.class);
        Arena arena = Arena.ofConfined();
        MemorySegment closed = arena.allocate(10_000);
        arena.close();
        assertThatThrownBy(() -> function.copy(src, 0, closed, 0, 5_000)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> function.copy(closed, 0, dst, 0, 5_000)).isInstanceOf(IllegalStateException.class);
    }

    /** A copy allocates nothing once compiled: 100 000 packet-sized copies allocate less than 100 000 bytes. */
    @ParameterizedTest
    @EnumSource(MemcpyFunction.class)
    void copyingAllocatesNothing(MemcpyFunction function) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(9216 * 8);
            MemorySegment nativeDst = arena.allocate(1 << 20);
            MemorySegment heapDst = MemorySegment.ofArray(new byte[1 << 20]);
            copyPieces(function, src, nativeDst, heapDst, 50_000); // warm up: JIT
            long before = threads.getThreadAllocatedBytes(thread);
            copyPieces(function, src, nativeDst, heapDst, 100_000);
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertThat(allocated).as("bytes allocated by 100 000 copies").isLessThan(100_000);
        }
    }

    private static void copyPieces(MemcpyFunction function, MemorySegment src, MemorySegment nativeDst,
            MemorySegment heapDst, int pieces) {
        long offset = 0;
        for (int i = 0; i < pieces; i++) {
            int length = (i & 1) == 0 ? 8952 : 1424;
            if (offset + length > nativeDst.byteSize()) {
                offset = 0;
            }
            function.copy(src, (i & 7) * 9216L + 48, (i & 2) == 0 ? nativeDst : heapDst, offset, length);
            offset += length;
        }
    }

    /** A stream configured with each function places 9000-byte packets' payload into heap and native memory. */
    @ParameterizedTest
    @EnumSource(MemcpyFunction.class)
    void aStreamWithEachFunctionReceivesThePayloadIntact(MemcpyFunction function) throws IOException {
        byte[] payload = new byte[1_000_003];
        new Random(41).nextBytes(payload);
        byte[] data;
        try (BytesStream out = new BytesStream(POOL,
                io.spead4j.send.StreamConfig.DEFAULT.withMaxPacketSize(9000))) {
            out.sendHeap(new io.spead4j.send.Heap().addItem(0x1234, payload, false));
            out.sendHeap(new io.spead4j.send.Heap().addEnd());
            data = out.getValue();
        }
        MemoryAllocator offHeap = size -> Arena.ofAuto().allocate(Math.max(size, 1), 64);
        for (MemoryAllocator allocator : List.of(MemoryAllocator.plain(), offHeap)) {
            StreamConfig config = new StreamConfig().withMemcpy(function).withMemoryAllocator(allocator);
            try (Stream stream = new Stream(POOL, config)) {
                stream.addBufferReader(data);
                List<HeapBase> heaps = Drain.heaps(stream);
                assertThat(heaps).hasSize(1);
                RawItem item = heaps.getFirst().items().stream().filter(i -> i.id() == 0x1234).findFirst()
                        .orElseThrow();
                ByteBuffer value = item.value();
                byte[] got = new byte[value.remaining()];
                value.get(got);
                assertThat(got).isEqualTo(payload);
            }
        }
    }
}
