package io.spead4j;

import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.InprocStream;
import io.spead4j.testing.TestPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unsigned integers read as their unsigned value, never as a negative number: {@code u8} values of 2^63 and
 * 2^64 - 1 as numpy sends them (dtype items, legacy {@code ('u', 64)} format items, a 64-bit field of a
 * bit-level record), and the full range of {@code u4}, {@code u2}, {@code u1}. The receive cases take the bytes
 * off the wire through {@link ItemGroup#update}, with a {@link MemoryPool} and with the plain allocator; the send
 * cases encode {@link BigInteger} values up to 2^64 - 1 and read them back.
 */
@Timeout(60)
class UnsignedValuesTest {
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final DType U8_LE = DType.parse("<u8");
    private static final DType U8_BE = DType.parse(">u8");

    private static byte[] longs(ByteOrder order, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(order);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Sends one heap (built by the caller) and returns the heap the receiver got. */
    private static Heap sendAndReceive(boolean usePool, io.spead4j.send.Heap heap) throws Exception {
        InprocQueue queue = new InprocQueue();
        StreamConfig config = new StreamConfig();
        if (usePool) {
            config = config.withMemoryAllocator(new MemoryPool(0, 4096, 2, 2));
        }
        try (Stream receiver = new Stream(TestPools.shared(), config);
             InprocStream sender = new InprocStream(TestPools.shared(), List.of(queue),
                     new io.spead4j.send.StreamConfig())) {
            receiver.addInprocReader(queue);
            sender.sendHeap(heap);
            HeapBase received = receiver.get();
            assertThat(received).isInstanceOf(Heap.class);
            queue.stop();
            return (Heap) received;
        }
    }

    /** Items with u8 values of 2^63 and 2^64 - 1 on the wire, and the largest u4, u2, u1 values. */
    private static io.spead4j.send.Heap wireHeap() {
        io.spead4j.send.Heap heap = new io.spead4j.send.Heap();
        Item[] items = {
            Item.ofDType(0x1000, "u8_array", "", new long[] {3}, U8_LE),
            Item.ofDType(0x1001, "u8_scalar", "", new long[0], U8_BE),
            Item.ofFormat(0x1002, "u64_format_array", "", new long[] {2}, Format.of('u', 64)),
            Item.ofFormat(0x1003, "u64_format_scalar", "", new long[0], Format.of('u', 64)),
            Item.ofFormat(0x1004, "u64_bit_record", "", new long[0],
                    Format.of(new FormatEntry('u', 64), new FormatEntry('u', 4))),
            Item.ofDType(0x1005, "u4_array", "", new long[] {2}, DType.parse("<u4")),
            Item.ofDType(0x1006, "u2_scalar", "", new long[0], DType.parse(">u2")),
            Item.ofDType(0x1007, "u1_array", "", new long[] {2}, DType.UINT8),
        };
        for (Item item : items) {
            heap.addDescriptor(item.toDescriptor());
        }
        heap.addItem(0x1000, longs(ByteOrder.LITTLE_ENDIAN, Long.MIN_VALUE, -1, 5), false);
        heap.addItem(0x1001, longs(ByteOrder.BIG_ENDIAN, -1), false);
        heap.addItem(0x1002, longs(ByteOrder.BIG_ENDIAN, Long.MIN_VALUE, -1), false);
        heap.addItem(0x1003, longs(ByteOrder.BIG_ENDIAN, Long.MIN_VALUE), false);
        byte[] record = new byte[9];
        java.util.Arrays.fill(record, 0, 8, (byte) 0xff);
        record[8] = (byte) 0xa0; // the 4-bit field: 10
        heap.addItem(0x1004, record, false);
        heap.addItem(0x1005, new byte[] {-1, -1, -1, -1, 0, 0, 0, (byte) 0x80}, false);
        heap.addItem(0x1006, new byte[] {-1, -1}, false);
        heap.addItem(0x1007, new byte[] {-1, (byte) 0x80}, false);
        return heap;
    }

    @ParameterizedTest(name = "pool={0}")
    @ValueSource(booleans = {true, false})
    void u8ValuesFromTheWireAreUnsigned(boolean usePool) throws Exception {
        Heap heap = sendAndReceive(usePool, wireHeap());
        ItemGroup group = new ItemGroup();
        ItemGroup.Updates updates = group.update(heap);
        assertThat(updates.errors()).isEmpty();

        NdArray array = (NdArray) group.get("u8_array").value();
        assertThat(array.getFlat(0)).isEqualTo(TWO_63);
        assertThat(array.getFlat(1)).isEqualTo(MAX_U64);
        assertThat(array.getFlat(2)).isEqualTo(5L);
        assertThat(array.get(1)).isEqualTo(MAX_U64);
        assertThat(array.toNested()).isEqualTo(List.of(TWO_63, MAX_U64, 5L));
        assertThat(array.toString()).contains("[9223372036854775808, 18446744073709551615, 5]")
                .doesNotContain("-");
        assertThat(array.getDouble(1)).isEqualTo(1.8446744073709552E19);
        assertThat(array.getLong(0)).as("the bits").isEqualTo(Long.MIN_VALUE);
        assertThat(array.getUnsignedLong(1)).isEqualTo(-1L);
        assertThat(Long.toUnsignedString(array.getUnsignedLong(1))).isEqualTo("18446744073709551615");
        assertThat(array.getBigInteger(0)).isEqualTo(TWO_63);
        assertThat(array.getBigInteger(2)).isEqualTo(BigInteger.valueOf(5));
        assertThat(array).isEqualTo(NdArray.fromElements(U8_LE, new long[] {3}, NdArray.Order.C,
                List.of(TWO_63, MAX_U64, 5L)));
        assertThat(array).isNotEqualTo(NdArray.fromElements(U8_LE, new long[] {3}, NdArray.Order.C,
                List.of(TWO_63, MAX_U64, 6L)));

        assertThat(group.get("u8_scalar").value()).isEqualTo(MAX_U64);
        assertThat(((NdArray) group.get("u64_format_array").value()).toNested()).isEqualTo(List.of(TWO_63, MAX_U64));
        assertThat(group.get("u64_format_array").value().toString()).doesNotContain("-");
        assertThat(group.get("u64_format_scalar").value()).isEqualTo(TWO_63);
        assertThat(group.get("u64_bit_record").value()).isEqualTo(List.of(MAX_U64, 10L));

        assertThat(((NdArray) group.get("u4_array").value()).toNested()).isEqualTo(List.of(4294967295L, 2147483648L));
        assertThat(((NdArray) group.get("u4_array").value()).toLongArray()).containsExactly(4294967295L, 2147483648L);
        assertThat(group.get("u2_scalar").value()).isEqualTo(65535L);
        assertThat(((NdArray) group.get("u1_array").value()).toNested()).isEqualTo(List.of(255L, 128L));
        heap.release();
    }

    @ParameterizedTest(name = "pool={0}")
    @ValueSource(booleans = {true, false})
    void bigIntegerValuesUpToTwoToThe64MinusOneRoundTrip(boolean usePool) throws Exception {
        io.spead4j.send.ItemGroup send = new io.spead4j.send.ItemGroup();
        Item array = send.addItem(null, "u8_array", "", new long[] {3}, U8_LE, NdArray.Order.C,
                List.of(TWO_63, MAX_U64, BigInteger.TEN));
        Item scalar = send.addItem(null, "u8_scalar", "", new long[0], U8_BE, NdArray.Order.C, MAX_U64);
        Item format = send.addItem(null, "u64_format", "", new long[] {-1}, Format.of('u', 64),
                List.of(MAX_U64, TWO_63));
        Item record = send.addItem(null, "u64_bit_record", "", new long[0],
                Format.of(new FormatEntry('u', 64), new FormatEntry('u', 4)), List.of(MAX_U64, 3L));

        assertThat(bytes(array.toBuffer())).isEqualTo(longs(ByteOrder.LITTLE_ENDIAN, Long.MIN_VALUE, -1, 10));
        assertThat(bytes(scalar.toBuffer())).isEqualTo(longs(ByteOrder.BIG_ENDIAN, -1));
        assertThat(bytes(format.toBuffer())).isEqualTo(longs(ByteOrder.BIG_ENDIAN, -1, Long.MIN_VALUE));
        byte[] recordBytes = new byte[9];
        java.util.Arrays.fill(recordBytes, 0, 8, (byte) 0xff);
        recordBytes[8] = 0x30;
        assertThat(bytes(record.toBuffer())).isEqualTo(recordBytes);

        Heap heap = sendAndReceive(usePool, send.getHeap());
        ItemGroup group = new ItemGroup();
        assertThat(group.update(heap).errors()).isEmpty();
        assertThat(((NdArray) group.get("u8_array").value()).toNested()).isEqualTo(List.of(TWO_63, MAX_U64, 10L));
        assertThat(group.get("u8_scalar").value()).isEqualTo(MAX_U64);
        assertThat(((NdArray) group.get("u64_format").value()).toNested()).isEqualTo(List.of(MAX_U64, TWO_63));
        assertThat(group.get("u64_bit_record").value()).isEqualTo(List.of(MAX_U64, 3L));
        heap.release();
    }

    @Test
    void bigIntegerValuesOutOfRangeAreRefused() {
        Item u8 = Item.ofDType(0x1000, "u8", "", new long[0], U8_LE);
        u8.setValue(MAX_U64.add(BigInteger.ONE));
        assertThatThrownBy(u8::toBuffer).isInstanceOf(IllegalArgumentException.class);
        u8.setValue(BigInteger.ONE.negate());
        assertThatThrownBy(u8::toBuffer).isInstanceOf(IllegalArgumentException.class);
        Item i8 = Item.ofDType(0x1001, "i8", "", new long[0], DType.parse("<i8"));
        i8.setValue(TWO_63);
        assertThatThrownBy(i8::toBuffer).isInstanceOf(IllegalArgumentException.class);
        Item record = Item.ofFormat(0x1002, "rec", "", new long[0],
                Format.of(new FormatEntry('u', 64), new FormatEntry('u', 4)));
        record.setValue(List.of(MAX_U64.add(BigInteger.ONE), 3L));
        assertThatThrownBy(record::toBuffer).isInstanceOf(IllegalArgumentException.class);
        record.setValue(List.of(BigInteger.ONE.negate(), 3L));
        assertThatThrownBy(record::toBuffer).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
