package io.spead4j.recv;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The compact form in which a reader tells the packet step where a packet came from, so that live heaps can
 * be keyed by (source, cnt) ({@link StreamConfig#heapsPerSource()}) with no object per packet. A source is
 * a {@code long}: {@link #UNKNOWN} for readers that do not know it (inproc, TCP, buffers); an IPv4 address
 * and port as {@code address << 16 | port} (below 2<sup>48</sup>); or {@link #TABLE_BASE} plus an index
 * into a small {@link Table} of other sources (IPv6) that a reader fills the first time it sees each.
 * Turned into an address object only when a heap's {@link HeapBase#source()} is asked for.
 */
final class PacketSource {
    /** The source of packets from readers that do not know it. */
    static final long UNKNOWN = -1;
    /** First key of a source held in a {@link Table}. */
    static final long TABLE_BASE = 1L << 48;

    private PacketSource() {
    }

    /**
     * The key of an IPv4 source.
     *
     * @param address the IPv4 address as a big-endian int
     * @param port the UDP port
     * @return the key
     */
    static long ipv4(int address, int port) {
        return (Integer.toUnsignedLong(address) << 16) | (port & 0xFFFF);
    }

    /**
     * The key of a source the JDK gave as an address object (the NIO reader), with no allocation for IPv4.
     *
     * @param address the sender, or null
     * @param table where other (IPv6) sources are kept, or null to treat them as unknown
     * @return the key
     */
    static long of(java.net.SocketAddress address, Table table) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            if (ip instanceof Inet4Address v4) {
                // Inet4Address.hashCode() is its address as an int (the JDK's implementation; the UDP tests check
                // the sources read back), which avoids getAddress()'s array copy per packet
                return ipv4(v4.hashCode(), inet.getPort());
            }
            if (ip != null && table != null) {
                return table.indexOf(inet);
            }
        }
        return UNKNOWN;
    }

    /**
     * Builds the address of a key (per heap, when asked).
     *
     * @param key the key
     * @param table the table of the reader that made the key, or null
     * @return the address, or empty if unknown
     */
    static Optional<InetSocketAddress> address(long key, Table table) {
        if (key < 0) {
            return Optional.empty();
        }
        if (key >= TABLE_BASE) {
            return table == null ? Optional.empty() : Optional.ofNullable(table.get((int) (key - TABLE_BASE)));
        }
        int address = (int) (key >>> 16);
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(bytes), (int) (key & 0xFFFF)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    /**
     * A reader's small table of the non-IPv4 sources it has seen, filled on first sight: at most
     * {@value #CAPACITY}; further sources are unknown. Used by the reader's thread only (the heaps that keep
     * a reference only read entries that were filled before they were created).
     */
    static final class Table {
        /** Most sources kept. */
        static final int CAPACITY = 64;
        private final InetSocketAddress[] entries = new InetSocketAddress[CAPACITY];
        /** For the native reader: each entry's raw IPv6 address (two longs) and port/scope, or zeros. */
        private final long[] raw = new long[3 * CAPACITY];
        private volatile int size;

        /**
         * Finds or adds a source.
         *
         * @param address the source
         * @return its key, or {@link #UNKNOWN} if the table is full
         */
        long indexOf(InetSocketAddress address) {
            int n = size;
            for (int i = 0; i < n; i++) {
                if (entries[i].equals(address)) {
                    return TABLE_BASE + i;
                }
            }
            return add(address, 0, 0, 0);
        }

        /**
         * Finds a source by its raw IPv6 form (the native reader), with no allocation.
         *
         * @param high first 8 address bytes
         * @param low last 8 address bytes
         * @param portScope port and scope id
         * @return its key, or {@link #UNKNOWN} if it was not seen yet
         */
        long find(long high, long low, long portScope) {
            int n = size;
            for (int i = 0; i < n; i++) {
                if (raw[3 * i] == high && raw[3 * i + 1] == low && raw[3 * i + 2] == portScope) {
                    return TABLE_BASE + i;
                }
            }
            return UNKNOWN;
        }

        /**
         * Adds a source seen for the first time.
         *
         * @param address its address object (allocated once per source)
         * @param high first 8 raw address bytes (for {@link #find}), or 0
         * @param low last 8 raw address bytes, or 0
         * @param portScope raw port and scope, or 0
         * @return its key, or {@link #UNKNOWN} if the table is full
         */
        long add(InetSocketAddress address, long high, long low, long portScope) {
            int n = size;
            if (n == CAPACITY || address == null) {
                return UNKNOWN;
            }
            entries[n] = address;
            raw[3 * n] = high;
            raw[3 * n + 1] = low;
            raw[3 * n + 2] = portScope;
            size = n + 1;
            return TABLE_BASE + n;
        }

        InetSocketAddress get(int index) {
            return index < size ? entries[index] : null;
        }
    }
}
