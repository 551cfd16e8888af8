package io.spead4j.recv;

import io.spead4j.net.RejectLog;
import io.spead4j.net.FrameReject;
import io.spead4j.net.UdpFrameDecoder;
import io.spead4j.net.UdpPcapReader;
import io.spead4j.wire.DecodeStatus;
import io.spead4j.wire.PacketDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * spead2's {@code udp_pcap_file_reader}: the UDP payloads of a pcap/pcapng file (through
 * {@link UdpPcapReader}, which applies spead2's fixed BPF filter, its frame checks and the user filter), at
 * most {@value #BATCH} frames per batch, each payload required to decode to exactly its length. The end of
 * the file stops the stream. Rejections are counted per reason (apart from the stream's statistics) and
 * logged at debug, the first {@value RejectLog#DETAILED} individually and the rest as a summary at the end.
 */
final class PcapFileReader extends Reader {
    /** Frames handled per batch, as spead2 (frames that spead2's BPF filter drops are not counted). */
    static final int BATCH = 64;
    private static final Logger LOG = LoggerFactory.getLogger(PcapFileReader.class);
    /** The frame rejections that spead2 meets after its BPF filter (so they use up a pass of the batch). */
    private static final FrameReject[] WARNED = java.util.Arrays.stream(FrameReject.values())
            .filter(FrameReject::warnedBySpead2).toArray(FrameReject[]::new);

    private final UdpPcapReader file;
    private final String name;
    private final RejectLog rejects;
    private long warnedSeen;
    private long sizeMismatches;
    private final long[] decodeRejects = new long[DecodeStatus.values().length];
    private final int leniency;

    PcapFileReader(StreamBase stream, UdpPcapReader file, String name) {
        super(stream);
        this.file = file;
        this.name = name;
        this.rejects = new RejectLog(LOG, name);
        this.leniency = stream.config().decoderLeniency();
    }

    @Override
    void readLoop() throws InterruptedException {
        try {
            boolean more = true;
            while (more && !isStopRequested()) {
                Batch b = stream.beginBatch(batch);
                try {
                    int passes = 0;
                    while (passes < BATCH && !b.isStopped()) {
                        if (!file.next()) {
                            b.stop();
                            more = false;
                            break;
                        }
                        // frames that spead2 rejects after its BPF filter (with a warning) used a pass each
                        long warned = warnedRejects();
                        passes += 1 + (int) (warned - warnedSeen);
                        warnedSeen = warned;
                        offer(b, file.datagram());
                    }
                } catch (ClosedByInterruptException e) {
                    b.stop();
                    more = false;
                } catch (IOException e) {
                    LOG.warn("{}: read failed after {} frames; stopping as at the end of the file", name,
                            file.capture().framesRead(), e);
                    b.stop();
                    more = false;
                } finally {
                    stream.endBatch(b);
                }
                if (b.isStopped()) {
                    more = false;
                }
            }
        } finally {
            closeFile();
            summarise();
        }
    }

    private void offer(Batch b, UdpFrameDecoder datagram) {
        PacketDecoder decoder = b.decoder;
        int length = datagram.payloadLength();
        long size = decoder.decode(datagram.segment(), datagram.payloadOffset(), length, leniency);
        if (size == 0) {
            decodeRejects[decoder.status().ordinal()]++;
            b.drop(DropReason.of(decoder.status()));
            rejects.reject(decoder.status().message());
        } else if (size != length) {
            sizeMismatches++;
            b.drop(DropReason.LENGTH_MISMATCH);
            if (rejects.next()) {
                rejects.detail("packet size " + size + " does not match the datagram's " + length + " bytes");
            }
        } else {
            b.source = PacketSource.ipv4(datagram.sourceAddress(), datagram.sourcePort());
            stream.processPacket(b, decoder);
        }
    }

    private long warnedRejects() {
        long n = 0;
        for (FrameReject r : WARNED) {
            n += file.rejected(r);
        }
        return n;
    }

    /** {@return frames rejected before SPEAD decoding, by reason (spead2's BPF filter drops and warnings)} */
    Map<FrameReject, Long> frameRejects() {
        Map<FrameReject, Long> map = new EnumMap<>(FrameReject.class);
        for (FrameReject r : FrameReject.values()) {
            if (r != FrameReject.OK && file.rejected(r) > 0) {
                map.put(r, file.rejected(r));
            }
        }
        return map;
    }

    /** {@return datagrams that did not decode as SPEAD, by decoder status} */
    Map<DecodeStatus, Long> decodeRejects() {
        Map<DecodeStatus, Long> map = new EnumMap<>(DecodeStatus.class);
        for (DecodeStatus s : DecodeStatus.values()) {
            if (decodeRejects[s.ordinal()] > 0) {
                map.put(s, decodeRejects[s.ordinal()]);
            }
        }
        return map;
    }

    /** {@return datagrams whose SPEAD packet was shorter than the datagram} */
    long sizeMismatches() {
        return sizeMismatches;
    }

    /** {@return frames read from the file so far} */
    long framesRead() {
        return file.capture().framesRead();
    }

    /** {@return datagrams that passed the frame checks and the user filter} */
    long datagrams() {
        return file.accepted();
    }

    private void closeFile() {
        try {
            file.close();
        } catch (IOException e) {
            LOG.debug("{}: close failed", name, e);
        }
    }

    private void summarise() {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {} frames read, {} UDP datagrams, {} filtered out, frames rejected {}, "
                            + "packets rejected {} + {} size mismatches", name, framesRead(), datagrams(),
                    file.filtered(), frameRejects(), decodeRejects(), sizeMismatches);
        }
        rejects.summarise();
    }

    @Override
    void closeSource() {
        // the file is closed by the reader's thread when it ends; reads do not block
    }

    @Override
    public String toString() {
        return "PcapFileReader(" + name + ")";
    }

    /**
     * Opens a capture file and adds its reader to a stream ({@link StreamBase#addUdpPcapFileReader(Path,
     * String)}); the file is closed again if the stream has already stopped.
     *
     * @param stream the stream
     * @param file the capture file
     * @param filter the filter ("" for every datagram)
     * @throws IOException if the file cannot be opened or is neither pcap nor pcapng
     * @throws IllegalArgumentException if the filter is not supported, or the link type is neither Ethernet
     *     nor Linux SLL
     */
    static void addFile(StreamBase stream, Path file, String filter) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(filter, "filter");
        UdpPcapReader opened = UdpPcapReader.open(file, filter);
        stream.addReaderOwning(new PcapFileReader(stream, opened, file.toString()), opened);
    }
}
