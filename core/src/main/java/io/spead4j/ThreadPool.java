package io.spead4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Threads on which stream readers and send-stream writers run, spead2's {@code thread_pool}.
 *
 * <p><b>Event loops.</b> As in spead2, the pool's {@code threads} threads are event loops (Linux: each waits
 * in {@code epoll_wait} on an epoll instance of its own) that together serve any number of readers and
 * writers, driven by readiness, not a thread per socket. Readers and writers are given a loop round-robin as
 * they start. Today these share the loops:
 * <ul>
 *   <li>receive: the UDP reader over the native socket (the readers that open their own UDP socket, unicast
 *   and multicast, when {@code spead4j.udp} selects the native path);</li>
 *   <li>receive: the reader of an {@link InprocQueue}, which the queue wakes through the loop when a packet
 *   is added or the queue is stopped ({@link InprocQueue#addListener(Runnable)});</li>
 *   <li>send: the writer of a {@link io.spead4j.send.UdpStream} that opened its own native socket.</li>
 * </ul>
 * Every other reader or writer (NIO UDP, TCP, files, buffers, pcap, the in-process writer) still blocks on
 * its source and so takes a thread of its own for its lifetime, from a second, unbounded set of threads of
 * this pool (named {@code ...-blocking-N}); a pool serving only those is today's pool. The pool's loop
 * threads start with the pool, so a pool of one thread with sixteen native UDP or in-process readers runs
 * one thread.
 *
 * <p><b>Affinity.</b> With an affinity list, loop thread {@code i} is bound to core
 * {@code affinity[i % affinity.length]} (spead2's rule) through {@code sched_setaffinity}; the blocking
 * threads are bound round-robin to the same list. {@link #setAffinity(int)} binds the calling thread.
 *
 * <p><b>Fallback.</b> Where epoll is unavailable (not Linux x86-64/aarch64, or native access denied) the
 * pool has no loops and every reader and writer takes a thread (logged once); affinity is then not applied
 * (warned, as spead2 does without {@code pthread_setaffinity_np}).
 *
 * <p>The loops and the binding to cores are native code reached through {@code java.lang.foreign}; they live
 * in {@code io.spead4j.net} and are found through {@link ServiceLoader} as a {@link NativeSupport} (so that this
 * root type imports no subpackage).
 *
 * <p>Closing the pool cuts nothing off: each loop ends once the readers and writers registered with it have
 * finished, and the blocking threads end with their tasks. Stop streams to stop their readers.
 */
public final class ThreadPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadPool.class);
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final AtomicBoolean LOGGED_FALLBACK = new AtomicBoolean();
    /** Cores a CPU set can name (glibc's {@code CPU_SETSIZE}). */
    public static final int MAX_CORES = 1024;
    /** The native support, or null; and why it is missing. */
    private static final NativeSupport NATIVE;
    private static final String UNSUPPORTED;

    static {
        NativeSupport found = null;
        String problem;
        try {
            found = ServiceLoader.load(NativeSupport.class, ThreadPool.class.getClassLoader()).findFirst()
                    .orElse(null);
            problem = found == null ? "no native thread support on the class path" : found.unsupportedReason();
        } catch (RuntimeException | LinkageError e) {
            problem = "native thread support failed to load: " + e;
        }
        NATIVE = problem == null ? found : null;
        UNSUPPORTED = problem;
    }

    /**
     * An event loop of a pool: a thread body that serves readers and writers by readiness. Implemented in
     * {@code io.spead4j.net}; not part of the public API.
     */
    public interface Loop extends Runnable {
        /** Asks the loop to end once nothing is registered with it. */
        void shutdown();

        /** {@return whether the loop has ended} */
        boolean hasEnded();
    }

    /**
     * Native thread support: event loops and CPU affinity (implemented in {@code io.spead4j.net}, found through
     * {@link ServiceLoader}). Not part of the public API.
     */
    public interface NativeSupport {
        /** {@return null if it works here, else why not} */
        String unsupportedReason();

        /**
         * Makes an event loop, to be run by a thread of the pool.
         *
         * @param name its name
         * @return the loop
         * @throws IOException if the kernel refuses
         */
        Loop newLoop(String name) throws IOException;

        /**
         * Binds the calling thread to a core.
         *
         * @param core the core
         * @throws IllegalArgumentException if the kernel refuses
         */
        void bindCurrentThread(int core);
    }

    private final ExecutorService executor;
    private final int threads;
    private final int[] affinity;
    private final Loop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();

    /** Creates a pool with one thread. */
    public ThreadPool() {
        this(1);
    }

    /**
     * Creates a pool of {@code threads} event-loop threads, without affinity.
     *
     * @param threads number of threads, at least 1
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public ThreadPool(int threads) {
        this(threads, new int[0]);
    }

    /**
     * Creates a pool whose thread {@code i} is bound to core {@code affinity[i % affinity.length]} (spead2's
     * {@code thread_pool(threads, affinity)}); an empty list binds nothing.
     *
     * @param threads number of threads, at least 1
     * @param affinity CPU cores
     * @throws IllegalArgumentException if {@code threads < 1}, a core is negative or beyond what a CPU set
     *     holds, or the kernel refuses to bind a thread to a core (e.g. no such core)
     */
    public ThreadPool(int threads, int... affinity) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        Objects.requireNonNull(affinity, "affinity");
        for (int core : affinity) {
            checkCore(core);
        }
        this.threads = threads;
        this.affinity = affinity.clone();
        int pool = POOLS.incrementAndGet();
        String prefix = "spead4j-pool" + pool + "-";
        boolean applyAffinity = this.affinity.length > 0 && (NATIVE != null);
        if (this.affinity.length > 0 && !applyAffinity) {
            LOG.warn("cannot set CPU affinity for thread pool {}: {}", pool, UNSUPPORTED);
        }
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            int k = counter.getAndIncrement();
            Runnable body = applyAffinity ? () -> {
                bindOrWarn(this.affinity[k % this.affinity.length]);
                r.run();
            } : r;
            Thread t = new Thread(body, prefix + "blocking-" + (k + 1));
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
        this.loops = (NATIVE != null) ? startLoops(prefix, applyAffinity) : null;
        if (loops == null && LOGGED_FALLBACK.compareAndSet(false, true)) {
            LOG.info("thread pools have no event loops here ({}): every reader and writer takes a thread",
                    UNSUPPORTED);
        }
    }

    /**
     * Creates a pool with an affinity list (see {@link #ThreadPool(int, int...)}).
     *
     * @param threads number of threads, at least 1
     * @param affinity CPU cores
     * @throws IllegalArgumentException as {@link #ThreadPool(int, int...)}
     */
    public ThreadPool(int threads, List<Integer> affinity) {
        this(threads, Objects.requireNonNull(affinity, "affinity").stream().mapToInt(Integer::intValue).toArray());
    }

    private static void bindOrWarn(int core) {
        try {
            NATIVE.bindCurrentThread(core);
        } catch (RuntimeException e) {
            LOG.warn("{}", e.getMessage());
        }
    }

    /** Starts the loop threads and waits until each has bound itself to its core (or failed to). */
    private Loop[] startLoops(String prefix, boolean applyAffinity) {
        Loop[] created = new Loop[threads];
        CountDownLatch started = new CountDownLatch(threads);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < threads; i++) {
                Loop loop = NATIVE.newLoop(prefix + (i + 1));
                created[i] = loop;
                int core = applyAffinity ? affinity[i % affinity.length] : -1;
                Thread t = new Thread(() -> {
                    try {
                        if (core >= 0) {
                            NATIVE.bindCurrentThread(core);
                        }
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        loop.shutdown();
                    } finally {
                        started.countDown();
                    }
                    loop.run();
                }, prefix + (i + 1));
                t.setDaemon(true);
                t.start();
            }
            started.await();
        } catch (IOException e) {
            shutdownLoops(created);
            executor.shutdown();
            throw new IllegalStateException("cannot create the thread pool's event loops: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            shutdownLoops(created);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the thread pool", e);
        }
        if (failure.get() != null) {
            shutdownLoops(created);
            executor.shutdown();
            throw failure.get();
        }
        return created;
    }

    private static void shutdownLoops(Loop[] loops) {
        for (Loop loop : loops) {
            if (loop != null) {
                loop.shutdown();
            }
        }
    }

    /**
     * Binds the calling thread to one CPU core (spead2's {@code thread_pool::set_affinity}).
     *
     * @param core the core, 0-based
     * @throws IllegalArgumentException if the core is out of range or the kernel refuses (no such core)
     * @throws UnsupportedOperationException where affinity cannot be set (not Linux, or no native access)
     */
    public static void setAffinity(int core) {
        checkCore(core);
        if (NATIVE == null) {
            throw new UnsupportedOperationException("CPU affinity cannot be set here: " + UNSUPPORTED);
        }
        NATIVE.bindCurrentThread(core);
    }

    private static void checkCore(int core) {
        if (core < 0 || core >= MAX_CORES) {
            throw new IllegalArgumentException("CPU core must be 0 to " + (MAX_CORES - 1) + ", got " + core);
        }
    }

    /** {@return the number of threads (event loops)} */
    public int threads() {
        return threads;
    }

    /** {@return the CPU cores given at construction (empty: none)} */
    public int[] affinity() {
        return affinity.clone();
    }

    /** {@return whether the pool's threads are event loops (false: the fallback, a thread per reader/writer)} */
    public boolean hasEventLoops() {
        return loops != null;
    }

    /**
     * The event loop a new reader or writer should use (round-robin), for transports driven by readiness.
     * Not part of the stable API.
     *
     * @return a loop, or null in the fallback (then use {@link #execute(Runnable)})
     */
    public Loop nextEventLoop() {
        if (loops == null) {
            return null;
        }
        return loops[Math.floorMod(nextLoop.getAndIncrement(), loops.length)];
    }

    /**
     * Runs a task that blocks (a reader or writer not driven by readiness) on a thread of its own.
     *
     * @param task the task
     */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** {@return the executor of the blocking threads, for asynchronous completions} */
    public ExecutorService executor() {
        return executor;
    }

    /**
     * Shuts the pool down: each event loop ends once nothing is registered with it, and the blocking threads
     * end with their tasks; nothing running is interrupted. Idempotent.
     */
    @Override
    public void close() {
        executor.shutdown();
        if (loops != null) {
            shutdownLoops(loops);
        }
    }

    @Override
    public String toString() {
        return "ThreadPool(threads=" + threads
                + (affinity.length > 0 ? ", affinity=" + java.util.Arrays.toString(affinity) : "")
                + (loops == null ? ", no event loops)" : ")");
    }
}
