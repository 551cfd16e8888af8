package io.spead4j.transport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts made of Linux network namespaces, for tests that need several machines on one network: each host is a
 * namespace with one interface {@code eth0} (a veth pair) holding a private address of {@value #SUBNET}.0/24 and
 * an address of {@value #SUBNET6}/64, a multicast route ({@code 224.0.0.0/4 dev eth0}; the kernel adds IPv6's
 * {@code ff00::/8} itself); the other ends of the pairs are ports of a bridge that lives
 * in a namespace of its own (multicast snooping off, so the bridge floods multicast to every port and each host's
 * kernel alone decides what it accepts, from the groups its sockets joined).
 *
 * <p>Nothing outside these namespaces is touched: every interface is created inside them, so the root namespace
 * sees no new interface, address or route. Their names start with {@value #PREFIX}, then the creating process's
 * id and a random suffix; {@link #close()} deletes them (and with them every interface), and {@link #create}
 * first deletes those left behind by a process that no longer runs. Processes run in a host with
 * {@link #start}; the caller destroys them before closing.
 *
 * <p>{@link #create} skips the calling test (JUnit assumption, with the reason) where the machine cannot do
 * this: not Linux, no {@code ip} command, not root, or {@code ip netns add} refused (e.g. in a container without
 * the capability). Any later failure is an error.
 */
@SuppressWarnings("restricted") // setns(2) through a downcall, to open sockets inside a host (see inside())
final class NetnsHosts implements AutoCloseable {
    /** The first part of the name of every namespace made here. */
    static final String PREFIX = "spead4j-mh-";
    /** The first three octets of the hosts' addresses. */
    static final String SUBNET = "10.250.77";
    /** The prefix of the hosts' IPv6 addresses (a unique local /64: {@value}1, {@value}2, ...). */
    static final String SUBNET6 = "fd5e:ad4a:77::";
    /** {@code CLONE_NEWNET} of {@code setns(2)}. */
    private static final int CLONE_NEWNET = 0x40000000;
    /** Longest any {@code ip} command may take. */
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    /**
     * One host.
     *
     * @param namespace its network namespace
     * @param address the address of its {@code eth0}
     */
    record Host(String namespace, Inet4Address address) {
    }

    private final String ip;
    private final String base;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();

    private NetnsHosts(String ip, String base) {
        this.ip = ip;
        this.base = base;
    }

    /**
     * Creates {@code count} hosts on one bridge, or skips the calling test if this machine cannot.
     *
     * @param count how many hosts (1 to 200)
     * @return the hosts; close them (after destroying their processes)
     * @throws IOException if a step after the first namespace fails (everything made so far is removed)
     */
    static NetnsHosts create(int count) throws IOException {
        if (count < 1 || count > 200) {
            throw new IllegalArgumentException("count must be in [1, 200], got " + count);
        }
        String ip = ipCommand();
        Assumptions.assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"),
                "network namespaces are a Linux feature; this is " + System.getProperty("os.name"));
        Assumptions.assumeTrue(ip != null, "no `ip` command (iproute2) in /usr/sbin, /sbin, /usr/bin or /bin");
        long uid = effectiveUid();
        Assumptions.assumeTrue(uid == 0, "creating network namespaces needs root; the effective uid is " + uid);
        removeStale(ip);
        String base = PREFIX + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000) | 0x1000000).substring(1);
        NetnsHosts made = new NetnsHosts(ip, base);
        String bridge = base + "-br";
        Result first = run(ip, "netns", "add", bridge);
        Assumptions.assumeTrue(first.status() == 0, () -> "`ip netns add` is refused here: " + first.output());
        made.namespaces.add(bridge);
        try {
            made.ip(bridge, "link", "set", "lo", "up");
            made.ip(bridge, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            made.ip(bridge, "link", "set", "br0", "up");
            for (int i = 0; i < count; i++) {
                String ns = base + "-h" + i;
                made.check(run(ip, "netns", "add", ns), "netns add " + ns);
                made.namespaces.add(ns);
                String port = "p" + i;
                made.ip(bridge, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
                made.ip(bridge, "link", "set", port, "master", "br0", "up");
                Inet4Address address = (Inet4Address) InetAddress.getByName(SUBNET + "." + (i + 1));
                made.ip(ns, "addr", "add", address.getHostAddress() + "/24", "dev", "eth0");
                made.ip(ns, "-6", "addr", "add", SUBNET6 + (i + 1) + "/64", "dev", "eth0", "nodad");
                made.ip(ns, "link", "set", "lo", "up");
                made.ip(ns, "link", "set", "eth0", "up");
                made.ip(ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
                made.hosts.add(new Host(ns, address));
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                made.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return made;
    }

    /** @return the hosts, in creation order */
    List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** @return the names of this set's namespaces (the bridge's first) */
    List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /**
     * Starts a process inside a host's namespace ({@code ip netns exec}, which runs the command itself, so
     * destroying the returned process ends it).
     *
     * @param host the host
     * @param command the command and its arguments
     * @return the process, standard error not redirected (the caller reads both streams)
     * @throws IOException if it cannot be started
     */
    Process start(Host host, List<String> command) throws IOException {
        List<String> all = new ArrayList<>(List.of(ip, "netns", "exec", host.namespace()));
        all.addAll(command);
        return new ProcessBuilder(all).start();
    }

    /** An action that may throw, run by {@link #inside}. */
    @FunctionalInterface
    interface NamespaceAction<T> {
        /**
         * Runs the action.
         *
         * @return its result
         * @throws Exception if it fails
         */
        T run() throws Exception;
    }

    /**
     * Runs an action on the calling thread while that thread is in a host's network namespace ({@code setns(2)},
     * which moves one thread only), then moves the thread back. Sockets the action creates belong to the host
     * for good, whichever thread uses them later; so a test can open a host's sockets in this JVM and drive them
     * from its own threads and thread pools. Java's {@link java.net.NetworkInterface} sees a host's {@code eth0}
     * from inside (through its IPv4 address).
     *
     * @param host the host
     * @param action what to run inside
     * @param <T> the action's result type
     * @return the action's result
     * @throws Exception what the action throws, or an {@link IOException} if entering or leaving fails
     */
    <T> T inside(Host host, NamespaceAction<T> action) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            int home = open(arena, "/proc/thread-self/ns/net");
            try {
                int target = open(arena, "/var/run/netns/" + host.namespace());
                try {
                    setns(target, "enter " + host.namespace());
                } finally {
                    close(target);
                }
                try {
                    return action.run();
                } finally {
                    setns(home, "return from " + host.namespace());
                }
            } finally {
                close(home);
            }
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("open"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("setns"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static int open(Arena arena, String path) throws IOException {
        int fd;
        try {
            fd = (int) OPEN.invokeExact(arena.allocateFrom(path), 0);
        } catch (Throwable t) {
            throw new IOException("open " + path, t);
        }
        if (fd < 0) {
            throw new IOException("cannot open " + path);
        }
        return fd;
    }

    private static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close", t);
        }
    }

    private static void setns(int fd, String what) throws IOException {
        int status;
        try {
            status = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
        } catch (Throwable t) {
            throw new IOException("setns to " + what, t);
        }
        if (status != 0) {
            throw new IOException("setns failed: cannot " + what);
        }
    }

    /**
     * Deletes every namespace of this set, and with them their interfaces.
     *
     * @throws IOException if one cannot be deleted (all are tried)
     */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (String ns : namespaces.reversed()) {
            Result r = run(ip, "netns", "delete", ns);
            if (r.status() != 0) {
                IOException e = new IOException("ip netns delete " + ns + " failed: " + r.output());
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        namespaces.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The network namespaces that exist now.
     *
     * @return their names
     * @throws IOException if {@code ip netns list} fails
     */
    List<String> existing() throws IOException {
        return list(ip);
    }

    private void ip(String namespace, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(ip, "-n", namespace));
        all.addAll(List.of(args));
        check(run(all.toArray(String[]::new)), String.join(" ", all));
    }

    private void check(Result r, String what) throws IOException {
        if (r.status() != 0) {
            throw new IOException(what + " failed (status " + r.status() + "): " + r.output());
        }
    }

    /** Deletes namespaces of this prefix whose creating process no longer runs. */
    private static void removeStale(String ip) throws IOException {
        for (String ns : list(ip)) {
            if (!ns.startsWith(PREFIX)) {
                continue;
            }
            String rest = ns.substring(PREFIX.length());
            int dash = rest.indexOf('-');
            long pid;
            try {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                run(ip, "netns", "delete", ns);
            }
        }
    }

    private static List<String> list(String ip) throws IOException {
        Result r = run(ip, "netns", "list");
        if (r.status() != 0) {
            throw new IOException("ip netns list failed: " + r.output());
        }
        // each line is "NAME" or "NAME (id: N)"
        return r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }

    private static String ipCommand() {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            Path p = Path.of(dir, "ip");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** @return the effective uid from /proc/self/status, or -1 if unknown */
    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The status and combined output of a command. */
    private record Result(int status, String output) {
    }

    private static Result run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            p.getOutputStream().close();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_SECONDS
                        + " s");
            }
            return new Result(p.exitValue(), new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }
}
