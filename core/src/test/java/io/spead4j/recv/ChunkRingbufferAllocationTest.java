package io.spead4j.recv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Waiting on a chunk ring allocates nothing: two threads pass one chunk back and forth through two rings, so
 * nearly every get waits for the other thread, and neither thread allocates a queue node per wait (a
 * {@code java.util.concurrent} condition allocates one per wait; the chunk stream's steady state must not).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkRingbufferAllocationTest {
    private static final int ROUNDS = 20_000;

    @Test
    void blockingGetsAndPutsAllocateNothingPerWait() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ChunkRingbuffer there = new ChunkRingbuffer(1);
        ChunkRingbuffer back = new ChunkRingbuffer(1);
        long[] echoBytes = new long[2];
        Thread echo = Thread.ofPlatform().name("chunk-ring-echo").start(() -> {
            long self = Thread.currentThread().threadId();
            try {
                for (int pass = 0; pass < 2; pass++) {
                    long before = threads.getThreadAllocatedBytes(self);
                    for (int i = 0; i < ROUNDS; i++) {
                        back.put(there.get());
                    }
                    echoBytes[pass] = threads.getThreadAllocatedBytes(self) - before;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long self = Thread.currentThread().threadId();
        try (Arena arena = Arena.ofConfined()) {
            Chunk chunk = new Chunk(arena.allocate(1), arena.allocate(8));
            long allocated = 0;
            for (int pass = 0; pass < 2; pass++) { // the first pass lets the JIT compile the loop
                long before = threads.getThreadAllocatedBytes(self);
                for (int i = 0; i < ROUNDS; i++) {
                    there.put(chunk);
                    chunk = back.get();
                }
                allocated = threads.getThreadAllocatedBytes(self) - before;
            }
            echo.join();
            assertThat(allocated).as("bytes allocated by the main thread in %d round trips", ROUNDS)
                    .isLessThan(ROUNDS); // a node per wait is at least 24 bytes
            assertThat(echoBytes[1]).as("bytes allocated by the echo thread in %d round trips", ROUNDS)
                    .isLessThan(ROUNDS);
        }
    }
}
