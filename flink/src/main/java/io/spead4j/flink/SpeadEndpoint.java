package io.spead4j.flink;

import java.io.Serial;
import java.io.Serializable;
import java.net.InetAddress;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One SPEAD endpoint that a {@link SpeadSource} receives: a split of the source. It is either an IPv4
 * multicast group and port, joined on the interface that has {@code interfaceAddress}, or a unicast UDP port
 * bound on {@code interfaceAddress} (the wildcard address for every interface). Each endpoint is received by
 * its own spead4j ring stream, so heaps of different endpoints never mix even if their cnts collide.
 *
 * <p>An endpoint holds no position: UDP cannot be replayed, so a checkpoint records only which reader owns
 * which endpoint (see the package documentation).
 *
 * @param group the IPv4 multicast group (dotted quad), or null for a unicast endpoint
 * @param port the UDP port, 1 to 65535
 * @param interfaceAddress the local IPv4 address to join on (multicast) or bind to (unicast), for example
 *     {@code 127.0.0.1}; {@code 0.0.0.0} lets the system choose (multicast) or binds every interface (unicast)
 */
public record SpeadEndpoint(String group, int port, String interfaceAddress) implements SourceSplit, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Checks the arguments. */
    public SpeadEndpoint {
        Objects.requireNonNull(interfaceAddress, "interfaceAddress");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, got " + port);
        }
        if (group != null && !literal(group).isMulticastAddress()) {
            throw new IllegalArgumentException("group " + group + " is not a multicast address");
        }
        literal(interfaceAddress);
    }

    /**
     * A multicast endpoint.
     *
     * @param group the IPv4 multicast group, for example {@code 239.255.0.1}
     * @param port the UDP port
     * @param interfaceAddress the address of the interface to join on ({@code 0.0.0.0}: the system's choice)
     * @return the endpoint
     * @throws IllegalArgumentException if the group is not a multicast address or the port is out of range
     */
    public static SpeadEndpoint multicast(String group, int port, String interfaceAddress) {
        return new SpeadEndpoint(Objects.requireNonNull(group, "group"), port, interfaceAddress);
    }

    /**
     * A unicast endpoint.
     *
     * @param port the UDP port
     * @param bindAddress the local address to bind to ({@code 0.0.0.0}: every interface)
     * @return the endpoint
     * @throws IllegalArgumentException if the port is out of range or the address is not a literal
     */
    public static SpeadEndpoint unicast(int port, String bindAddress) {
        return new SpeadEndpoint(null, port, bindAddress);
    }

    /**
     * Whether this is a multicast endpoint.
     *
     * @return true for a multicast endpoint
     */
    public boolean isMulticast() {
        return group != null;
    }

    /**
     * The id Flink knows this split by.
     *
     * @return {@code group:port} or {@code udp:bindAddress:port}
     */
    @Override
    public String splitId() {
        return isMulticast() ? group + ":" + port : "udp:" + interfaceAddress + ":" + port;
    }

    /**
     * Parses an IP literal without a name lookup.
     *
     * @param address a dotted-quad (or IPv6) literal
     * @return the address
     * @throws IllegalArgumentException if it is not a literal
     */
    static InetAddress literal(String address) {
        if (address.isEmpty() || !(Character.digit(address.charAt(0), 16) >= 0 || address.charAt(0) == ':')) {
            throw new IllegalArgumentException("not an IP address literal: '" + address + "'");
        }
        try {
            return InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + address + "'", e);
        }
    }
}
