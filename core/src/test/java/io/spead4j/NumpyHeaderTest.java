package io.spead4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Numpy headers as spead2 writes and reads them (SPEAD2-BEHAVIOUR §4.3). */
class NumpyHeaderTest {
    @Test
    void producesPythonReprExactly() {
        assertThat(NumpyHeader.format(DType.parse("<i4"), new long[] {4, 3}, false))
                .isEqualTo("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 3)}");
        assertThat(NumpyHeader.format(DType.parse("|u1"), new long[] {5}, false))
                .isEqualTo("{'descr': '|u1', 'fortran_order': False, 'shape': (5,)}");
        assertThat(NumpyHeader.format(DType.parse(">c16"), new long[] {}, true))
                .isEqualTo("{'descr': '>c16', 'fortran_order': True, 'shape': ()}");
        assertThat(NumpyHeader.format(DType.parse(">i4,>f8"), new long[] {2}, false))
                .isEqualTo("{'descr': [('f0', '>i4'), ('f1', '>f8')], 'fortran_order': False, 'shape': (2,)}");
    }

    @Test
    void conformanceHeadersRoundTrip() {
        for (String text : new String[] {
            "{'descr': '<i4', 'fortran_order': False, 'shape': (4, 3)}",
            "{'descr': '|b1', 'fortran_order': False, 'shape': (4,)}",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)}",
            "{'descr': '|i1', 'fortran_order': False, 'shape': (128, 256, 2, 2)}",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (0,)}"}) {
            assertThat(NumpyHeader.parse(text).toString()).isEqualTo(text);
        }
    }

    @Test
    void acceptsAnyKeyOrderAndSpacing() {
        NumpyHeader h = NumpyHeader.parse("{'shape': (7,), 'fortran_order': False, 'descr': '>u4'}");
        assertThat(h.dtype().toString()).isEqualTo(">u4");
        assertThat(h.shape()).containsExactly(7);
        assertThat(h.fortranOrder()).isFalse();
        NumpyHeader g = NumpyHeader.parse("  {\"fortran_order\":True,\n 'descr' : '<f4' , 'shape':( 2 , 3 , ),}  ");
        assertThat(g.fortranOrder()).isTrue();
        assertThat(g.shape()).containsExactly(2, 3);
        assertThat(NumpyHeader.parse("{'descr': '<f4', 'fortran_order': False, 'shape': ()}").shape()).isEmpty();
        // numpy.lib.format style: trailing comma, padding and newline; u'' strings
        assertThat(NumpyHeader.parse("{'descr': u'<i2', 'fortran_order': False, 'shape': (3,), }          \n")
                .toString()).isEqualTo("{'descr': '<i2', 'fortran_order': False, 'shape': (3,)}");
        assertThat(NumpyHeader.parse("{'descr': [('a', '<u2'), ('b', '>f4')], 'fortran_order': False, 'shape': (1,)}")
                .dtype().fields()).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "{", "not a dict", "[1, 2]", "{'descr': '<i4', 'fortran_order': False}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), 'extra': 1}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': [4]}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (None,)}",
        "{'descr': '<i4', 'fortran_order': 0, 'shape': (4,)}",
        "{'descr': 'zz', 'fortran_order': False, 'shape': (4,)}",
        "{'descr': 5, 'fortran_order': False, 'shape': (4,)}",
        "{'descr': '<i4', 'fortran_order': False, 'shape': (4,)} trailing"})
    void rejectsBadHeaders(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> NumpyHeader.parse(text));
    }

    @Test
    void errorMessagesSayWhatIsWrong() {
        assertThatIllegalArgumentException().isThrownBy(() -> NumpyHeader.parse("{'descr': '<i4'"))
                .withMessageStartingWith("Cannot parse descriptor");
        assertThatIllegalArgumentException().isThrownBy(() -> NumpyHeader.parse("(1, 2)"))
                .withMessageStartingWith("Descriptor is not a dictionary");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NumpyHeader.parse("{'descr': '<i4', 'shape': (4,), 'fortran': False}"))
                .withMessageStartingWith("Descriptor does not contain the correct keys");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NumpyHeader.parse("{'descr': '<i4', 'fortran_order': False, 'shape': (2, -3)}"))
                .withMessageStartingWith("shape is not valid: (2, -3)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NumpyHeader.parse("{'descr': '<i4', 'fortran_order': 1, 'shape': (2,)}"))
                .withMessageStartingWith("fortran_order is not a valid bool: 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> NumpyHeader.parse("{'descr': '<x4', 'fortran_order': False, 'shape': (2,)}"))
                .withMessageStartingWith("descr is not a valid dtype descriptor: '<x4'");
    }
}
