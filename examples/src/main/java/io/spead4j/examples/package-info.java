/**
 * Runnable examples, each a {@code main} mirroring one of spead2's examples: {@link io.spead4j.examples.SendExample}
 * (spead2's {@code tut_2_send}), {@link io.spead4j.examples.RecvExample} ({@code recv_example}),
 * {@link io.spead4j.examples.RecvPowerExample} ({@code tut_9_recv_memory_pool}) and
 * {@link io.spead4j.examples.RecvChunkRingExample} ({@code recv_chunk_ring_example}). The tests of this module
 * run every one of them.
 */
package io.spead4j.examples;
