/**
 * The send side of SPEAD, spead2's {@code spead2.send}: build a {@link io.spead4j.send.Heap}, send it on a
 * {@link io.spead4j.send.Stream} ({@link io.spead4j.send.BytesStream}, {@link io.spead4j.send.ChannelStream},
 * {@link io.spead4j.send.InprocStream}, {@link io.spead4j.send.UdpStream}, {@link io.spead4j.send.TcpStream}),
 * or build heaps from named items with {@link io.spead4j.send.ItemGroup} / {@link io.spead4j.send.HeapGenerator}. The bytes on the wire are identical to
 * spead2's: {@link io.spead4j.send.PacketGenerator} cuts heaps into packets,
 * {@link io.spead4j.send.DescriptorEncoder} encodes descriptors, and the stream applies spead2's cnt
 * sequence, group modes and rate limiter.
 */
package io.spead4j.send;
