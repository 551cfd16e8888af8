package io.spead4j.send;

import io.spead4j.ThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A UDP or TCP send stream whose constructor fails leaves nothing open: no socket (counted in the JVM's
 * {@code /proc/self/fd}) and no writer thread.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SendConstructorCleanupTest {
    private static final int ATTEMPTS = 20;
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final StreamConfig CONFIG = StreamConfig.DEFAULT;

    private static ThreadPool pool;
    private static InetAddress loopback;

    @FunctionalInterface
    interface FailingConstruction {
        AutoCloseable construct() throws Exception;
    }

    @BeforeAll
    static void setUp() {
        pool = new ThreadPool(1);
        loopback = InetAddress.getLoopbackAddress();
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    private static int openFileDescriptors() throws IOException {
        try (var fds = Files.list(FDS)) {
            return (int) fds.count();
        }
    }

    private static long writerThreads() {
        return Thread.getAllStackTraces().values().stream()
                .filter(stack -> List.of(stack).stream().anyMatch(frame ->
                        frame.getClassName().equals(Stream.class.getName())
                                && frame.getMethodName().equals("runWriter")))
                .count();
    }

    /**
     * Runs a construction that must throw {@code expected} {@value #ATTEMPTS} times (after two warm-up runs
     * that load whatever the JVM opens once) and checks that the JVM holds no more file descriptors and no
     * more writer threads than before, and that the stream's pool runs nothing.
     */
    private static void assertFailsWithoutLeaking(Class<? extends Throwable> expected, FailingConstruction c)
            throws Exception {
        assumeTrue(Files.isDirectory(FDS), "needs Linux /proc/self/fd");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(c::construct).isInstanceOf(expected);
        }
        int fdsBefore = openFileDescriptors();
        long writersBefore = writerThreads();
        for (int i = 0; i < ATTEMPTS; i++) {
            assertThatThrownBy(c::construct).isInstanceOf(expected);
        }
        assertThat(openFileDescriptors()).as("open file descriptors after %d failed constructions", ATTEMPTS)
                .isLessThanOrEqualTo(fdsBefore);
        assertThat(writerThreads()).as("threads running a send stream writer").isLessThanOrEqualTo(writersBefore);
        assertThat(((ThreadPoolExecutor) pool.executor()).getActiveCount()).as("busy pool threads").isZero();
    }

    private static List<InetSocketAddress> udpEndpoint() {
        return List.of(new InetSocketAddress(loopback, 9));
    }

    /** A loopback port with no listener: bound, then closed. */
    private static InetSocketAddress refusingEndpoint() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress(loopback, 0));
            return (InetSocketAddress) s.getLocalAddress();
        }
    }

    @Test
    void udpStreamWithoutAConfigClosesItsSocket() throws Exception {
        assertFailsWithoutLeaking(NullPointerException.class,
                () -> new UdpStream(pool, udpEndpoint(), null));
    }

    @Test
    void udpStreamWithoutAThreadPoolClosesItsSocket() throws Exception {
        assertFailsWithoutLeaking(NullPointerException.class,
                () -> new UdpStream(null, udpEndpoint(), CONFIG, 0, (InetAddress) null));
    }

    @Test
    void multicastUdpStreamWithoutAConfigClosesItsSocket() throws Exception {
        List<InetSocketAddress> group = List.of(new InetSocketAddress(InetAddress.getByName("239.255.0.1"), 8888));
        assertFailsWithoutLeaking(NullPointerException.class,
                () -> new UdpStream(pool, group, null, 0, 1));
    }

    @Test
    void udpStreamBoundToAnAddressNoInterfaceHasClosesItsSocket() throws Exception {
        InetAddress notLocal = InetAddress.getByName("192.0.2.1"); // TEST-NET-1, on no interface
        assertFailsWithoutLeaking(IOException.class,
                () -> new UdpStream(pool, udpEndpoint(), CONFIG, 0, notLocal));
    }

    @Test
    void udpStreamWithABadArgumentOpensNothing() throws Exception {
        List<InetSocketAddress> unresolved = List.of(InetSocketAddress.createUnresolved("no.such.host.invalid", 9));
        assertFailsWithoutLeaking(IllegalArgumentException.class,
                () -> new UdpStream(pool, unresolved, CONFIG));
        assertFailsWithoutLeaking(IllegalArgumentException.class,
                () -> new UdpStream(pool, udpEndpoint(), CONFIG, -1));
        assertFailsWithoutLeaking(IllegalArgumentException.class,
                () -> new UdpStream(pool, udpEndpoint(), CONFIG, 0, 1)); // ttl on a unicast endpoint
    }

    @Test
    void tcpStreamWhoseConnectionIsRefusedClosesItsSocket() throws Exception {
        InetSocketAddress nobody = refusingEndpoint();
        assertFailsWithoutLeaking(IOException.class, () -> new TcpStream(pool, nobody, CONFIG));
    }

    @Test
    void tcpStreamBoundToAnAddressNoInterfaceHasClosesItsSocket() throws Exception {
        InetSocketAddress nobody = refusingEndpoint();
        InetAddress notLocal = InetAddress.getByName("192.0.2.1");
        assertFailsWithoutLeaking(IOException.class,
                () -> new TcpStream(pool, List.of(nobody), CONFIG, 0, notLocal));
    }

    @Test
    void tcpStreamWithoutAConfigClosesItsConnection() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(loopback, 0), 2 * ATTEMPTS + 8);
            InetSocketAddress endpoint = (InetSocketAddress) listener.getLocalAddress();
            assertFailsWithoutLeaking(NullPointerException.class, () -> new TcpStream(pool, endpoint, null));
            assertFailsWithoutLeaking(NullPointerException.class,
                    () -> new TcpStream(null, List.of(endpoint), CONFIG, 0, null));
        }
    }

    @Test
    void tcpStreamWithABadArgumentOpensNothing() throws Exception {
        InetSocketAddress nobody = refusingEndpoint();
        assertFailsWithoutLeaking(IllegalArgumentException.class,
                () -> new TcpStream(pool, List.of(nobody, nobody), CONFIG));
        assertFailsWithoutLeaking(IllegalArgumentException.class,
                () -> new TcpStream(pool, List.of(nobody), CONFIG, -1));
    }
}
