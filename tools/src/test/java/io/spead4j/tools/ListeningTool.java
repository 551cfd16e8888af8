package io.spead4j.tools;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Starts a tool that listens on a port it binds itself ({@code recv}, {@code bench agent}), in the
 * background, without racing other processes for the port.
 *
 * <p>The tools take a port number, not a bound socket, so the test cannot bind port 0 and hand the socket
 * over: it finds a free port by binding port 0 and closing it, and another process could take the port before
 * the tool binds it. So nothing is sent until the port is seen bound by this very JVM (the tool runs
 * in-process: on Linux, one of the sockets of {@code /proc/net/tcp*} or {@code /proc/net/udp*} on that port
 * has an inode among this process's descriptors), and if the tool exits first (it could not bind the port),
 * it is started again on another port. Where {@code /proc} is missing, "bound by anyone" is the fallback.
 */
final class ListeningTool {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int ATTEMPTS = 10;

    private ListeningTool() {
    }

    /**
     * A tool running in the background.
     *
     * @param port the port it listens on
     * @param tool its result, once it exits
     */
    record Running(int port, CompletableFuture<Tool> tool) {
    }

    /**
     * Starts a tool on a free port and returns once the tool holds the port.
     *
     * @param tcp whether the tool listens on TCP (else UDP)
     * @param args the tool's arguments for a given port
     * @return the running tool
     * @throws Exception if interrupted
     * @throws AssertionError if the tool exited before holding the port, {@value #ATTEMPTS} times
     */
    static Running start(boolean tcp, IntFunction<String[]> args) throws Exception {
        List<String> failures = new ArrayList<>();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = freePort(tcp);
            CompletableFuture<Tool> tool = CompletableFuture.supplyAsync(() -> Tool.run(args.apply(port)),
                    r -> Thread.ofPlatform().daemon().name("tool-on-port-" + port).start(r));
            while (!tool.isDone()) {
                if (boundHere(port, tcp)) {
                    return new Running(port, tool);
                }
                Thread.sleep(5);
            }
            Tool t = tool.join();
            failures.add("port " + port + ": status " + t.status() + ", " + t.err().strip());
        }
        throw new AssertionError("the tool exited before holding its port, " + ATTEMPTS + " times: " + failures);
    }

    /** @return a port free on loopback right now (the tool binds it later: see the class comment) */
    static int freePort(boolean tcp) throws IOException {
        if (tcp) {
            try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
                return s.getLocalPort();
            }
        }
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** @return whether a socket of this process is bound to the port (a TCP one listening) */
    static boolean boundHere(int port, boolean tcp) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        List<Path> tables = tcp ? List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"))
                : List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
        if (!Files.isDirectory(fds) || !Files.isReadable(tables.getFirst())) {
            return boundByAnyone(port, tcp);
        }
        Set<String> inodes = new HashSet<>();
        for (Path table : tables) {
            if (!Files.isReadable(table)) {
                continue;
            }
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.strip().split("\\s+");
                int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                boolean listening = !tcp || f[3].equals("0A");
                if (localPort == port && listening) {
                    inodes.add("socket:[" + f[9] + "]");
                }
            }
        }
        if (inodes.isEmpty()) {
            return false;
        }
        try (Stream<Path> open = Files.list(fds)) {
            return open.anyMatch(fd -> {
                try {
                    return inodes.contains(Files.readSymbolicLink(fd).toString());
                } catch (IOException | UnsupportedOperationException gone) {
                    return false; // closed since the listing
                }
            });
        }
    }

    /** @return whether anything is bound to the port (binding it fails) */
    private static boolean boundByAnyone(int port, boolean tcp) {
        try {
            if (tcp) {
                new ServerSocket(port, 1, LOOPBACK).close();
            } else {
                new DatagramSocket(new InetSocketAddress(LOOPBACK, port)).close();
            }
            return false;
        } catch (IOException bound) {
            return true;
        }
    }
}
