package io.spead4j.recv;

import io.spead4j.Spead;
import io.spead4j.wire.PacketDecoder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.spead4j.recv.TestPackets.packet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Chunk stream settings, chunks, the place-function argument and the ready-made timestamp placer (§8). */
class ChunkConfigTest {
    private static final ChunkPlaceFunction NOTHING = d -> { };

    @Test
    void chunkStreamConfigDefaultsAreSpead2s() {
        ChunkStreamConfig config = new ChunkStreamConfig();
        assertThat(config.items()).isEmpty();
        assertThat(config.maxChunks()).isEqualTo(ChunkStreamConfig.DEFAULT_MAX_CHUNKS).isEqualTo(2);
        assertThat(config.place()).isNull();
        assertThat(config.maxHeapExtra()).isZero();
        assertThat(config.packetPresencePayloadSize()).isZero();
    }

    @Test
    void chunkStreamConfigIsImmutableAndFluent() {
        ChunkStreamConfig base = new ChunkStreamConfig();
        ChunkStreamConfig config = base.withItems(0x1000, Spead.HEAP_LENGTH_ID).withMaxChunks(4).withPlace(NOTHING)
                .withMaxHeapExtra(8).enablePacketPresence(512);
        assertThat(config.items()).containsExactly(0x1000L, 2L);
        assertThat(config.maxChunks()).isEqualTo(4);
        assertThat(config.place()).isSameAs(NOTHING);
        assertThat(config.maxHeapExtra()).isEqualTo(8);
        assertThat(config.packetPresencePayloadSize()).isEqualTo(512);
        assertThat(config.disablePacketPresence().packetPresencePayloadSize()).isZero();
        assertThat(base.items()).isEmpty();
        assertThat(base.maxChunks()).isEqualTo(2);
        long[] ids = {1, 2};
        ChunkStreamConfig copied = base.withItems(ids);
        ids[0] = 99;
        assertThat(copied.items()).containsExactly(1L, 2L);
    }

    @Test
    void chunkStreamConfigRejectsBadValues() {
        ChunkStreamConfig config = new ChunkStreamConfig();
        assertThatThrownBy(() -> config.withMaxChunks(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxChunks");
        assertThatThrownBy(() -> config.enablePacketPresence(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload size");
        assertThatThrownBy(() -> config.withMaxHeapExtra(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withItems(5, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> config.withPlace(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void groupConfigDefaultsAndValidation() {
        ChunkStreamGroupConfig config = new ChunkStreamGroupConfig();
        assertThat(config.maxChunks()).isEqualTo(ChunkStreamGroupConfig.DEFAULT_MAX_CHUNKS).isEqualTo(2);
        assertThat(config.evictionMode()).isEqualTo(ChunkStreamGroupConfig.EvictionMode.LOSSY);
        ChunkStreamGroupConfig lossless = config.withMaxChunks(3)
                .withEvictionMode(ChunkStreamGroupConfig.EvictionMode.LOSSLESS);
        assertThat(lossless.maxChunks()).isEqualTo(3);
        assertThat(lossless.evictionMode()).isEqualTo(ChunkStreamGroupConfig.EvictionMode.LOSSLESS);
        assertThat(config.maxChunks()).isEqualTo(2);
        assertThatThrownBy(() -> config.withMaxChunks(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkStreamGroupConfig(1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void chunkHoldsItsMemoryAndStartsWithoutAnId() {
        MemorySegment present = MemorySegment.ofArray(new byte[4]);
        MemorySegment data = MemorySegment.ofArray(new byte[64]);
        Chunk chunk = new Chunk(present, data);
        assertThat(chunk.chunkId()).isEqualTo(-1);
        assertThat(chunk.streamId()).isZero();
        assertThat(chunk.present()).isSameAs(present);
        assertThat(chunk.data()).isSameAs(data);
        assertThat(chunk.hasExtra()).isFalse();
        assertThat(chunk.extra().byteSize()).isZero();
        present.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 2, (byte) 1);
        present.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 3, (byte) 7);
        assertThat(chunk.isPresent(2)).isTrue();
        assertThat(chunk.presentCount()).isEqualTo(2);
        chunk.clearPresent();
        assertThat(chunk.isPresent(2)).isFalse();
        assertThat(chunk.presentCount()).isZero();
        assertThatThrownBy(() -> new Chunk(present.asReadOnly(), data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("present");
        assertThatThrownBy(() -> new Chunk(present, null)).isInstanceOf(NullPointerException.class);
        assertThat(new Chunk(present, data, MemorySegment.ofArray(new long[2])).hasExtra()).isTrue();
    }

    private static ChunkPlaceData placeData(ChunkStreamConfig config, byte[] packet, long[] stats) {
        PacketDecoder decoder = new PacketDecoder();
        assertThat(decoder.decode(MemorySegment.ofArray(packet), 0, packet.length)).isEqualTo(packet.length);
        ChunkPlaceData data = new ChunkPlaceData(config, (index, value) -> stats[index] += value);
        data.reset(decoder);
        return data;
    }

    @Test
    void placeDataGivesRequestedImmediatesLastOneWinningAndMinusOneWhenAbsent() {
        ChunkStreamConfig config = new ChunkStreamConfig()
                .withItems(Spead.HEAP_CNT_ID, Spead.HEAP_LENGTH_ID, 0x1000, 0x1001, 0x1002, Spead.PAYLOAD_LENGTH_ID);
        byte[] packet = packet(77).heapLength(300).immediate(0x1000, 5).immediate(0x1000, 6).address(0x1001, 0)
                .payload(100, 1).build();
        ChunkPlaceData data = placeData(config, packet, new long[StreamConfig.STAT_CUSTOM + 1]);
        assertThat(data.itemCount()).isEqualTo(6);
        assertThat(data.item(0)).isEqualTo(77);
        assertThat(data.item(1)).isEqualTo(300);
        assertThat(data.item(2)).isEqualTo(6);     // last immediate wins
        assertThat(data.item(3)).isEqualTo(-1);    // addressed, not immediate
        assertThat(data.item(4)).isEqualTo(-1);    // absent
        assertThat(data.item(5)).isEqualTo(100);
        assertThat(data.itemById(0x1000)).isEqualTo(6);
        assertThat(data.itemById(0x7777)).isEqualTo(-1);
        assertThat(data.heapCnt()).isEqualTo(77);
        assertThat(data.heapLength()).isEqualTo(300);
        assertThat(data.packetSize()).isEqualTo(packet.length);
        assertThat(data.packetOffset()).isZero();
        assertThat(data.packetSegment().byteSize()).isEqualTo(packet.length);
        assertThat(data.chunkId()).isEqualTo(-1);
        assertThat(data.heapIndex()).isZero();
        assertThat(data.heapOffset()).isZero();
        assertThat(data.extraOffset()).isZero();
        assertThat(data.extraSize()).isZero();
    }

    @Test
    void placeDataPassesStatisticUpdatesToTheStreamsBatch() {
        long[] stats = new long[StreamConfig.STAT_CUSTOM + 2];
        ChunkPlaceData data = placeData(new ChunkStreamConfig(), packet(1).heapLength(1).payload(1, 0).build(), stats);
        data.updateBatchStat(StreamConfig.STAT_CUSTOM, 3);
        data.updateBatchStat(StreamConfig.STAT_CUSTOM, 4);
        assertThat(stats[StreamConfig.STAT_CUSTOM]).isEqualTo(7);
    }

    @Test
    void placeDataExtraAreaHasMaxHeapExtraBytes() {
        ChunkPlaceData data = placeData(new ChunkStreamConfig().withMaxHeapExtra(24),
                packet(1).heapLength(1).payload(1, 0).build(), new long[StreamConfig.STAT_CUSTOM]);
        assertThat(data.extra().byteSize()).isEqualTo(24);
    }

    @Test
    void timestampPlacerPlacesByTimestampAndIndex() {
        TimestampPlacer placer = new TimestampPlacer(0x1600, 1000, 4, 64).withIndex(0x4101, 3);
        ChunkStreamConfig config = placer.configure(new ChunkStreamConfig().withItems(Spead.HEAP_CNT_ID));
        assertThat(config.items()).containsExactly(1L, 0x1600L, 0x4101L);
        assertThat(config.place()).isSameAs(placer);
        assertThat(placer.presentSize()).isEqualTo(12);
        assertThat(placer.chunkDataSize()).isEqualTo(12 * 64);
        assertThat(placer.chunkTimestamp(3)).isEqualTo(12000);

        // timestamp 13000: t = 13, chunk 3, slot 1; index 2 -> heap index 1 * 3 + 2 = 5
        ChunkPlaceData data = placeData(config,
                packet(48, 9).heapLength(64).immediate(0x1600, 13000).immediate(0x4101, 2).payload(64, 0).build(),
                new long[StreamConfig.STAT_CUSTOM]);
        placer.place(data);
        assertThat(data.chunkId()).isEqualTo(3);
        assertThat(data.heapIndex()).isEqualTo(5);
        assertThat(data.heapOffset()).isEqualTo(5 * 64);
    }

    @Test
    void timestampPlacerRejectsHeapsThatDoNotFitTheLayout() {
        TimestampPlacer placer = new TimestampPlacer(0x1600, 1000, 4, 64).withIndex(0x4101, 3);
        ChunkStreamConfig config = placer.configure(new ChunkStreamConfig());
        long[] stats = new long[StreamConfig.STAT_CUSTOM];
        byte[][] rejected = {
            packet(1).heapLength(65).immediate(0x1600, 1000).immediate(0x4101, 0).payload(65, 0).build(),
            packet(2).heapLength(64).immediate(0x4101, 0).payload(64, 0).build(),
            packet(3).heapLength(64).immediate(0x1600, 1500).immediate(0x4101, 0).payload(64, 0).build(),
            packet(4).heapLength(64).immediate(0x1600, 1000).immediate(0x4101, 3).payload(64, 0).build(),
            packet(5).heapLength(64).immediate(0x1600, 1000).payload(64, 0).build(),
        };
        for (byte[] p : rejected) {
            ChunkPlaceData data = placeData(config, p, stats);
            placer.place(data);
            assertThat(data.chunkId()).isEqualTo(-1);
        }
    }

    @Test
    void timestampPlacerValidatesItsArguments() {
        assertThatThrownBy(() -> new TimestampPlacer(0x1600, 0, 4, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timestampStep");
        assertThatThrownBy(() -> new TimestampPlacer(0x1600, 1, 0, 64)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heapsPerChunk");
        assertThatThrownBy(() -> new TimestampPlacer(0x1600, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("heapPayloadSize");
        assertThatThrownBy(() -> new TimestampPlacer(-1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimestampPlacer(1, 1, 1, 1).withIndex(2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("indexCount");
        assertThatThrownBy(() -> new TimestampPlacer(1, 1, Integer.MAX_VALUE, Long.MAX_VALUE / 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }

    @Test
    void timestampPlacerAllocatesChunksOfItsShape() {
        TimestampPlacer placer = new TimestampPlacer(0x1600, 1, 4, 100).withIndex(0x4101, 2);
        try (Arena arena = Arena.ofConfined()) {
            Chunk chunk = placer.newChunk(arena);
            assertThat(chunk.present().byteSize()).isEqualTo(8);
            assertThat(chunk.data().byteSize()).isEqualTo(800);
        }
    }
}
