package io.spead4j;

import org.junit.jupiter.api.Test;

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
}
