/**
 * spead4j: the SPEAD protocol for the JVM, wire-compatible with spead2.
 *
 * <p>Exported API: {@link io.spead4j} (flavours, items, descriptors, item groups, the in-process queue, memory
 * pools, the thread pool), {@link io.spead4j.wire} (the packet codec), {@link io.spead4j.recv} (receive
 * streams and readers) and {@link io.spead4j.send} (send streams). The package {@code io.spead4j.net} (socket,
 * pcap and frame plumbing) is internal and not exported.
 *
 * <p>Native access: the fast UDP transport calls libc through {@code java.lang.foreign}. Run with
 * {@code --enable-native-access=io.spead4j} on the module path, or {@code --enable-native-access=ALL-UNNAMED}
 * on the class path (an executable jar can say {@code Enable-Native-Access: ALL-UNNAMED} in its manifest).
 * Without it the JDK warns on the first native call.
 *
 * @uses io.spead4j.ThreadPool.NativeSupport found by {@link io.spead4j.ThreadPool} for native event loops
 * @provides io.spead4j.ThreadPool.NativeSupport the Linux epoll-based event loops
 */
module io.spead4j {
    requires org.slf4j;
    requires jdk.jfr;

    exports io.spead4j;
    exports io.spead4j.recv;
    exports io.spead4j.send;
    exports io.spead4j.wire;

    uses io.spead4j.ThreadPool.NativeSupport;

    provides io.spead4j.ThreadPool.NativeSupport with io.spead4j.net.NativeThreadSupport;
}
