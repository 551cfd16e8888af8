package io.spead4j.recv;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The payload range rules of SPEAD2-BEHAVIOUR.md §2.4 (out-of-order mode). */
class PayloadRangesTest {
    private static String ranges(PayloadRanges r) {
        return r.toList().toString();
    }

    @Test
    void disjointRangesAreInsertedInOrder() {
        PayloadRanges r = new PayloadRanges();
        assertThat(r.add(100, 200)).isTrue();
        assertThat(r.add(0, 50)).isTrue();
        assertThat(r.add(300, 400)).isTrue();
        assertThat(ranges(r)).isEqualTo("[[0, 50), [100, 200), [300, 400)]");
    }

    @Test
    void rangeStartingAtPreviousEndExtendsIt() {
        PayloadRanges r = new PayloadRanges();
        r.add(0, 10);
        assertThat(r.add(10, 20)).isTrue();
        assertThat(ranges(r)).isEqualTo("[[0, 20)]");
    }

    @Test
    void rangeEndingAtNextStartMergesWithIt() {
        PayloadRanges r = new PayloadRanges();
        r.add(20, 30);
        assertThat(r.add(5, 20)).isTrue();
        assertThat(ranges(r)).isEqualTo("[[5, 30)]");
    }

    @Test
    void rangeFillingAGapMergesBothSides() {
        PayloadRanges r = new PayloadRanges();
        r.add(0, 10);
        r.add(20, 30);
        assertThat(r.add(10, 20)).isTrue();
        assertThat(ranges(r)).isEqualTo("[[0, 30)]");
    }

    @Test
    void startInsidePreviousRangeIsADuplicateEvenIfItExtendsBeyond() {
        PayloadRanges r = new PayloadRanges();
        r.add(0, 10);
        assertThat(r.add(5, 15)).isFalse();
        assertThat(r.add(0, 10)).isFalse();
        assertThat(ranges(r)).isEqualTo("[[0, 10)]");
    }

    @Test
    void partialOverlapWithALaterRangeIsRejected() {
        PayloadRanges r = new PayloadRanges();
        r.add(10, 20);
        assertThat(r.add(5, 15)).isFalse();
        assertThat(r.add(0, 11)).isFalse();
        assertThat(ranges(r)).isEqualTo("[[10, 20)]");
    }

    @Test
    void manyRangesGrowTheArrays() {
        PayloadRanges r = new PayloadRanges();
        for (int i = 20; i >= 0; i--) {
            assertThat(r.add(i * 10L, i * 10L + 5)).isTrue();
        }
        assertThat(r.size()).isEqualTo(21);
        for (int i = 0; i <= 20; i++) {
            assertThat(r.add(i * 10L + 5, i * 10L + 10)).isTrue();
        }
        assertThat(ranges(r)).isEqualTo("[[0, 210)]");
    }
}
