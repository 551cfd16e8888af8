/**
 * Plumbing shared by the transports, not user API: socket set-up ({@code Sockets}), the FFM UDP socket
 * ({@code NativeUdpSocket}: recvmmsg/sendmmsg batches, GSO/GRO, through {@code java.lang.foreign} downcalls to
 * libc on Linux, chosen by {@code UdpBackend}, opened by {@code NativeSockets}), pcap and pcapng capture
 * reading and writing, Ethernet/IPv4/UDP frame checks as spead2 applies them, and the supported subset of
 * BPF filter syntax. It knows nothing of SPEAD heaps and serves {@code recv} and {@code send}. Module
 * {@code io.spead4j} does not export it: its public types are public for the other packages of the module (and
 * the tools, which use it from the class path), not for users.
 */
package io.spead4j.net;
