package io.spead4j.recv;

import io.spead4j.MemoryPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The leniency options of {@link StreamConfig}: off by default, each on its own, kept by every other copy. */
@Timeout(10)
class LeniencyConfigTest {
    @Test
    void everyOptionIsOffByDefault() {
        StreamConfig c = new StreamConfig();
        assertThat(c.missingPayloadOffsetIsZero()).isFalse();
        assertThat(c.missingHeapLengthIsPacket()).isFalse();
        assertThat(c.payloadLengthFromDatagram()).isFalse();
        assertThat(c.heapsPerSource()).isFalse();
        assertThat(c.decoderLeniency()).isZero();
        assertThat(StreamConfig.DEFAULT.toString()).doesNotContain("leniency");
    }

    @Test
    void eachOptionTurnsOnAloneAndAllTogether() {
        StreamConfig c = new StreamConfig();
        assertThat(c.withMissingPayloadOffsetIsZero(true).missingPayloadOffsetIsZero()).isTrue();
        assertThat(c.withMissingPayloadOffsetIsZero(true).missingHeapLengthIsPacket()).isFalse();
        assertThat(c.withMissingHeapLengthIsPacket(true).missingHeapLengthIsPacket()).isTrue();
        assertThat(c.withMissingHeapLengthIsPacket(true).payloadLengthFromDatagram()).isFalse();
        assertThat(c.withPayloadLengthFromDatagram(true).payloadLengthFromDatagram()).isTrue();
        assertThat(c.withPayloadLengthFromDatagram(true).heapsPerSource()).isFalse();
        assertThat(c.withHeapsPerSource(true).heapsPerSource()).isTrue();
        assertThat(c.withHeapsPerSource(true).decoderLeniency()).isZero();
        StreamConfig all = c.withLenientHardware(true);
        assertThat(all.missingPayloadOffsetIsZero() && all.missingHeapLengthIsPacket()
                && all.payloadLengthFromDatagram() && all.heapsPerSource()).isTrue();
        assertThat(all.withHeapsPerSource(false).heapsPerSource()).isFalse();
        assertThat(all.withHeapsPerSource(false).missingPayloadOffsetIsZero()).isTrue();
        assertThat(all.withLenientHardware(false).decoderLeniency()).isZero();
        assertThat(all.withLenientHardware(false).heapsPerSource()).isFalse();
    }

    @Test
    void everyOtherCopyKeepsTheOptions() {
        StreamConfig all = new StreamConfig().withLenientHardware(true);
        java.util.List<UnaryOperator<StreamConfig>> copies = java.util.List.of(
                c -> c.withMaxHeaps(3), c -> c.withSubstreams(2), c -> c.withBugCompat(1),
                c -> c.withMemcpy(MemcpyFunction.NONTEMPORAL), c -> c.withMemoryAllocator(new MemoryPool(0, 1024, 1, 0)),
                c -> c.withStopOnStopItem(false), c -> c.withAllowUnsizedHeaps(false), c -> c.withAllowOutOfOrder(true),
                c -> c.withStreamId(7), c -> c.withExplicitStart(true), c -> c.withMaxHeapSize(1024),
                c -> c.addStat("mine"));
        for (UnaryOperator<StreamConfig> copy : copies) {
            StreamConfig c = copy.apply(all);
            assertThat(c.missingPayloadOffsetIsZero() && c.missingHeapLengthIsPacket() && c.payloadLengthFromDatagram()
                    && c.heapsPerSource()).as(c.toString()).isTrue();
            assertThat(c.toString()).contains("leniency=0x");
        }
    }
}
