package io.spead4j.recv;

import io.spead4j.ThreadPool;

import java.lang.foreign.Arena;

/** Test helper: chunk ring streams placed by a {@link TimestampPlacer}, ready to receive. */
final class TimestampPlacerRingStreams {
    private TimestampPlacerRingStreams() {
    }

    /**
     * Opens a ring stream placed by {@code placer} with a window of 2 chunks and gives it 4 free chunks (allocated
     * by the placer from an automatic arena). The caller adds the readers and closes the stream.
     *
     * @param pool   the thread pool
     * @param placer the placement
     * @param data   the data ring (at least 4 slots)
     * @param free   the free ring (at least 4 slots)
     * @return the open stream
     */
    static ChunkRingStream withFourFreeChunks(ThreadPool pool, TimestampPlacer placer, ChunkRingbuffer data,
                                              ChunkRingbuffer free) {
        ChunkRingStream stream = new ChunkRingStream(pool, new StreamConfig(),
                placer.configure(new ChunkStreamConfig().withMaxChunks(2)), data, free);
        try {
            Arena arena = Arena.ofAuto();
            for (int i = 0; i < 4; i++) {
                stream.addFreeChunk(placer.newChunk(arena));
            }
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
        return stream;
    }
}
