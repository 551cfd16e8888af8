package io.spead4j;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NdArrayTest {
    @Test
    void wrapsWithoutCopyingAndIsReadOnly() {
        byte[] bytes = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 99};
        NdArray a = NdArray.wrap(DType.parse("<u2"), new long[] {2, 3}, NdArray.Order.C, bytes);
        assertThat(a.size()).isEqualTo(6);
        assertThat(a.buffer().remaining()).isEqualTo(12);
        assertThat(a.buffer().isReadOnly()).isTrue();
        bytes[0] = 7;
        assertThat(a.getLong(0, 0)).isEqualTo(7);
        assertThat(a.getLong(1, 2)).isEqualTo(6);
        assertThat(a.toNested()).isEqualTo(List.of(List.of(7L, 2L, 3L), List.of(4L, 5L, 6L)));
    }

    @Test
    void fortranOrderIndexesLogically() {
        NdArray f = NdArray.wrap(DType.UINT8, new long[] {2, 3}, NdArray.Order.F, new byte[] {1, 4, 2, 5, 3, 6});
        assertThat(f.toLongArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(f.getLong(1, 0)).isEqualTo(4);
        NdArray c = f.convert(DType.UINT8, NdArray.Order.C);
        assertThat(c.toBytes()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(c).isEqualTo(f);
    }

    @Test
    void elementTypesMapToJavaValues() {
        assertThat(NdArray.ofLongs(DType.parse(">i8"), new long[] {1}, -1).getLong(0)).isEqualTo(-1);
        assertThat(NdArray.ofLongs(DType.parse("<u8"), new long[] {}, -1).getDouble()).isEqualTo(1.8446744073709552E19);
        assertThat(NdArray.ofDoubles(DType.parse("<f2"), new long[] {1}, 0.5).getDouble(0)).isEqualTo(0.5);
        assertThat(NdArray.ofBooleans(new long[] {2}, true, false).toBooleanArray()).containsExactly(true, false);
        assertThat(NdArray.wrap(DType.BOOL, new long[] {3}, NdArray.Order.C, new byte[] {0, 1, 2}).toLongArray())
                .containsExactly(0, 1, 1);
        assertThat(NdArray.wrap(DType.parse(">u4"), new long[] {1}, NdArray.Order.C, new byte[] {-1, -1, -1, -2})
                .toLongArray()).containsExactly(0xfffffffeL);
        assertThat(NdArray.wrap(DType.parse("<i2"), new long[] {1}, NdArray.Order.C, new byte[] {-2, -1})
                .toDoubleArray()).containsExactly(-2.0);
        assertThat(NdArray.ofComplex(DType.parse(">c16"), new long[] {1}, new Complex(1, 2)).getComplex(0))
                .isEqualTo(new Complex(1, 2));
        NdArray rec = NdArray.fromElements(DType.parse("<i2,>f4"), new long[] {1}, NdArray.Order.C,
                List.of(List.of(3, 1.5)));
        assertThat(rec.get(0)).isEqualTo(List.of(3L, 1.5));
        assertThat(rec.buffer().remaining()).isEqualTo(6);
    }

    @Test
    void rejectsBadArguments() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NdArray.wrap(DType.parse("<i4"), new long[] {3}, NdArray.Order.C, new byte[11]))
                .withMessageContaining("needs 12 bytes, got 11");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NdArray.wrap(DType.OBJECT, new long[] {1}, NdArray.Order.C, ByteBuffer.allocate(8)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NdArray.ofLongs(DType.INT8, new long[] {1}, 128)).withMessageContaining("out of range");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NdArray.ofLongs(DType.INT8, new long[] {2}, 1)).withMessageContaining("holds 2 elements");
        NdArray a = NdArray.ofLongs(DType.INT8, new long[] {2}, 1, 2);
        assertThatThrownBy(() -> a.getLong(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatIllegalArgumentException().isThrownBy(() -> a.getLong(0, 0));
        assertThatThrownBy(() -> NdArray.ofDoubles(DType.parse("<f4"), new long[] {1}, 1).getLong(0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unsignedElementsAreNeverNegative() {
        BigInteger twoTo63 = BigInteger.ONE.shiftLeft(63);
        BigInteger maxU64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        DType u8 = DType.parse("<u8");
        NdArray fromBits = NdArray.ofLongs(u8, new long[] {3}, Long.MIN_VALUE, -1, 7);
        NdArray fromBig = NdArray.fromElements(u8, new long[] {3}, NdArray.Order.C,
                List.of(twoTo63, maxU64, BigInteger.valueOf(7)));
        assertThat(fromBits).isEqualTo(fromBig).hasSameHashCodeAs(fromBig);
        assertThat(fromBits.get(0)).isEqualTo(twoTo63);
        assertThat(fromBits.getFlat(2)).isEqualTo(7L);
        assertThat(fromBits.toNested()).isEqualTo(List.of(twoTo63, maxU64, 7L));
        assertThat(fromBits.toString()).isEqualTo("NdArray(<u8, (3,), C, [9223372036854775808, 18446744073709551615, 7])");
        assertThat(fromBits.getLong(1)).isEqualTo(-1L);
        assertThat(fromBits.getUnsignedLong(0)).isEqualTo(Long.MIN_VALUE);
        assertThat(Long.toUnsignedString(fromBits.getUnsignedLong(1))).isEqualTo("18446744073709551615");
        assertThat(fromBits.getBigInteger(1)).isEqualTo(maxU64);
        assertThat(fromBits.toLongArray()).containsExactly(Long.MIN_VALUE, -1, 7);
        assertThat(fromBits.getDouble(0)).isEqualTo(9.223372036854775808E18);
        assertThat(fromBits.convert(DType.parse("<f8"), NdArray.Order.C).toDoubleArray())
                .containsExactly(9.223372036854775808E18, 1.8446744073709552E19, 7.0);
        assertThat(fromBits.convert(DType.parse(">u8"), NdArray.Order.C)).isEqualTo(fromBig.convert(DType.parse(">u8"),
                NdArray.Order.C));

        NdArray u4 = NdArray.ofLongs(DType.parse("<u4"), new long[] {1}, 0xffffffffL);
        NdArray u2 = NdArray.ofLongs(DType.parse(">u2"), new long[] {1}, 0xffff);
        NdArray u1 = NdArray.ofLongs(DType.UINT8, new long[] {1}, 0xff);
        assertThat(u4.get(0)).isEqualTo(4294967295L);
        assertThat(u4.getUnsignedLong(0)).isEqualTo(4294967295L);
        assertThat(u4.getBigInteger(0)).isEqualTo(BigInteger.valueOf(4294967295L));
        assertThat(u2.getLong(0)).isEqualTo(65535L);
        assertThat(u1.toNested()).isEqualTo(List.of(255L));
        assertThat(u4 + " " + u2 + " " + u1).doesNotContain("-");

        NdArray i8 = NdArray.ofLongs(DType.parse("<i8"), new long[] {1}, -1);
        assertThat(i8.get(0)).isEqualTo(-1L);
        assertThat(i8.getBigInteger(0)).isEqualTo(BigInteger.ONE.negate());
        assertThatThrownBy(() -> i8.getUnsignedLong(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> NdArray.ofDoubles(DType.parse("<f8"), new long[] {1}, 1.5).getBigInteger(0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void bigIntegerElementsAreRangeChecked() {
        BigInteger twoTo64 = BigInteger.ONE.shiftLeft(64);
        assertThat(NdArray.fromElements(DType.parse("<i4"), new long[] {1}, NdArray.Order.C,
                List.of(BigInteger.valueOf(-5))).getLong(0)).isEqualTo(-5);
        assertThat(NdArray.fromElements(DType.parse("<f8"), new long[] {1}, NdArray.Order.C,
                List.of(twoTo64)).getDouble(0)).isEqualTo(1.8446744073709552E19);
        for (Object bad : List.of(twoTo64, BigInteger.ONE.negate())) {
            assertThatIllegalArgumentException().isThrownBy(() -> NdArray.fromElements(DType.parse("<u8"),
                    new long[] {1}, NdArray.Order.C, List.of(bad)));
        }
        assertThatIllegalArgumentException().isThrownBy(() -> NdArray.fromElements(DType.parse("<u4"),
                new long[] {1}, NdArray.Order.C, List.of(BigInteger.ONE.shiftLeft(32))));
        assertThatIllegalArgumentException().isThrownBy(() -> NdArray.fromElements(DType.parse("<i8"),
                new long[] {1}, NdArray.Order.C, List.of(BigInteger.ONE.shiftLeft(63))));
    }
}
