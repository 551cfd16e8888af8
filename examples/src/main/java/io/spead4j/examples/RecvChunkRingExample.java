package io.spead4j.examples;

import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Chunk;
import io.spead4j.recv.ChunkPlaceFunction;
import io.spead4j.recv.ChunkRingStream;
import io.spead4j.recv.ChunkRingbuffer;
import io.spead4j.recv.ChunkStreamConfig;
import io.spead4j.recv.StreamBase;
import io.spead4j.recv.StreamConfig;

import java.io.IOException;
import java.lang.foreign.Arena;

/**
 * Receives heaps straight into chunks of 64 heaps, as spead2's {@code recv_chunk_ring_example}: the place
 * function puts heap {@code cnt} in chunk {@code cnt / 64}, slot {@code cnt % 64}, and rejects heaps whose
 * payload is not exactly 64 KiB (descriptors, the end-of-stream heap); full chunks come out of the data ring
 * and go back to the free ring once read. Feed it with {@code SendExample 127.0.0.1 PORT 10 65536}.
 *
 * <pre>{@code
 * java --enable-native-access=io.spead4j -p <module path> -m io.spead4j.examples/io.spead4j.examples.RecvChunkRingExample [PORT]
 * }</pre>
 * Default port 8888 on 127.0.0.1 (0: any free port). The first line says where it listens.
 */
public final class RecvChunkRingExample {
    /** Payload bytes of each heap this stream accepts. */
    static final int HEAP_PAYLOAD_SIZE = 65536;
    /** Heaps in a chunk. */
    static final int HEAPS_PER_CHUNK = 64;
    /** Payload bytes of a chunk. */
    static final int CHUNK_PAYLOAD_SIZE = HEAPS_PER_CHUNK * HEAP_PAYLOAD_SIZE;
    /** Chunks in the stream's window, and in each ring. */
    static final int MAX_CHUNKS = 4;

    private RecvChunkRingExample() {
    }

    /**
     * Receives until the sender ends the stream.
     *
     * @param args the port, optional
     * @throws IOException if the socket cannot be opened
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;

        // items[0] is the heap counter, items[1] the heap length (the payload size)
        ChunkPlaceFunction place = data -> {
            long heapCnt = data.item(0);
            long payloadSize = data.item(1);
            if (payloadSize == HEAP_PAYLOAD_SIZE) {              // else leave chunk id -1: rejected
                long heapIndex = heapCnt % HEAPS_PER_CHUNK;
                data.setChunkId(heapCnt / HEAPS_PER_CHUNK).setHeapIndex(heapIndex)
                        .setHeapOffset(heapIndex * HEAP_PAYLOAD_SIZE);
            }
        };
        ChunkStreamConfig chunkConfig = new ChunkStreamConfig()
                .withItems(Spead.HEAP_CNT_ID, Spead.HEAP_LENGTH_ID)
                .withMaxChunks(MAX_CHUNKS)
                .withPlace(place);
        ChunkRingbuffer dataRing = new ChunkRingbuffer(MAX_CHUNKS);
        ChunkRingbuffer freeRing = new ChunkRingbuffer(MAX_CHUNKS);
        try (Arena arena = Arena.ofShared();
             ThreadPool threadPool = new ThreadPool();
             ChunkRingStream stream = new ChunkRingStream(threadPool, new StreamConfig(), chunkConfig, dataRing,
                     freeRing)) {
            for (int i = 0; i < MAX_CHUNKS; i++) {
                stream.addFreeChunk(new Chunk(arena.allocate(HEAPS_PER_CHUNK), arena.allocate(CHUNK_PAYLOAD_SIZE)));
            }
            stream.addUdpReader(port, StreamBase.DEFAULT_UDP_MAX_SIZE, 1024 * 1024, "127.0.0.1");
            System.out.println("Listening on " + stream.localAddresses().getFirst());
            System.out.flush();

            for (Chunk chunk : dataRing) {                      // ends when the stream stops
                System.out.println("Received chunk " + chunk.chunkId() + " with " + chunk.presentCount() + " / "
                        + HEAPS_PER_CHUNK + " heaps");
                stream.addFreeChunk(chunk);
            }
        }
    }
}
