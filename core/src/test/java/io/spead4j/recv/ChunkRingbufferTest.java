package io.spead4j.recv;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chunk ring: capacity, stop, blocking and non-blocking get/put, producers, iteration (spead2's tests). */
class ChunkRingbufferTest {
    private static Chunk chunk() {
        return new Chunk(MemorySegment.ofArray(new byte[1]), MemorySegment.ofArray(new byte[1]));
    }

    @Test
    void sizeEmptyFull() throws InterruptedException {
        ChunkRingbuffer ring = new ChunkRingbuffer(3);
        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.isFull()).isFalse();
        assertThat(ring.size()).isZero();
        assertThat(ring.maxSize()).isEqualTo(3);
        ring.put(chunk());
        assertThat(ring.isEmpty()).isFalse();
        assertThat(ring.isFull()).isFalse();
        assertThat(ring.size()).isEqualTo(1);
        ring.put(chunk());
        ring.put(chunk());
        assertThat(ring.isFull()).isTrue();
        assertThat(ring.size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            ring.get();
        }
        assertThat(ring.isEmpty()).isTrue();
        assertThatThrownBy(() -> new ChunkRingbuffer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void roundTripKeepsTheSameChunk() throws InterruptedException {
        ChunkRingbuffer ring = new ChunkRingbuffer(3);
        Chunk chunk = chunk();
        ring.put(chunk);
        assertThat(ring.get()).isSameAs(chunk);
    }

    @Test
    void stopEndsGetsAndPutsButKeepsQueuedChunks() throws InterruptedException {
        ChunkRingbuffer ring = new ChunkRingbuffer(3);
        Chunk a = chunk();
        Chunk b = chunk();
        ring.put(a);
        ring.put(b);
        assertThat(ring.stop()).isTrue();
        assertThat(ring.stop()).isFalse();
        assertThat(ring.isStopped()).isTrue();
        assertThatThrownBy(() -> ring.put(chunk())).isInstanceOf(StoppedException.class);
        assertThatThrownBy(() -> ring.tryPut(chunk())).isInstanceOf(StoppedException.class);
        assertThat(ring.get()).isSameAs(a);
        assertThat(ring.tryGet()).isSameAs(b);
        assertThatThrownBy(ring::get).isInstanceOf(StoppedException.class);
        assertThatThrownBy(ring::tryGet).isInstanceOf(StoppedException.class);
        assertThatThrownBy(() -> ring.get(1, TimeUnit.MILLISECONDS)).isInstanceOf(StoppedException.class);
    }

    @Test
    void nonBlockingGetAndPut() {
        ChunkRingbuffer ring = new ChunkRingbuffer(2);
        assertThat(ring.tryGet()).isNull();
        Chunk a = chunk();
        assertThat(ring.tryPut(a)).isTrue();
        assertThat(ring.tryPut(chunk())).isTrue();
        assertThat(ring.tryPut(chunk())).isFalse();
        assertThat(ring.size()).isEqualTo(2);
        assertThat(ring.tryGet()).isSameAs(a);
    }

    @Test
    void iterationEndsAtStop() throws InterruptedException {
        ChunkRingbuffer ring = new ChunkRingbuffer(3);
        List<Chunk> in = List.of(chunk(), chunk(), chunk());
        for (Chunk c : in) {
            ring.put(c);
        }
        ring.stop();
        List<Chunk> out = new ArrayList<>();
        ring.forEach(out::add);
        assertThat(out).containsExactlyElementsOf(in);
    }

    @Test
    void blockedGetIsWokenByAPutAndBlockedPutByAGet() throws Exception {
        ChunkRingbuffer ring = new ChunkRingbuffer(1);
        CompletableFuture<Chunk> getter = CompletableFuture.supplyAsync(() -> {
            try {
                return ring.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Chunk a = chunk();
        ring.put(a);
        assertThat(getter.get(10, TimeUnit.SECONDS)).isSameAs(a);

        ring.put(chunk());
        Chunk b = chunk();
        CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
            try {
                ring.put(b);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ring.get();
        putter.get(10, TimeUnit.SECONDS);
        assertThat(ring.get()).isSameAs(b);
    }

    @Test
    void stopWakesBlockedGettersAndPutters() throws Exception {
        ChunkRingbuffer empty = new ChunkRingbuffer(1);
        CompletableFuture<Chunk> getter = CompletableFuture.supplyAsync(() -> {
            try {
                return empty.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        ChunkRingbuffer full = new ChunkRingbuffer(1);
        full.put(chunk());
        CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
            try {
                full.put(chunk());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        empty.stop();
        full.stop();
        assertThat(getter).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .withCauseInstanceOf(StoppedException.class);
        assertThat(putter).failsWithin(10, TimeUnit.SECONDS).withThrowableThat()
                .withCauseInstanceOf(StoppedException.class);
    }

    @Test
    void timedGetReturnsNullWhenNothingCame() throws InterruptedException {
        ChunkRingbuffer ring = new ChunkRingbuffer(1);
        assertThat(ring.get(1, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theLastProducerToLeaveStopsTheRing() {
        ChunkRingbuffer ring = new ChunkRingbuffer(3);
        ring.addProducer();
        ring.addProducer();
        assertThat(ring.removeProducer()).isFalse();
        assertThat(ring.tryGet()).isNull();
        assertThat(ring.removeProducer()).isTrue();
        assertThatThrownBy(ring::tryGet).isInstanceOf(StoppedException.class);
        assertThatThrownBy(ring::removeProducer).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ringPairAddFreeChunkClearsPresenceAndQueues() {
        ChunkRingbuffer data = new ChunkRingbuffer(1);
        ChunkRingbuffer free = new ChunkRingbuffer(1);
        ChunkRingPair pair = new ChunkRingPair() {
            @Override
            public ChunkRingbuffer dataRingbuffer() {
                return data;
            }

            @Override
            public ChunkRingbuffer freeRingbuffer() {
                return free;
            }
        };
        Chunk c = new Chunk(MemorySegment.ofArray(new byte[] {1, 1}), MemorySegment.ofArray(new byte[1]));
        pair.addFreeChunk(c);
        assertThat(c.isPresent(0) || c.isPresent(1)).isFalse();
        assertThat(free.tryGet()).isSameAs(c);
        pair.addFreeChunk(c);
        assertThatThrownBy(() -> pair.addFreeChunk(chunk())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("full");
        free.stop();
        pair.addFreeChunk(chunk()); // dropped quietly: nothing will use it
    }
}
