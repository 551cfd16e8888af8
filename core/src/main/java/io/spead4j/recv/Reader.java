package io.spead4j.recv;

import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Base of every transport reader (package-internal SPI). A reader runs on a thread of the stream's
 * {@link io.spead4j.ThreadPool}, blocks on its own source and hands packets to the stream's one packet step.
 * A reader driven by readiness (the native UDP reader, the in-process reader) instead overrides
 * {@link #launch(ThreadPool)} to be served by one of the pool's event loops, and takes no thread of its own.
 *
 * <p>Writing a transport takes a few lines: extend this class and implement {@link #readLoop()} as
 * <pre>{@code
 * while (!isStopRequested()) {
 *     ... block until the source has data (throw/return on stop) ...
 *     Batch b = stream.beginBatch(batch);            // takes the stream's lock
 *     try {
 *         for (each packet in what was read) {
 *             if (b.isStopped()) break;              // a stop item ended the stream
 *             stream.addPacket(b, segment, offset, length, true);  // true: datagram must decode exactly
 *         }
 *         if (end of source) b.stop();               // TCP EOF, end of file: stream stops like a stop item
 *     } finally {
 *         stream.endBatch(b);                        // merges counters, executes a stop, releases the lock
 *     }
 *     if (b.isStopped()) break;
 * }
 * }</pre>
 * Override {@link #closeSource()} if a blocked read must be woken by closing something (a socket);
 * otherwise the reader's thread is interrupted when the stream stops. Readers never throw to the pool: any
 * throwable escaping {@link #readLoop()}, an {@link Error} too (say from a user allocator or heap callback),
 * ends the reader, is logged and kept as the stream's {@link StreamBase#failure()}, and stops the stream like
 * the end of the source, so no consumer is left waiting on a dead reader.
 */
abstract class Reader {
    private static final Logger LOG = LoggerFactory.getLogger(Reader.class);

    /** The stream fed by this reader. */
    final StreamBase stream;
    /** The reader's reusable batch (and packet decoder). */
    final Batch batch = new Batch();
    private Thread thread;
    private volatile boolean stopRequested;

    Reader(StreamBase stream) {
        this.stream = stream;
    }

    /** Reads until the source ends or {@link #isStopRequested()}. @throws InterruptedException on stop */
    abstract void readLoop() throws InterruptedException;

    /** Wakes a blocked read by closing the source; the default does nothing (the thread is interrupted). */
    void closeSource() {
        // interrupting the thread is enough
    }

    /** {@return true once the stream asked this reader to stop} */
    final boolean isStopRequested() {
        return stopRequested;
    }

    /**
     * Starts the reader on the stream's pool. The default runs {@link #run()} on a thread of its own
     * ({@link ThreadPool#execute}); a reader driven by readiness overrides this to register with one of the
     * pool's event loops instead, and then reports through {@link #failed(Throwable)} and {@link #ended()}.
     *
     * @param pool the stream's pool
     */
    void launch(ThreadPool pool) {
        pool.execute(this::run);
    }

    /**
     * For a reader driven by readiness: takes the pool's next event loop, hands it to {@code use}, and runs
     * {@code attach} on it.
     *
     * @param pool the stream's pool
     * @param retain whether to hold the loop ({@link EventLoop#retain()}) for the reader, which then releases it
     *     when it ends
     * @param use remembers the loop (given null again if the loop refuses the task)
     * @param attach the reader's first step, on the loop thread
     * @return false if the pool has no event loops (nothing was done: the reader takes a thread instead)
     * @throws IllegalStateException if the pool is closed (its loop refused the task)
     */
    final boolean launchOnLoop(ThreadPool pool, boolean retain, Consumer<EventLoop> use, Runnable attach) {
        EventLoop chosen = pool.nextEventLoop() instanceof EventLoop l ? l : null;
        if (chosen == null) {
            return false;
        }
        use.accept(chosen);
        if (retain) {
            chosen.retain(); // served until the reader ends, even by a closed pool
        }
        try {
            chosen.execute(attach);
        } catch (RejectedExecutionException e) {
            use.accept(null);
            if (retain) {
                chosen.release();
            }
            throw new IllegalStateException("the stream's thread pool is closed", e);
        }
        return true;
    }

    /** Body of the reader's thread. */
    final void run() {
        synchronized (this) {
            if (stopRequested) {
                return;
            }
            thread = Thread.currentThread();
        }
        try {
            readLoop();
        } catch (InterruptedException e) {
            LOG.debug("reader {} interrupted: stopping", this);
        } catch (Throwable t) {
            failed(t);
        } finally {
            ended();
            synchronized (this) {
                thread = null;
            }
            Thread.interrupted(); // do not leak a stop interrupt to the pool's next task
        }
    }

    /**
     * Something escaped the reader: unless the reader was already asked to stop, the stream records it and
     * stops (see the class description).
     *
     * @param t what escaped
     */
    final void failed(Throwable t) {
        if (stopRequested && t instanceof Exception) {
            LOG.debug("reader {} ended with an exception after it was asked to stop", this, t);
        } else {
            stream.readerFailed(this, batch, t);
        }
    }

    /** The reader has ended: summarises its rejected packets. Call once. */
    final void ended() {
        batch.rejects.summarise();
    }

    /** Asks the reader to stop: sets the flag, interrupts its thread, closes its source. */
    final void requestStop() {
        synchronized (this) {
            stopRequested = true;
            if (thread != null && thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }
        try {
            closeSource();
        } catch (Exception e) {
            LOG.debug("closing reader source failed", e);
        } catch (Throwable t) {
            LOG.error("closing the source of reader {} failed", this, t); // the stop goes on
        }
    }
}
