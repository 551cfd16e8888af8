package io.spead4j;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads on which stream readers and send-stream writers run, spead2's {@code ThreadPool}.
 *
 * <p>spead2 multiplexes readers over {@code threads} asio threads. spead4j readers block on their source
 * (a queue, a socket, a file), so each running reader or writer holds one daemon thread of this pool for
 * its lifetime; {@code threads} is the number of threads kept alive while idle. Closing the pool interrupts
 * nothing already running; streams stop their own readers.
 */
public final class ThreadPool implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final ExecutorService executor;
    private final int threads;

    /** Creates a pool with one idle thread kept. */
    public ThreadPool() {
        this(1);
    }

    /**
     * Creates a pool.
     *
     * @param threads number of threads kept while idle, at least 1
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public ThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        int pool = POOLS.incrementAndGet();
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "spead4j-pool" + pool + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(threads, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory);
    }

    /** @return the number of threads kept while idle */
    public int threads() {
        return threads;
    }

    /**
     * Runs a task on a thread of the pool.
     *
     * @param task the task
     */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** @return the pool's executor, for asynchronous completions */
    public ExecutorService executor() {
        return executor;
    }

    /** Shuts the pool down once running tasks end; idempotent. */
    @Override
    public void close() {
        executor.shutdown();
    }
}
