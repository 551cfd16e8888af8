package io.spead4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MemoryPool (SPEAD2-BEHAVIOUR.md §2.8). */
class MemoryPoolTest {
    /** Counts allocations of the underlying allocator. */
    static class Counting implements MemoryAllocator {
        final AtomicInteger allocations = new AtomicInteger();
        final AtomicInteger frees = new AtomicInteger();

        @Override
        public MemorySegment allocate(long size) {
            allocations.incrementAndGet();
            return MemoryAllocator.plain().allocate(size);
        }

        @Override
        public void free(MemorySegment segment) {
            frees.incrementAndGet();
        }
    }

    @Test
    void aPoolWithoutAnUnderlyingAllocatorKeepsItsBuffersOffTheJavaHeap() {
        MemoryPool pool = new MemoryPool(100, 1 << 20, 2, 1);
        MemorySegment pooled = pool.allocate(1 << 20);
        MemorySegment fresh = pool.allocate(200); // the stack is empty: a new buffer, also native
        assertThat(pooled.isNative()).isTrue();
        assertThat(fresh.isNative()).isTrue();
        assertThat(fresh.byteSize()).isEqualTo(1 << 20);
        assertThat(fresh.address() % 64).as("cache-line aligned").isZero();
        assertThat(fresh.get(java.lang.foreign.ValueLayout.JAVA_BYTE, (1 << 20) - 1)).as("zeroed").isZero();
        pool.free(pooled);
        assertThat(pool.allocate(100)).isSameAs(pooled);
        assertThat(MemoryAllocator.offHeap().allocate(0).byteSize()).isZero();
        assertThatThrownBy(() -> MemoryAllocator.offHeap().allocate(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizesInRangeGetAnUpperSizedBufferFromALifoStack() {
        Counting under = new Counting();
        MemoryPool pool = new MemoryPool(100, 1000, 3, 2, 0, under);
        assertThat(under.allocations.get()).isEqualTo(2);
        assertThat(pool.freeCount()).isEqualTo(2);
        MemorySegment a = pool.allocate(100);
        MemorySegment b = pool.allocate(1000);
        assertThat(a.byteSize()).isEqualTo(1000);
        assertThat(b.byteSize()).isEqualTo(1000);
        assertThat(pool.freeCount()).isZero();
        MemorySegment c = pool.allocate(500); // empty stack: fresh buffer
        assertThat(under.allocations.get()).isEqualTo(3);
        pool.free(a);
        pool.free(b);
        assertThat(pool.allocate(200)).isSameAs(b); // last freed comes back first
        pool.free(b);
        pool.free(c);
        assertThat(pool.freeCount()).isEqualTo(3);
    }

    @Test
    void freedBuffersBeyondMaxFreeGoToTheUnderlyingAllocator() {
        Counting under = new Counting();
        MemoryPool pool = new MemoryPool(10, 20, 1, 0, 0, under);
        MemorySegment a = pool.allocate(15);
        MemorySegment b = pool.allocate(15);
        pool.free(a);
        pool.free(b);
        assertThat(pool.freeCount()).isEqualTo(1);
        assertThat(under.frees.get()).isEqualTo(1);
    }

    @Test
    void otherSizesBypassThePool() {
        Counting under = new Counting();
        MemoryPool pool = new MemoryPool(10, 20, 4, 0, 0, under);
        MemorySegment small = pool.allocate(5);
        MemorySegment big = pool.allocate(50);
        assertThat(small.byteSize()).isEqualTo(5);
        assertThat(big.byteSize()).isEqualTo(50);
        pool.free(small);
        pool.free(big);
        assertThat(pool.freeCount()).isZero();
        assertThat(under.frees.get()).isEqualTo(2);
    }

    @Test
    void lowWaterRefillsInTheBackground() throws InterruptedException {
        MemoryPool pool = new MemoryPool(1, 8, 4, 3, 2, MemoryAllocator.plain());
        pool.allocate(4);
        pool.allocate(4);
        while (pool.freeCount() < 3) {
            Thread.sleep(1);
        }
        assertThat(pool.freeCount()).isEqualTo(3);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aRefilledBufferThatFindsThePoolFullGoesBackToTheUnderlyingAllocator() throws InterruptedException {
        java.util.concurrent.CountDownLatch refillAllocating = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch poolRefilled = new java.util.concurrent.CountDownLatch(1);
        Counting under = new Counting() {
            @Override
            public MemorySegment allocate(long size) {
                if (Thread.currentThread().getName().startsWith("spead4j-memory-pool-refill")) {
                    refillAllocating.countDown();
                    try {
                        poolRefilled.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.allocate(size);
            }
        };
        MemoryPool pool = new MemoryPool(1, 8, 2, 2, 1, under);
        pool.setWarnOnEmpty(false);
        MemorySegment a = pool.allocate(8);
        MemorySegment b = pool.allocate(8); // leaves 0 free: the refill starts and blocks in its allocation
        refillAllocating.await();
        pool.free(a);
        pool.free(b); // the pool is full (maxFree 2) before the refill's buffer arrives
        poolRefilled.countDown();
        while (under.frees.get() == 0) {
            Thread.sleep(1);
        }
        assertThat(under.frees.get()).as("the refill's extra buffer is freed, not dropped").isEqualTo(1);
        assertThat(pool.freeCount()).isEqualTo(2);
    }

    @Test
    void gaugesCountFreeBuffersAllocationsRefillsAndEmptyRequests() throws InterruptedException {
        MemoryPool pool = new MemoryPool(1, 8, 4, 2, 1, MemoryAllocator.plain());
        pool.setWarnOnEmpty(false);
        assertThat(pool.freeCount()).isEqualTo(2);
        assertThat(pool.allocations()).isEqualTo(2); // the initial buffers
        assertThat(pool.emptyCount()).isZero();
        assertThat(pool.refills()).isZero();
        MemorySegment a = pool.allocate(4); // leaves 1 free: not below low water
        assertThat(pool.refills()).isZero();
        MemorySegment b = pool.allocate(4); // leaves 0 free: a refill starts
        assertThat(pool.refills()).isEqualTo(1);
        while (pool.freeCount() < 2) {
            Thread.sleep(1);
        }
        assertThat(pool.allocations()).isEqualTo(4); // two more from the refill
        assertThat(pool.emptyCount()).isZero();
        pool.allocate(100); // bypasses the pool: not counted
        assertThat(pool.allocations()).isEqualTo(4);
        pool.free(a);
        pool.free(b);
        assertThat(pool.freeCount()).isEqualTo(4);

        MemoryPool small = new MemoryPool(1, 8, 4, 0);
        small.setWarnOnEmpty(false);
        small.allocate(4);
        small.allocate(4);
        assertThat(small.emptyCount()).isEqualTo(2);
        assertThat(small.allocations()).isEqualTo(2);
        assertThat(small.refills()).isZero();
    }

    @Test
    void warnOnEmptyIsOnByDefaultAndRateLimited() {
        MemoryPool pool = new MemoryPool(1, 8, 4, 0);
        assertThat(pool.isWarnOnEmpty()).isTrue();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            pool.allocate(4);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertThat(pool.emptyCount()).isEqualTo(1000);
        // at most one warning a second: the first, then one per further second that passed
        assertThat(pool.warningsLogged()).isBetween(1L, 1L + seconds);
        pool.setWarnOnEmpty(false);
        assertThat(pool.isWarnOnEmpty()).isFalse();
        long before = pool.warningsLogged();
        pool.allocate(4);
        assertThat(pool.warningsLogged()).isEqualTo(before);
    }

    @Test
    void aNativePoolFreesABufferBeyondMaxFreeAtOnce() {
        MemoryPool pool = new MemoryPool(100, 4096, 1, 0);
        MemorySegment kept = pool.allocate(4096);
        MemorySegment excess = pool.allocate(4096);
        pool.free(kept);
        pool.free(excess);
        assertThat(kept.scope().isAlive()).as("kept on the stack").isTrue();
        assertThat(excess.scope().isAlive()).as("beyond maxFree: freed, not left to the garbage collector").isFalse();
        assertThatThrownBy(() -> excess.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThat(pool.allocate(4096)).isSameAs(kept);
    }

    @Test
    void closeFreesTheFreeBuffersNowAndEachBufferGivenBackLater() {
        MemoryPool pool = new MemoryPool(100, 4096, 4, 3);
        MemorySegment a = pool.allocate(4096);
        MemorySegment b = pool.allocate(4096);
        MemorySegment held = pool.allocate(4096);
        pool.free(a);
        pool.free(b);
        assertThat(pool.isClosed()).isFalse();
        pool.close();
        assertThat(pool.isClosed()).isTrue();
        assertThat(pool.freeCount()).isZero();
        assertThat(a.scope().isAlive()).isFalse();
        assertThat(b.scope().isAlive()).isFalse();
        held.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095, (byte) 7);
        assertThat(held.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 4095))
                .as("a buffer a heap still holds stays valid until it is given back").isEqualTo((byte) 7);
        pool.free(held);
        assertThat(held.scope().isAlive()).isFalse();
        assertThat(pool.freeCount()).isZero();
        pool.close(); // idempotent
        assertThatThrownBy(() -> pool.allocate(4096)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> pool.allocate(10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeGivesTheFreeBuffersOfAnotherAllocatorBackToIt() {
        Counting underlying = new Counting();
        MemoryPool pool = new MemoryPool(100, 200, 4, 2, 0, underlying);
        MemorySegment held = pool.allocate(150);
        pool.close();
        assertThat(underlying.frees.get()).as("the one free buffer").isEqualTo(1);
        pool.free(held);
        assertThat(underlying.frees.get()).isEqualTo(2);
        assertThat(held.scope().isAlive()).as("plain memory: the allocator decides").isTrue();
    }

    @Test
    void poolBuffersReleaseWhatIsLeftWhenTheirPoolIsCollected() {
        PoolBuffers buffers = new PoolBuffers();
        MemorySegment first = buffers.allocate(1024);
        MemorySegment second = buffers.allocate(64);
        assertThat(buffers.live()).isEqualTo(2);
        assertThat(buffers.free(first)).isTrue();
        assertThat(buffers.free(first)).as("already freed").isFalse();
        assertThat(buffers.free(MemoryAllocator.offHeap().allocate(64))).as("not one of them").isFalse();
        buffers.run(); // what the pool's cleaner runs
        assertThat(second.scope().isAlive()).isFalse();
        assertThat(buffers.live()).isZero();
    }

    @Test
    void argumentsAreValidated() {
        assertThatThrownBy(() -> new MemoryPool(10, 5, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryPool(-1, 5, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryPool(1, 5, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryPool(1, 5, 1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryPool(1, 5, 4, 2, 3, MemoryAllocator.plain()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MemoryPool(1, 5, 4, 2, 1, null)).isInstanceOf(NullPointerException.class);
    }
}
