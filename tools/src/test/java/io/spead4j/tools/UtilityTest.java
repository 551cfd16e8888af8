package io.spead4j.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The C++ formatting and the minstd_rand generator the tools share with spead2's. */
class UtilityTest {
    @Test
    void doublesPrintAsCppDefaultStreamFormatting() {
        assertThat(CppFormat.general(1.0)).isEqualTo("1");
        assertThat(CppFormat.general(0.1)).isEqualTo("0.1");
        assertThat(CppFormat.general(100.0)).isEqualTo("100");
        assertThat(CppFormat.general(123456.0)).isEqualTo("123456");
        assertThat(CppFormat.general(1234567.0)).isEqualTo("1.23457e+06");
        assertThat(CppFormat.general(0.000123456789)).isEqualTo("0.000123457");
        assertThat(CppFormat.general(0.00001)).isEqualTo("1e-05");
        assertThat(CppFormat.general(0.0546069123)).isEqualTo("0.0546069");
        assertThat(CppFormat.general(9.9999996)).isEqualTo("10");
        assertThat(CppFormat.general(0.0)).isEqualTo("0");
        assertThat(CppFormat.general(1e100)).isEqualTo("1e+100");
    }

    @Test
    void hexUsesShowbaseExceptForZero() {
        assertThat(CppFormat.hex(0)).isEqualTo("0");
        assertThat(CppFormat.hex(0x1000)).isEqualTo("0x1000");
        assertThat(CppFormat.hex(-1)).isEqualTo("0xffffffffffffffff");
    }

    @Test
    void minstdRandMatchesTheCppStandard() {
        MinstdRand g = new MinstdRand();
        assertThat(g.next()).isEqualTo(48271);
        for (int i = 2; i < 10000; i++) {
            g.next();
        }
        // [rand.predef]: the 10000th consecutive invocation of a default-constructed minstd_rand produces 399268537
        assertThat(g.next()).isEqualTo(399268537);
    }

    @Test
    void discardSkipsLikeCallingNext() {
        for (long n : new long[] {0, 1, 2, 17, 1000, 123457}) {
            MinstdRand slow = new MinstdRand();
            for (long i = 0; i < n; i++) {
                slow.next();
            }
            MinstdRand fast = new MinstdRand();
            fast.discard(n);
            assertThat(fast.next()).as("after %d", n).isEqualTo(slow.next());
        }
        MinstdRand g = new MinstdRand();
        g.discard(9999);
        assertThat(g.next()).isEqualTo(399268537);
        // the period is 2^31 - 2: skipping a whole period changes nothing
        MinstdRand p = new MinstdRand();
        p.discard(2147483646L);
        assertThat(p.next()).isEqualTo(48271);
    }
}
