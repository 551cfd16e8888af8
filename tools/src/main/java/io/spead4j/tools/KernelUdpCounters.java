package io.spead4j.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's UDP counters of this network namespace, from {@code /proc/net/snmp} (Linux): the {@code Udp:}
 * header line names the fields, the next {@code Udp:} line holds their values. {@code RcvbufErrors} counts
 * datagrams dropped because a socket's receive buffer was full, for every socket of the namespace (so other
 * programs' drops count there too).
 *
 * @param values counter name to value
 */
record KernelUdpCounters(Map<String, Long> values) {
    /** Where Linux publishes the counters. */
    static final Path SNMP = Path.of("/proc/net/snmp");

    /**
     * Reads the counters.
     *
     * @param snmp the file ({@link #SNMP})
     * @return the counters, or null if the file is missing or has no {@code Udp:} lines (not Linux)
     */
    static KernelUdpCounters read(Path snmp) {
        List<String> lines;
        try {
            lines = Files.readAllLines(snmp);
        } catch (IOException e) {
            return null;
        }
        return parse(lines);
    }

    /**
     * Parses the text of {@code /proc/net/snmp}.
     *
     * @param lines its lines
     * @return the {@code Udp:} counters, or null if there are none
     */
    static KernelUdpCounters parse(List<String> lines) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                String[] names = lines.get(i).trim().split("\\s+");
                String[] numbers = lines.get(i + 1).trim().split("\\s+");
                Map<String, Long> values = new LinkedHashMap<>();
                for (int j = 1; j < Math.min(names.length, numbers.length); j++) {
                    try {
                        values.put(names[j], Long.parseLong(numbers[j]));
                    } catch (NumberFormatException e) {
                        // a header line followed by another header: not the values
                        break;
                    }
                }
                if (!values.isEmpty()) {
                    return new KernelUdpCounters(Map.copyOf(values));
                }
            }
        }
        return null;
    }

    /**
     * The datagrams the kernel dropped for one open UDP socket: the {@code drops} column of its line in
     * {@code /proc/net/udp} ({@code udp6} for IPv6), which counts only that socket, unlike {@code RcvbufErrors}.
     *
     * @param local the socket's bound address and port
     * @return the count, or -1 if no such socket is listed (closed, or not Linux)
     */
    static long socketDrops(java.net.InetSocketAddress local) {
        byte[] address = local.getAddress().getAddress();
        Path table = Path.of(address.length == 4 ? "/proc/net/udp" : "/proc/net/udp6");
        try {
            return socketDrops(Files.readAllLines(table), address, local.getPort());
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Finds a socket's drops in the lines of {@code /proc/net/udp}: its {@code local_address} is the address
     * as hex words in host byte order (little-endian here) and the port in hex; {@code drops} is the last column.
     *
     * @param lines the table, header first
     * @param address the bound address
     * @param port the bound port
     * @return the drops, or -1 if the socket is not listed
     */
    static long socketDrops(List<String> lines, byte[] address, int port) {
        StringBuilder hex = new StringBuilder();
        for (int word = 0; word < address.length; word += 4) {
            for (int i = 3; i >= 0; i--) {
                hex.append(String.format(java.util.Locale.ROOT, "%02X", address[word + i] & 0xff));
            }
        }
        String local = hex + String.format(java.util.Locale.ROOT, ":%04X", port);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length > 2 && f[1].equalsIgnoreCase(local)) {
                try {
                    return Long.parseLong(f[f.length - 1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * One counter.
     *
     * @param name its name, e.g. {@code RcvbufErrors}
     * @return its value, or 0 if the kernel has no such counter
     */
    long get(String name) {
        return values.getOrDefault(name, 0L);
    }
}
