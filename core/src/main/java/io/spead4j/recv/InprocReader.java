package io.spead4j.recv;

import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.net.EventLoop;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The reader of an {@link InprocQueue} (spead2's in-process reader): one queued packet per batch, which must
 * decode to exactly its length; a stopped, drained queue stops the stream like a stop item.
 *
 * <p><b>Threads.</b> Where the stream's {@link ThreadPool} has event loops, the reader takes no thread: it is
 * given one loop of the pool (round-robin), holds it ({@link EventLoop#retain()}) until it ends, and listens
 * on the queue ({@link InprocQueue#addListener(Runnable)}). A packet added or the queue stopped posts one
 * drain task to the loop unless one is already pending or running (a flag, so a busy sender posts nothing
 * per packet). The drain takes packets without waiting, at most {@value #FAIRNESS_PACKETS} per turn of the
 * loop; if it may not have emptied the queue it posts itself again, and the loop runs it at its next turn,
 * after looking at its sockets and running the tasks queued before it. The first drain runs when the
 * reader starts, so packets queued before the stream existed are read. A stop (of the stream, or a stop item
 * or the queue's end seen by the drain itself) removes the listener on the loop thread and ends the reader
 * there. Without event loops the reader waits in {@link InprocQueue#pop(InprocQueue.Packet)} on a thread of
 * its own, which a stop interrupts.
 *
 * <p>If the loop ends under the reader (only a failing loop does, since the reader holds it), the next wakeup
 * finds it gone (or the ending loop runs the drain it still holds, which sees it) and the stream stops with a
 * failure, as a native UDP reader's does.
 */
final class InprocReader extends Reader {
    /** Most packets taken by one drain before the loop serves its other users. */
    static final int FAIRNESS_PACKETS = 64;

    private final InprocQueue queue;
    private final InprocQueue.Packet packet = new InprocQueue.Packet();
    /** The loop serving this reader, or null when it runs on a thread of its own. */
    private volatile EventLoop loop;
    /** Whether a drain is pending or running: at most one is. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Set once the reader on a loop has ended (see {@link #finish()}). */
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Runnable listener = this::queueChanged;
    private final Runnable drainTask = this::drain;

    InprocReader(StreamBase stream, InprocQueue queue) {
        super(stream);
        this.queue = queue;
    }

    @Override
    void launch(ThreadPool pool) {
        if (!launchOnLoop(pool, true, l -> loop = l, this::attach)) {
            super.launch(pool);
        }
    }

    /** On the loop thread: listens on the queue and reads what is already there. */
    private void attach() {
        if (isStopRequested()) {
            finish();
            return;
        }
        scheduled.set(true); // this call is the drain: the listener need not post one yet
        queue.addListener(listener);
        drain();
    }

    /** The queue's listener (the sender's thread): posts a drain unless one is pending or running. */
    private void queueChanged() {
        if (!finished.get() && scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drainTask);
            } catch (RejectedExecutionException e) {
                loopGone();
            }
        }
    }

    /**
     * On the loop thread: takes up to {@value #FAIRNESS_PACKETS} packets without waiting, one batch each. It
     * ends idle (the flag cleared, so the next change of the queue posts a drain), at the queue's end or a
     * stop of the stream (the reader ends), or with the budget spent (it goes on at the next turn).
     */
    private void drain() {
        if (finished.get()) {
            return;
        }
        if (isStopRequested()) {
            finish();
            return;
        }
        if (loop.hasEnded()) { // run by a failing loop's last tasks
            loopGone();
            return;
        }
        try {
            for (int taken = 0; taken < FAIRNESS_PACKETS; taken++) {
                boolean got = queue.tryPop(packet);
                boolean stillScheduled = true;
                if (!got) {
                    // clear the flag, then look once more: a packet added (or a stop) from now on posts a
                    // drain, and one added before is seen by this second look
                    scheduled.set(false);
                    boolean stopped = queue.isStopped(); // before the look: nothing is added after a stop
                    got = queue.tryPop(packet);
                    if (!got && !stopped) {
                        return; // idle until the queue changes
                    }
                    stillScheduled = scheduled.compareAndSet(false, true);
                }
                if (deliver(got)) {
                    finish();
                    return;
                }
                if (!stillScheduled) {
                    return; // a listener posted a drain meanwhile: that one goes on
                }
            }
            // the flag stays set (no listener posts meanwhile); the loop runs this after polling its descriptors
            loop.execute(drainTask);
        } catch (RejectedExecutionException e) {
            loopGone();
        } catch (Throwable t) {
            failed(t);
            finish();
        }
    }

    /** The loop ended under the reader (a failing loop): stops the stream with a failure, ends the reader. */
    private void loopGone() {
        if (finished.get()) {
            return;
        }
        if (!isStopRequested()) {
            failed(new IOException("the thread pool's event loop serving " + this + " ended"));
        }
        finish();
    }

    /**
     * Ends the reader on a loop, once: removes the listener, summarises, lets go of the loop.
     * On the loop thread, or on any thread once the loop has ended.
     */
    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        EventLoop serving = loop;
        try {
            queue.removeListener(listener);
        } finally {
            try {
                ended();
            } finally {
                serving.release();
            }
        }
    }

    /**
     * Offers one packet as a batch, or, if there is none (the queue stopped and is empty), stops the stream.
     *
     * @param got whether {@link #packet} holds a packet
     * @return true if the stream has stopped
     */
    private boolean deliver(boolean got) {
        Batch b = stream.beginBatch(batch);
        try {
            if (!b.isStopped()) {
                if (got) {
                    stream.addPacket(b, packet.segment(), packet.offset(), packet.length(), true);
                } else {
                    b.stop();
                }
            }
        } finally {
            stream.endBatch(b);
        }
        return b.isStopped();
    }

    /** Without event loops: waits for each packet on a thread of its own. */
    @Override
    void readLoop() throws InterruptedException {
        while (!isStopRequested()) {
            if (deliver(queue.pop(packet))) {
                return;
            }
        }
    }

    @Override
    void closeSource() {
        EventLoop serving = loop;
        if (serving == null) {
            return; // a thread of its own: the stop interrupts its wait
        }
        try { // after the drain now running, if this is the loop thread
            serving.execute(this::finish);
        } catch (RejectedExecutionException e) {
            finish(); // the loop has ended: nothing runs there any more
        }
    }

    @Override
    public String toString() {
        return "InprocReader(" + queue + ")";
    }

    /**
     * Adds an in-process reader to a stream ({@link StreamBase#addInprocReader}).
     *
     * @param stream the stream
     * @param queue the queue
     */
    static void add(StreamBase stream, InprocQueue queue) {
        stream.addReader(new InprocReader(stream, Objects.requireNonNull(queue, "queue")));
    }
}
