package io.spead4j.net;

import java.util.ArrayList;
import java.util.List;

/**
 * A capture filter in a documented subset of tcpdump/BPF syntax, evaluated on frames already decoded by
 * {@link UdpFrameDecoder} (so every candidate is an unfragmented IPv4/UDP datagram, as behind spead2's
 * fixed filter). Supported:
 * <ul>
 *   <li>{@code udp}, {@code ip}: always true here;</li>
 *   <li>{@code [udp] [src|dst|src or dst|src and dst] port N} with N in 0..65535;</li>
 *   <li>{@code [ip] [src|dst|src or dst|src and dst] host A.B.C.D};</li>
 *   <li>{@code [ip] [src|dst|src or dst|src and dst] net A.B.C.D/LEN} (or {@code net A.B.C.D mask M.M.M.M});</li>
 *   <li>{@code and}/{@code &&}, {@code or}/{@code ||} (equal precedence, left to right, as in tcpdump),
 *   {@code not}/{@code !} (binds tightest), parentheses;</li>
 *   <li>the empty filter, which matches everything.</li>
 * </ul>
 * Without {@code src}/{@code dst}, a primitive matches either side. Anything else (other protocols, byte
 * offsets, comparisons, names instead of numbers, qualifier inheritance as in {@code port 1 or 2}) is refused
 * with an {@link IllegalArgumentException}. Parsed once; {@link #matches} allocates nothing.
 */
public final class PacketFilter {
    /** What the error messages say is supported. */
    public static final String SUPPORTED = "supported filter syntax: udp, ip, [udp] [src|dst] port N, "
            + "[ip] [src|dst] host A.B.C.D, [ip] [src|dst] net A.B.C.D/LEN, and/&&, or/||, not/!, parentheses "
            + "(empty matches all)";

    private static final PacketFilter ALL = new PacketFilter("", new True());

    private final String expression;
    private final Node root;

    private PacketFilter(String expression, Node root) {
        this.expression = expression;
        this.root = root;
    }

    /** {@return a filter matching every datagram} */
    public static PacketFilter all() {
        return ALL;
    }

    /**
     * Parses a filter expression.
     *
     * @param expression tcpdump-style text, empty or blank for "match all"
     * @return the filter
     * @throws IllegalArgumentException if the text is outside the supported subset (the message says what is
     *     supported)
     */
    public static PacketFilter parse(String expression) {
        if (expression == null) {
            throw new IllegalArgumentException("filter expression is null; " + SUPPORTED);
        }
        List<String> tokens = tokenize(expression);
        if (tokens.isEmpty()) {
            return new PacketFilter(expression, new True());
        }
        Parser parser = new Parser(expression, tokens);
        Node root = parser.expression();
        if (parser.hasMore()) {
            throw parser.error("unexpected '" + parser.peek() + "'");
        }
        return new PacketFilter(expression, root);
    }

    /** {@return the text this filter was parsed from} */
    public String expression() {
        return expression;
    }

    /**
     * Evaluates the filter on a decoded datagram.
     *
     * @param udp a decoder whose last decode returned {@link FrameReject#OK}
     * @return true if the datagram passes
     */
    public boolean matches(UdpFrameDecoder udp) {
        return root.eval(udp.sourceAddress(), udp.sourcePort(), udp.destinationAddress(), udp.destinationPort());
    }

    /**
     * Evaluates the filter on datagram fields.
     *
     * @param sourceAddress big-endian IPv4 source
     * @param sourcePort UDP source port
     * @param destinationAddress big-endian IPv4 destination
     * @param destinationPort UDP destination port
     * @return true if the datagram passes
     */
    public boolean matches(int sourceAddress, int sourcePort, int destinationAddress, int destinationPort) {
        return root.eval(sourceAddress, sourcePort, destinationAddress, destinationPort);
    }

    /** {@return the parsed expression, fully parenthesised (for logs and tests)} */
    @Override
    public String toString() {
        return root.toString();
    }

    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == '!') {
                tokens.add(String.valueOf(c));
                i++;
            } else if ((c == '&' || c == '|') && i + 1 < n && text.charAt(i + 1) == c) {
                tokens.add(c == '&' ? "and" : "or");
                i += 2;
            } else if (Character.isLetterOrDigit(c) || c == '.' || c == '/' || c == '_' || c == '-') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || ".:/_-".indexOf(text.charAt(i)) >= 0)) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            } else {
                throw new IllegalArgumentException("unsupported filter syntax '" + text.substring(i)
                        + "' in '" + text + "'; " + SUPPORTED);
            }
        }
        return tokens;
    }

    /** Which side of the datagram a primitive tests. */
    private enum Direction {
        EITHER(""), SRC("src "), DST("dst "), BOTH("src and dst ");

        private final String text;

        Direction(String text) {
            this.text = text;
        }
    }

    private sealed interface Node permits True, And, Or, Not, Port, Net {
        boolean eval(int src, int srcPort, int dst, int dstPort);
    }

    private record True() implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            return true;
        }

        @Override
        public String toString() {
            return "true";
        }
    }

    private record And(Node left, Node right) implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            return left.eval(src, srcPort, dst, dstPort) && right.eval(src, srcPort, dst, dstPort);
        }

        @Override
        public String toString() {
            return "(" + left + " and " + right + ")";
        }
    }

    private record Or(Node left, Node right) implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            return left.eval(src, srcPort, dst, dstPort) || right.eval(src, srcPort, dst, dstPort);
        }

        @Override
        public String toString() {
            return "(" + left + " or " + right + ")";
        }
    }

    private record Not(Node inner) implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            return !inner.eval(src, srcPort, dst, dstPort);
        }

        @Override
        public String toString() {
            return "not " + inner;
        }
    }

    private record Port(Direction direction, int port) implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            return switch (direction) {
                case EITHER -> srcPort == port || dstPort == port;
                case SRC -> srcPort == port;
                case DST -> dstPort == port;
                case BOTH -> srcPort == port && dstPort == port;
            };
        }

        @Override
        public String toString() {
            return direction.text + "port " + port;
        }
    }

    private record Net(Direction direction, int address, int prefix) implements Node {
        @Override
        public boolean eval(int src, int srcPort, int dst, int dstPort) {
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            boolean s = (src & mask) == address;
            boolean d = (dst & mask) == address;
            return switch (direction) {
                case EITHER -> s || d;
                case SRC -> s;
                case DST -> d;
                case BOTH -> s && d;
            };
        }

        @Override
        public String toString() {
            String a = UdpFrameDecoder.formatAddress(address);
            return prefix == 32 ? direction.text + "host " + a : direction.text + "net " + a + "/" + prefix;
        }
    }

    /** Recursive-descent parser over the token list. */
    private static final class Parser {
        private final String text;
        private final List<String> tokens;
        private int next;

        Parser(String text, List<String> tokens) {
            this.text = text;
            this.tokens = tokens;
        }

        boolean hasMore() {
            return next < tokens.size();
        }

        String peek() {
            return hasMore() ? tokens.get(next) : null;
        }

        String peek(int ahead) {
            return next + ahead < tokens.size() ? tokens.get(next + ahead) : null;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("unsupported filter '" + text + "': " + what + "; " + SUPPORTED);
        }

        String take(String expected) {
            if (!hasMore()) {
                throw error("expected " + expected + " but the expression ended");
            }
            return tokens.get(next++);
        }

        Node expression() {
            Node left = unary();
            while (hasMore() && (peek().equals("and") || peek().equals("or"))) {
                boolean and = tokens.get(next++).equals("and");
                Node right = unary();
                left = and ? new And(left, right) : new Or(left, right);
            }
            return left;
        }

        Node unary() {
            String t = take("a primitive");
            if (t.equals("not") || t.equals("!")) {
                return new Not(unary());
            }
            if (t.equals("(")) {
                Node inner = expression();
                String close = take("')'");
                if (!close.equals(")")) {
                    throw error("expected ')' but found '" + close + "'");
                }
                return inner;
            }
            next--;
            return primitive();
        }

        Node primitive() {
            String protocol = null;
            String t = peek();
            if (t.equals("ip") || t.equals("udp")) {
                protocol = t;
                next++;
                if (!hasMore() || !isQualifier(peek())) {
                    return new True();
                }
            }
            Direction direction = direction();
            String kind = take("'port', 'host' or 'net'");
            switch (kind) {
                case "port" -> {
                    if ("ip".equals(protocol)) {
                        throw error("'ip' cannot qualify 'port' (use 'udp port N' or 'port N')");
                    }
                    return new Port(direction, port(take("a port number")));
                }
                case "host" -> {
                    requireIpQualifier(protocol, kind);
                    return new Net(direction, address(take("an IPv4 address")), 32);
                }
                case "net" -> {
                    requireIpQualifier(protocol, kind);
                    return net(direction);
                }
                default -> throw error("unexpected '" + kind + "'");
            }
        }

        private void requireIpQualifier(String protocol, String kind) {
            if ("udp".equals(protocol)) {
                throw error("'udp' cannot qualify '" + kind + "'");
            }
        }

        private static boolean isQualifier(String t) {
            return t.equals("src") || t.equals("dst") || t.equals("port") || t.equals("host") || t.equals("net");
        }

        private Direction direction() {
            String t = peek();
            if (!t.equals("src") && !t.equals("dst")) {
                return Direction.EITHER;
            }
            next++;
            String op = peek();
            String other = peek(1);
            if (("or".equals(op) || "and".equals(op)) && ("src".equals(other) || "dst".equals(other))
                    && !other.equals(t)) {
                next += 2;
                return op.equals("or") ? Direction.EITHER : Direction.BOTH;
            }
            return t.equals("src") ? Direction.SRC : Direction.DST;
        }

        private Node net(Direction direction) {
            String spec = take("A.B.C.D/LEN");
            int slash = spec.indexOf('/');
            int address;
            int prefix;
            if (slash >= 0) {
                address = address(spec.substring(0, slash));
                prefix = number(spec.substring(slash + 1), 32, "prefix length");
            } else {
                address = address(spec);
                if ("mask".equals(peek())) {
                    next++;
                    int mask = address(take("a netmask"));
                    prefix = Integer.bitCount(mask);
                    if (mask != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
                        throw error("netmask " + UdpFrameDecoder.formatAddress(mask) + " is not contiguous");
                    }
                } else {
                    prefix = 32;
                }
            }
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            if ((address & ~mask) != 0) {
                throw error("non-network bits set in " + spec);
            }
            return new Net(direction, address, prefix);
        }

        private int port(String t) {
            return number(t, 65535, "port (numbers only)");
        }

        private int number(String t, int max, String what) {
            if (t.isEmpty() || t.length() > 5 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw error("'" + t + "' is not a valid " + what);
            }
            int v = Integer.parseInt(t);
            if (v > max) {
                throw error("'" + t + "' is not a valid " + what);
            }
            return v;
        }

        private int address(String t) {
            try {
                return UdpFrameDecoder.parseAddress(t);
            } catch (IllegalArgumentException e) {
                throw error("'" + t + "' is not an IPv4 address A.B.C.D (host names are not supported)");
            }
        }
    }
}
