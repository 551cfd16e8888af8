package io.spead4j.transport;

import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.net.NativeUdpSocket;
import io.spead4j.net.UdpReceiveBatch;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.RingStreamConfig;
import io.spead4j.recv.Stream;
import io.spead4j.recv.StreamConfig;
import io.spead4j.send.UdpStream;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The program each host of {@link MulticastHostsTest} runs (inside its network namespace, in a JVM of its own),
 * printing JSON lines on standard output.
 *
 * <p>Arguments {@code send|receive IFACE COUNT GROUP...}; then each line on standard input, {@code PATH PORT}, runs
 * one round with the UDP sockets of that path ({@code spead4j.udp}: native or nio) on that port, so that one JVM
 * serves several rounds.
 *
 * <p>{@code send}: one UDP stream with a substream per group (substream {@code i} to group {@code i}) sent out of
 * the interface with address IFACE; COUNT heaps per substream, round-robin over the substreams, then an end heap
 * on each. Prints {@code {"sent":N}}.
 *
 * <p>{@code receive} (COUNT is a timeout in milliseconds): per group a ring stream whose reader joins the group on
 * IFACE ({@code addUdpReader(group, port, ..., IFACE)}), plus the "host" socket, bound to the wildcard address
 * and the port and joined to nothing, which gets every datagram to that port this host's kernel accepted,
 * whatever the group (Linux's default {@code IP_MULTICAST_ALL}); its datagrams are decoded once the group
 * streams have ended. Prints {@code {"ready":true}} once every socket is open
 * and joined, then one line per heap received ({@code {"socket":"239.x.y.z" or "host","substream":S,"seq":N,
 * "sum":X,"valid":true}}: {@code valid} when every value is what the sender put there, {@code sum} the sum of
 * the values), and {@code {"done":true}} when each stream has its end heaps, or {@code {"timeout":"..."}} lines
 * first if one did not within TIMEOUT_MS.
 */
final class MulticastHost {
    /** Item id of the substream number (immediate). */
    static final long SUBSTREAM_ID = 0x6000;
    /** Item id of the heap's sequence number within its substream (immediate). */
    static final long SEQUENCE_ID = 0x6001;
    /** Item id of the values: {@link #VALUES} big-endian int32. */
    static final long VALUES_ID = 0x6002;
    /** Values per heap: 4 KiB, so every heap spans several 1472-byte packets. */
    static final int VALUES = 1024;
    /** Send rate, bytes/s: far below what the veth pairs carry, so no datagram is dropped. */
    private static final double RATE = 50e6;

    private MulticastHost() {
    }

    /**
     * Value {@code i} of heap {@code seq} of substream {@code substream}.
     *
     * @param substream the substream
     * @param seq the heap's sequence number
     * @param i the index
     * @return the value
     */
    static int value(int substream, long seq, int i) {
        return substream * 1_000_000 + (int) seq * 1_000 + i;
    }

    /**
     * The sum of the values of a heap.
     *
     * @param substream the substream
     * @param seq the heap's sequence number
     * @return the sum
     */
    static long sum(int substream, long seq) {
        long s = 0;
        for (int i = 0; i < VALUES; i++) {
            s += value(substream, seq, i);
        }
        return s;
    }

    /**
     * Runs as a host.
     *
     * @param args {@code send ...} or {@code receive ...}, see the class comment
     * @throws Exception on failure (the exit status is then non-zero)
     */
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Inet4Address iface = (Inet4Address) InetAddress.getByName(args[1]);
        long count = Long.parseLong(args[2]);
        List<InetAddress> groups = new ArrayList<>();
        for (String g : Arrays.asList(args).subList(3, args.length)) {
            groups.add(InetAddress.getByName(g));
        }
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            // one round per line: "PATH PORT", PATH the UDP socket path (spead4j.udp) of this round's sockets
            String[] round = line.trim().split("\\s+");
            System.setProperty("spead4j.udp", round[0]);
            int port = Integer.parseInt(round[1]);
            switch (args[0]) {
                case "send" -> send(out, iface, port, (int) count, groups);
                case "receive" -> receive(out, iface, port, count, groups);
                default -> throw new IllegalArgumentException("send or receive, not " + args[0]);
            }
        }
        System.exit(0);
    }

    private static void send(PrintStream out, Inet4Address iface, int port, int heaps, List<InetAddress> groups)
            throws Exception {
        List<InetSocketAddress> endpoints = groups.stream().map(g -> new InetSocketAddress(g, port)).toList();
        long sent = 0;
        try (ThreadPool pool = new ThreadPool(1);
             UdpStream stream = new UdpStream(pool, endpoints,
                     new io.spead4j.send.StreamConfig().withRate(RATE), 0, 1, iface)) {
            for (int seq = 0; seq < heaps; seq++) {
                for (int s = 0; s < endpoints.size(); s++) {
                    ByteBuffer values = ByteBuffer.allocate(VALUES * Integer.BYTES);
                    for (int i = 0; i < VALUES; i++) {
                        values.putInt(value(s, seq, i));
                    }
                    stream.sendHeap(new io.spead4j.send.Heap()
                            .addItem(SUBSTREAM_ID, s)
                            .addItem(SEQUENCE_ID, seq)
                            .addItem(VALUES_ID, values.array(), false), -1, s);
                    sent++;
                }
            }
            for (int s = 0; s < endpoints.size(); s++) {
                stream.sendHeap(new io.spead4j.send.Heap().addEnd(), -1, s);
            }
        }
        out.println("{\"sent\":" + sent + "}");
    }

    private static void receive(PrintStream out, Inet4Address iface, int port, long timeoutMillis,
                                List<InetAddress> groups) throws Exception {
        List<Thread> consumers = new ArrayList<>();
        List<Stream> streams = new ArrayList<>();
        NativeUdpSocket hostSocket = openHostSocket(port);
        try (ThreadPool pool = new ThreadPool(1)) {
            for (InetAddress group : groups) {
                Stream stream = new Stream(pool, new StreamConfig(), RingStreamConfig.DEFAULT.withHeaps(64));
                streams.add(stream);
                stream.addUdpReader(group, port, Stream.DEFAULT_UDP_MAX_SIZE, 0, iface);
                consumers.add(consume(out, stream, group.getHostAddress(), 1));
            }
            out.println("{\"ready\":true}");
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (int i = 0; i < consumers.size(); i++) {
                Thread t = consumers.get(i);
                long left = deadline - System.nanoTime();
                if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                    out.println("{\"timeout\":\"" + t.getName() + "\"}");
                    streams.get(i).stop();
                    t.join();
                }
            }
            // the kernel queued each datagram on the host socket when it queued it on the group's socket, so
            // once the group streams have their end heaps, the host socket holds all it will ever get
            byte[] packets = drain(hostSocket);
            Stream host = new Stream(pool, new StreamConfig().withStopOnStopItem(false).withMaxHeaps(64),
                    RingStreamConfig.DEFAULT.withHeaps(64));
            host.addBufferReader(packets);
            consume(out, host, "host", Integer.MAX_VALUE).join();
        } finally {
            hostSocket.close();
        }
        out.println("{\"done\":true}");
    }

    /**
     * Opens the host's view: a socket bound to the wildcard address and the port (address reuse, as the group
     * sockets have) that joins nothing. Linux hands such a socket every datagram to the port that the host
     * accepted ({@code IP_MULTICAST_ALL}, on by default; NIO's {@code DatagramChannel} turns it off, so this is a
     * native socket), i.e. those of every group a socket of this host joined, and no other.
     */
    private static NativeUdpSocket openHostSocket(int port) throws IOException {
        NativeUdpSocket s = NativeUdpSocket.open(StandardProtocolFamily.INET);
        try {
            s.setReuseAddress(true);
            s.setReceiveBufferSize(4 << 20);
            s.bind(new InetSocketAddress(port));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** @return every datagram queued on the socket, back to back (SPEAD packets delimit themselves) */
    private static byte[] drain(NativeUdpSocket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (UdpReceiveBatch batch = new UdpReceiveBatch(64, Stream.DEFAULT_UDP_MAX_SIZE)) {
            while (socket.receiveBatch(batch, 0) > 0) {
                for (int i = 0; i < batch.count(); i++) {
                    all.writeBytes(batch.data().asSlice(batch.offset(i), batch.length(i)).toArray(JAVA_BYTE));
                }
            }
        }
        return all.toByteArray();
    }

    /** Prints a line per heap of a stream until it has seen {@code ends} end heaps (or is stopped). */
    private static Thread consume(PrintStream out, Stream stream, String socket, int ends) {
        return Thread.ofPlatform().name(socket).start(() -> {
            int seen = 0;
            for (HeapBase h : stream) {
                if (h.isEndOfStream()) {
                    if (++seen == ends) {
                        stream.stop();
                    }
                } else {
                    out.println(describe(h, socket));
                }
                if (h instanceof Heap heap) {
                    heap.release();
                }
            }
        });
    }

    /** The JSON line of one received heap. */
    private static String describe(HeapBase heap, String socket) {
        long substream = -1;
        long seq = -1;
        ByteBuffer values = null;
        for (RawItem item : heap.items()) {
            if (item.id() == SUBSTREAM_ID) {
                substream = item.immediateValue();
            } else if (item.id() == SEQUENCE_ID) {
                seq = item.immediateValue();
            } else if (item.id() == VALUES_ID) {
                values = item.value();
            }
        }
        boolean valid = heap.isContiguous() && substream >= 0 && seq >= 0 && values != null
                && values.remaining() == VALUES * Integer.BYTES;
        long sum = 0;
        if (values != null) {
            for (int i = 0; i + Integer.BYTES <= values.remaining(); i += Integer.BYTES) {
                int v = values.getInt(i);
                sum += v;
                valid &= v == value((int) substream, seq, i / Integer.BYTES);
            }
        }
        return "{\"socket\":\"" + socket + "\",\"substream\":" + substream + ",\"seq\":" + seq + ",\"sum\":" + sum
                + ",\"valid\":" + valid + "}";
    }
}
