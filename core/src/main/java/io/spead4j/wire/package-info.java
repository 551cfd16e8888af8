/**
 * The SPEAD wire format: the 8-byte {@link io.spead4j.wire.PacketHeader}, 64-bit
 * {@link io.spead4j.wire.ItemPointer}s for every heap address width spead2 accepts (SPEAD-64-8 to
 * SPEAD-64-56), the allocation-free {@link io.spead4j.wire.PacketDecoder} that validates a packet exactly as
 * spead2's {@code decode_packet} does, and {@link io.spead4j.wire.PacketWriter}. Flyweights over
 * {@link java.lang.foreign.MemorySegment} with explicit big-endian layouts.
 */
package io.spead4j.wire;
