package io.spead4j;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FlavourTest {
    @Test
    void acceptsEveryMultipleOfEightBelowSixtyFour() {
        for (int a = 8; a <= 56; a += 8) {
            Flavour f = new Flavour(a, 0);
            assertThat(f.heapAddressBytes()).isEqualTo(a / 8);
            assertThat(f.maxItemId()).isEqualTo((1L << (63 - a)) - 1);
        }
    }

    @Test
    void rejectsOtherWidthsAndVersions() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Flavour(0, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new Flavour(64, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new Flavour(44, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> Flavour.of(3, 64, 40, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> Flavour.of(4, 32, 40, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new Flavour(40, 8)).withMessageContaining("bug_compat");
    }

    @Test
    void equalityComparesWidthAndBugCompat() {
        assertThat(new Flavour(40, 0)).isEqualTo(Flavour.DEFAULT);
        assertThat(new Flavour(48, 0)).isNotEqualTo(Flavour.DEFAULT);
        assertThat(new Flavour(40, BugCompat.PYSPEAD_0_5_2)).isNotEqualTo(Flavour.DEFAULT);
    }
}
