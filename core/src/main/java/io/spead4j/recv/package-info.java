/**
 * Receiving SPEAD, spead2's {@code spead2.recv}: stream configuration ({@link io.spead4j.recv.StreamConfig},
 * {@link io.spead4j.recv.RingStreamConfig}), the shared packet step and heap assembly
 * ({@link io.spead4j.recv.StreamBase}), the ring stream {@link io.spead4j.recv.Stream} (Python's
 * {@code spead2.recv.Stream}), the callback base {@link io.spead4j.recv.CallbackStream} (C++ style),
 * received heaps ({@link io.spead4j.recv.Heap}, {@link io.spead4j.recv.IncompleteHeap}) and statistics
 * ({@link io.spead4j.recv.StreamStats}).
 *
 * <p>Chunk streams (SPEAD2-BEHAVIOUR.md §8) place heaps' payload straight into large user-supplied
 * {@link io.spead4j.recv.Chunk}s through a {@link io.spead4j.recv.ChunkPlaceFunction} (ready-made:
 * {@link io.spead4j.recv.TimestampPlacer}): {@link io.spead4j.recv.ChunkRingStream} with its
 * {@link io.spead4j.recv.ChunkRingbuffer}s, and {@link io.spead4j.recv.ChunkStreamRingGroup} for several streams
 * filling the same chunks. They share the ring stream's packet step and every reader.
 *
 * <p>Readers (memory buffer, in-process queue, UDP, TCP, pcap/pcapng files, byte streams) live in this package behind a small internal
 * SPI ({@code Reader}: begin batch, add packet, end batch, stop from source) so that every transport shares
 * the one packet step. Behaviour follows spead2 4.4.1 rule for rule (SPEAD2-BEHAVIOUR.md §2, §3, §4.2, §6,
 * §7), with one intentional difference: {@link io.spead4j.recv.StreamConfig#maxHeapSize()} caps the memory a
 * heap may claim.
 */
package io.spead4j.recv;
