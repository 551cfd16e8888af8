package io.spead4j.tools;

import io.spead4j.net.FrameReject;
import io.spead4j.net.PcapReader;
import io.spead4j.net.PcapWriter;
import io.spead4j.net.UdpFrameDecoder;
import io.spead4j.net.PcapFrame;
import io.spead4j.wire.ItemPointer;
import io.spead4j.wire.PacketDecoder;
import io.spead4j.wire.PacketHeader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code spead4j dump}: captures the UDP datagrams arriving on a port into a nanosecond pcap file (like
 * spead2's mcdump), or with {@code --decode FILE} prints one line per SPEAD packet of a {@code .spead} file
 * (packets back to back) or a pcap/pcapng capture.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Capture UDP packets into a pcap file (mcdump):  dump [--bind ADDR] [--count N] [--duration S] PORT FILE",
            "or decode packets:  dump --decode FILE (.spead, pcap or pcapng)"})
final class DumpCommand implements Callable<Integer> {
    static final int PCAP_MAGIC = 0xa1b2c3d4;
    static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
    static final int PCAPNG_MAGIC = 0x0a0d0d0a;

    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--decode", paramLabel = "FILE", description = "Decode FILE instead of capturing")
    Path decode;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to bind to, or a multicast group to join (default 0.0.0.0)")
    String bind = "0.0.0.0";

    @Option(names = "--interface", paramLabel = "ADDRESS",
            description = "Address of the interface on which to join a multicast --bind group (default: the first "
                    + "multicast-capable interface that is up)")
    String interfaceAddress;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N packets (default: until Ctrl-C)")
    long count = -1;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds")
    double duration = -1;

    @Option(names = "--buffer", paramLabel = "BYTES", description = "Socket receive buffer size (default 8 MiB)")
    int buffer = Network.UDP_RECV_BUFFER;

    @Parameters(paramLabel = "PORT FILE", arity = "0..2", description = "UDP port to capture and the pcap file to write")
    List<String> positional = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (decode != null) {
            if (!positional.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "--decode takes no other arguments");
            }
            return decode(cl.getOut());
        }
        if (positional.size() != 2) {
            throw new CommandLine.ParameterException(cl, "expected a PORT and an output FILE (or --decode FILE)");
        }
        int port;
        try {
            port = Integer.parseInt(positional.get(0));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 0xffff) {
            throw new CommandLine.ParameterException(cl, "bad port '" + positional.get(0) + "'");
        }
        return capture(cl, port, Path.of(positional.get(1)));
    }

    // ---------------------------------------------------------------------------------------------- capture

    private int capture(CommandLine cl, int port, Path file) throws IOException {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cl, "bad --bind address '" + bind + "'");
        }
        long packets = 0;
        long bytes = 0;
        try (DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
             PcapWriter writer = PcapWriter.create(file)) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, buffer);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (address.isMulticastAddress()) {
                channel.bind(new InetSocketAddress(port));
                channel.join(address, multicastInterface(cl));
            } else {
                channel.bind(new InetSocketAddress(address, port));
            }
            int destination = toInt(address);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(() -> {
                closeQuietly(channel);
                try {
                    main.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "spead4j-dump-sigint");
            Runtime.getRuntime().addShutdownHook(hook);
            long deadline = duration >= 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            MemorySegment seg = MemorySegment.ofBuffer(buf);
            try {
                channel.configureBlocking(false);
                java.nio.channels.Selector selector = java.nio.channels.Selector.open();
                try (selector) {
                    channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
                    while ((count < 0 || packets < count) && System.nanoTime() < deadline) {
                        long wait = Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                        selector.select(wait);
                        selector.selectedKeys().clear();
                        while (count < 0 || packets < count) {
                            buf.clear();
                            InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                            if (from == null) {
                                break;
                            }
                            long now = System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L;
                            writer.writeUdp(toInt(from.getAddress()), from.getPort(), destination, port,
                                    seg.asSlice(0, buf.position()), Math.max(0, now));
                            packets++;
                            bytes += buf.position();
                        }
                    }
                }
            } catch (ClosedChannelException e) {
                // Ctrl-C
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down
                }
            }
        }
        PrintWriter err = cl.getErr();
        err.print("Captured " + packets + " packets (" + bytes + " bytes) to " + file + "\n");
        err.flush();
        return 0;
    }

    private java.net.NetworkInterface multicastInterface(CommandLine cl) throws IOException {
        if (interfaceAddress != null) {
            java.net.NetworkInterface nif = java.net.NetworkInterface.getByInetAddress(InetAddress.getByName(interfaceAddress));
            if (nif == null) {
                throw new CommandLine.ParameterException(cl, "no interface has the address " + interfaceAddress);
            }
            return nif;
        }
        java.net.NetworkInterface loopback = null;
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nif.isUp() && nif.supportsMulticast()) {
                if (!nif.isLoopback()) {
                    return nif;
                }
                loopback = nif;
            }
        }
        if (loopback == null) {
            throw new IOException("no multicast-capable interface is up; give one with --interface");
        }
        return loopback;
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing to stop the capture
        }
    }

    private static int toInt(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4) {
            return 0;
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    // ---------------------------------------------------------------------------------------------- decode

    /** The kind of a file, from its first four bytes. */
    enum Kind { PCAP, PCAPNG, SPEAD }

    static Kind kind(Path file) throws IOException {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 4);
        }
        if (n == 4) {
            int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            if (magic == PCAPNG_MAGIC) {
                return Kind.PCAPNG;
            }
            for (int m : new int[] {PCAP_MAGIC, PCAP_MAGIC_NANOS}) {
                if (magic == m || magic == Integer.reverseBytes(m)) {
                    return Kind.PCAP;
                }
            }
        }
        return Kind.SPEAD;
    }

    private int decode(PrintWriter out) throws IOException {
        Kind kind;
        try {
            kind = kind(decode);
        } catch (NoSuchFileException e) {
            throw new Main.ToolException(1, decode + ": no such file");
        }
        if (kind == Kind.SPEAD) {
            return decodeSpead(out);
        }
        return decodeCapture(out);
    }

    private int decodeSpead(PrintWriter out) throws IOException {
        MemorySegment data = MemorySegment.ofArray(Files.readAllBytes(decode));
        PacketDecoder decoder = new PacketDecoder();
        long offset = 0;
        int index = 0;
        StringBuilder sb = new StringBuilder();
        while (offset < data.byteSize()) {
            long size = decoder.decode(data, offset, data.byteSize() - offset);
            if (size == 0) {
                if (index == 0) {
                    throw new Main.ToolException(1, decode + " is neither a pcap/pcapng capture nor SPEAD packets back to back ("
                            + decoder.status().message() + " at offset 0)");
                }
                sb.append("packet ").append(index).append(" at ").append(offset).append(": rejected (")
                        .append(decoder.status().message()).append("); stopping\n");
                break;
            }
            sb.append("packet ").append(index).append(" at ").append(offset).append(": ");
            describe(sb, decoder);
            sb.append('\n');
            offset += size;
            index++;
        }
        out.print(sb);
        out.flush();
        return 0;
    }

    private int decodeCapture(PrintWriter out) throws IOException {
        PacketDecoder decoder = new PacketDecoder();
        UdpFrameDecoder udp = new UdpFrameDecoder();
        PcapFrame frame = new PcapFrame();
        StringBuilder sb = new StringBuilder();
        try (PcapReader reader = PcapReader.open(decode)) {
            int linkType = reader.linkType();
            if (linkType >= 0 && !UdpFrameDecoder.isSupportedLinkType(linkType)) {
                throw new Main.ToolException(1, decode + ": pcap link type " + linkType
                        + " is neither Ethernet (1) nor Linux SLL (113)");
            }
            long index = 0;
            while (reader.next(frame)) {
                sb.append("frame ").append(index++).append(": ");
                FrameReject why = udp.decodeCaptured(frame);
                if (why != FrameReject.OK) {
                    sb.append("not a UDP datagram (").append(why.message()).append(")");
                    if (frame.isTruncated()) {
                        sb.append(" truncated by the capture: ").append(frame.capturedLength()).append(" of ")
                                .append(frame.originalLength()).append(" bytes");
                    }
                    sb.append('\n');
                    continue;
                }
                sb.append(UdpFrameDecoder.formatAddress(udp.sourceAddress())).append(':').append(udp.sourcePort())
                        .append(" > ").append(UdpFrameDecoder.formatAddress(udp.destinationAddress())).append(':')
                        .append(udp.destinationPort()).append(' ');
                if (udp.isTruncated()) {
                    sb.append("truncated by the capture (caplen ").append(frame.capturedLength()).append(" < len ")
                            .append(frame.originalLength()).append(")");
                    describeTruncated(sb, udp.segment(), udp.payloadOffset(), udp.payloadLength(),
                            udp.wirePayloadLength());
                    sb.append('\n');
                    continue;
                }
                long size = decoder.decode(udp.segment(), udp.payloadOffset(), udp.payloadLength());
                if (size == 0) {
                    sb.append("rejected (").append(decoder.status().message()).append(")");
                    describeLenient(sb, decoder, udp.segment(), udp.payloadOffset(), udp.payloadLength());
                    sb.append('\n');
                } else if (size != udp.payloadLength()
                        && decoder.decode(udp.segment(), udp.payloadOffset(), udp.payloadLength(),
                        PacketDecoder.ALL_LENIENCY) == udp.payloadLength() && decoder.leniencyApplied() != 0) {
                    // spead2 rejects it for its size (e.g. a PAYLOAD_LENGTH of 0 before the payload)
                    sb.append("rejected (packet is ").append(size).append(" bytes, datagram ")
                            .append(udp.payloadLength()).append(')');
                    describeLenient(sb, decoder, udp.segment(), udp.payloadOffset(), udp.payloadLength());
                    sb.append('\n');
                } else {
                    decoder.decode(udp.segment(), udp.payloadOffset(), udp.payloadLength());
                    describe(sb, decoder);
                    if (size != udp.payloadLength()) {
                        sb.append(" (rejected: packet is ").append(size).append(" bytes, datagram ")
                                .append(udp.payloadLength()).append(')');
                    }
                    sb.append('\n');
                }
                if (sb.length() > 1 << 16) {
                    out.print(sb);
                    sb.setLength(0);
                }
            }
        } catch (IOException e) {
            out.print(sb);
            out.flush();
            throw new Main.ToolException(1, RecvCommand.describe(e), e);
        }
        out.print(sb);
        out.flush();
        return 0;
    }

    /**
     * Appends, for a datagram spead2 rejects, what it lacks compared with what spead2 requires, and, where the
     * leniency options of a receive stream would accept it, the packet as they decode it.
     */
    static void describeLenient(StringBuilder sb, PacketDecoder decoder, MemorySegment segment, long offset,
            int length) {
        if (decoder.decode(segment, offset, length, PacketDecoder.ALL_LENIENCY) == length) {
            sb.append(" lacks:");
            lacks(sb, decoder);
            sb.append("; with the leniency options: ");
            describe(sb, decoder);
        }
    }

    /** Appends what a packet decoded leniently lacks compared with what spead2 requires. */
    static void lacks(StringBuilder sb, PacketDecoder decoder) {
        int applied = decoder.leniencyApplied();
        if ((applied & PacketDecoder.MISSING_PAYLOAD_OFFSET_IS_ZERO) != 0) {
            sb.append(" PAYLOAD_OFFSET");
        }
        if ((applied & PacketDecoder.PAYLOAD_LENGTH_FROM_DATAGRAM) != 0) {
            sb.append(" PAYLOAD_LENGTH (0 or missing, ").append(decoder.payloadLength())
                    .append(" bytes follow the pointers)");
        }
        if ((applied & PacketDecoder.MISSING_HEAP_LENGTH_IS_PACKET) != 0) {
            sb.append(" HEAP_LENGTH");
        }
    }

    /**
     * Appends what a datagram truncated by the capture shows: its SPEAD header and the item pointers that were
     * captured, never reading past the captured bytes.
     */
    static void describeTruncated(StringBuilder sb, MemorySegment segment, long offset, int captured,
            int wireLength) {
        sb.append(", ").append(captured).append(" of ").append(wireLength).append(" UDP payload bytes");
        if (captured < PacketHeader.SIZE) {
            return;
        }
        int bits = PacketHeader.validHeapAddressBits(segment, offset);
        if (bits == 0) {
            sb.append(": not a SPEAD header");
            return;
        }
        int n = PacketHeader.numItems(segment, offset);
        int present = Math.min(n, (captured - PacketHeader.SIZE) / PacketHeader.POINTER_SIZE);
        sb.append(": SPEAD-64-").append(bits).append(' ').append(n).append(" items");
        if (present < n) {
            sb.append(" (").append(present).append(" captured)");
        }
        sb.append(':');
        for (int i = 0; i < present; i++) {
            long p = segment.get(PacketHeader.BE_LONG, offset + PacketHeader.SIZE + (long) i * PacketHeader.POINTER_SIZE);
            appendPointer(sb, p, bits);
        }
        long payload = captured - PacketHeader.SIZE - (long) PacketHeader.POINTER_SIZE * n;
        if (payload >= 0) {
            sb.append(" payload: ").append(payload).append(" of ")
                    .append(wireLength - PacketHeader.SIZE - (long) PacketHeader.POINTER_SIZE * n)
                    .append(" bytes captured");
        }
    }

    private static void appendPointer(StringBuilder sb, long p, int bits) {
        sb.append(ItemPointer.isImmediate(p) ? " imm " : " addr ")
                .append(CppFormat.hex(ItemPointer.id(p, bits))).append('=')
                .append(ItemPointer.value(p, bits));
    }

    /** Appends the header and item pointers of a decoded packet. */
    static void describe(StringBuilder sb, PacketDecoder decoder) {
        int bits = decoder.heapAddressBits();
        sb.append("SPEAD-64-").append(bits).append(" cnt=").append(decoder.heapCnt())
                .append(" heap_length=").append(decoder.heapLength())
                .append(" offset=").append(decoder.payloadOffset())
                .append(" length=").append(decoder.payloadLength()).append(" items:");
        for (int i = 0; i < decoder.numItems(); i++) {
            appendPointer(sb, decoder.rawPointer(i), bits);
        }
    }
}
