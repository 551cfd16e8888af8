package io.spead4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteOrder;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DTypeTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "|b1, |b1, b, 1", "?, |b1, b, 1", "bool, |b1, b, 1", "b1, |b1, b, 1",
        "|i1, |i1, i, 1", "i1, |i1, i, 1", "<i1, |i1, i, 1", "|u1, |u1, u, 1", "uint8, |u1, u, 1",
        "<i2, <i2, i, 2", ">i2, >i2, i, 2", "<u2, <u2, u, 2", ">u4, >u4, u, 4", "<i8, <i8, i, 8", ">u8, >u8, u, 8",
        "<f2, <f2, f, 2", ">f4, >f4, f, 4", "<f8, <f8, f, 8",
        "<c8, <c8, c, 8", ">c16, >c16, c, 16",
        "S1, |S1, S, 1", "|S1, |S1, S, 1", "|S4, |S4, S, 4", "|O, |O, O, 8"})
    void parsesNumpyStrings(String text, String str, char kind, int itemsize) {
        DType t = DType.parse(text);
        assertThat(t.toString()).isEqualTo(str);
        assertThat(t.str()).isEqualTo(str);
        assertThat(t.kind()).isEqualTo(kind);
        assertThat(t.itemsize()).isEqualTo(itemsize);
        assertThat(DType.parse(t.toString())).isEqualTo(t);
    }

    @Test
    void nativeOrderResolvesToTheMachineOrder() {
        char nat = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
        assertThat(DType.parse("=i4").toString()).isEqualTo(nat + "i4");
        assertThat(DType.parse("i4").toString()).isEqualTo(nat + "i4");
        assertThat(DType.parse("float32").toString()).isEqualTo(nat + "f4");
        assertThat(DType.parse("|i4").toString()).isEqualTo(nat + "i4");
        assertThat(DType.parse("complex128").toString()).isEqualTo(nat + "c16");
    }

    @Test
    void byteOrderAndNewByteOrder() {
        assertThat(DType.parse("<i4").byteOrder()).isEqualTo('<');
        assertThat(DType.parse("<i4").order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(DType.parse(">i4").order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(DType.parse("<i4").newByteOrder().toString()).isEqualTo(">i4");
        assertThat(DType.parse(">c16").newByteOrder().toString()).isEqualTo("<c16");
        assertThat(DType.parse("|u1").newByteOrder()).isEqualTo(DType.UINT8);
        assertThat(DType.BOOL.newByteOrder()).isEqualTo(DType.BOOL);
        assertThat(DType.parse("<f8").withByteOrder('>').toString()).isEqualTo(">f8");
        assertThat(DType.parse("<f8").withByteOrder('|').toString()).isEqualTo("<f8");
    }

    @Test
    void recordsUseNumpyDescrForm() {
        DType rec = DType.parse(">i4,>f8");
        assertThat(rec.isRecord()).isTrue();
        assertThat(rec.itemsize()).isEqualTo(12);
        assertThat(rec.fields()).extracting(DType.Field::name).containsExactly("f0", "f1");
        assertThat(rec.fields()).extracting(DType.Field::offset).containsExactly(0, 4);
        assertThat(rec.toString()).isEqualTo("[('f0', '>i4'), ('f1', '>f8')]");
        assertThat(rec.str()).isEqualTo("|V12");
        assertThat(DType.parse("[('f0', '>i4'), ('f1', '>f8')]")).isEqualTo(rec);
        assertThat(DType.parse("[ ( 'x' , '<u2' ) , ('y', '|b1')]").toString())
                .isEqualTo("[('x', '<u2'), ('y', '|b1')]");
        assertThat(rec.newByteOrder().toString()).isEqualTo("[('f0', '<i4'), ('f1', '<f8')]");
        assertThat(DType.record(List.of(DType.OBJECT, DType.BOOL)).hasObject()).isTrue();
        assertThat(rec.hasObject()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x4", "<i3", "<f16", "<c4", "<b2", "i", "<", "S", "[('a', '<i4'), ('a', '<i4')]",
        "[('a', 'zz')]", "[1, 2]", "[('', '|V4')]"})
    void rejectsWhatNumpyOrSpead4jDoesNot(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> DType.parse(text)).withMessageNotContaining("null");
    }

    @Test
    void errorMessagesNameTheInput() {
        assertThatIllegalArgumentException().isThrownBy(() -> DType.parse("<q7"))
                .withMessageContaining("data type '<q7' not understood");
        assertThatIllegalArgumentException().isThrownBy(() -> DType.parse("[('a', '<i4'), ('a', '<u2')]"))
                .withMessageContaining("occurs twice");
    }
}
