package io.spead4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Format lists → internal dtype, spead2's {@code _parse_format} table (SPEAD2-BEHAVIOUR §4.4). */
class FormatTest {
    @ParameterizedTest(name = "({0}, {1}) -> {2}")
    @CsvSource({
        "u, 8, |u1", "u, 16, >u2", "u, 32, >u4", "u, 64, >u8",
        "i, 8, |i1", "i, 16, >i2", "i, 32, >i4", "i, 64, >i8",
        "f, 32, >f4", "f, 64, >f8", "b, 8, |b1", "c, 8, |S1",
        "u, 12, |O", "u, 40, |O", "u, 48, |O", "i, 24, |O", "b, 1, |O", "u, 1, |O", "i, 63, |O"})
    void singleFieldMapsToNumpyOrObject(char code, long bits, String dtype) {
        Format f = Format.of(code, bits);
        assertThat(f.dtype().toString()).isEqualTo(dtype);
        assertThat(f.bits()).isEqualTo(bits);
        assertThat(f.hasObject()).isEqualTo(dtype.equals("|O"));
    }

    @Test
    void severalFieldsMakeARecord() {
        Format f = Format.of(new FormatEntry('i', 32), new FormatEntry('f', 64));
        assertThat(f.dtype().toString()).isEqualTo("[('f0', '>i4'), ('f1', '>f8')]");
        assertThat(f.bits()).isEqualTo(96);
        assertThat(f.hasObject()).isFalse();
        Format odd = Format.parse("[('u', 4), ('c', 8), ('b', 8)]");
        assertThat(odd.dtype().toString()).isEqualTo("[('f0', '|O'), ('f1', '|S1'), ('f2', '|b1')]");
        assertThat(odd.hasObject()).isTrue();
    }

    @Test
    void parsesAndPrintsPythonLiterals() {
        assertThat(Format.parse("[('u', 40)]").entries()).containsExactly(new FormatEntry('u', 40));
        assertThat(Format.parse("('u', 12)").entries()).containsExactly(new FormatEntry('u', 12));
        assertThat(Format.parse("[ ('i',24) , (\"f\", 32) ]").toString()).isEqualTo("[('i', 24), ('f', 32)]");
        assertThat(Format.of('c', 8).isString()).isTrue();
        assertThat(Format.of('u', 8).isString()).isFalse();
        assertThat(Format.parse("[('c', 8)]")).isEqualTo(Format.of(List.of(new FormatEntry('c', 8))));
    }

    @Test
    void rejectsIllegalFormatsWithSpead2Messages() {
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of(List.of())).withMessage("empty format");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('u', 0))
                .withMessageContaining("zero-length field (bug_compat mismatch?)");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('u', -8))
                .withMessageContaining("negative-length field");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('x', 8))
                .withMessageContaining("illegal format (x, 8)");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('f', 16))
                .withMessageContaining("illegal format (f, 16)");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('c', 16))
                .withMessageContaining("illegal format (c, 16)");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of('u', 100))
                .withMessageContaining("wider than 64 bits");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.parse("[('uu', 8)]"))
                .withMessageContaining("(code, bits)");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.parse("{'u': 8}"))
                .withMessageContaining("list of (code, bits)");
    }
}
