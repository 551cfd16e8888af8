package io.spead4j.tools;

import io.spead4j.recv.StreamConfig;
import picocli.CommandLine.Option;

/**
 * {@code spead4j recv}'s options for hardware that bends SPEAD (spead4j only; spead2_recv has none): each
 * turns on one of the {@link StreamConfig} leniency options, all off by default, so that without them
 * {@code recv} receives exactly what spead2_recv receives.
 */
final class HardwareLeniencyOptions {
    @Option(names = "--missing-offset-zero", description = {
        "spead4j: Take a packet without a payload offset item (0x3) to have offset 0 (SKA-Low TPMs and SPS station",
        "beamformers send none)"})
    boolean missingOffsetZero;

    @Option(names = "--missing-heap-size-packet", description = {
        "spead4j: Take a packet without a heap size item (0x2) at offset 0 to be the whole heap (SKA-Low TPMs and SPS",
        "station beamformers)"})
    boolean missingHeapSizePacket;

    @Option(names = "--payload-length-datagram", description = {
        "spead4j: Take the bytes after the item pointers as the payload when the payload length item (0x4) is 0 or",
        "missing (SKA-Low SPS v1 station beams)"})
    boolean payloadLengthDatagram;

    @Option(names = "--heaps-per-source", description = {
        "spead4j: Key live heaps by sender address and heap cnt, so equal cnts from different senders never merge",
        "(UDP and pcap sources; SKA-Low tiles and stations share cnts)"})
    boolean heapsPerSource;

    @Option(names = "--lenient-hardware", description = "spead4j: All four options above")
    boolean all;

    /**
     * Applies the options to a stream configuration.
     *
     * @param config the configuration built from the other options
     * @return the configuration with the chosen leniency options on
     */
    StreamConfig apply(StreamConfig config) {
        return config.withMissingPayloadOffsetIsZero(all || missingOffsetZero)
                .withMissingHeapLengthIsPacket(all || missingHeapSizePacket)
                .withPayloadLengthFromDatagram(all || payloadLengthDatagram)
                .withHeapsPerSource(all || heapsPerSource);
    }
}
