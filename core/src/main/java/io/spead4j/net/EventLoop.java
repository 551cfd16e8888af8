package io.spead4j.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One event loop of a {@link io.spead4j.ThreadPool}: a thread that waits in {@code epoll_wait} on an epoll
 * instance and, when a registered descriptor is ready, calls its {@link Handler}; tasks posted with
 * {@link #execute(Runnable)} run on the same thread (an {@code eventfd} wakes the wait for them). Any number
 * of sockets share one loop, which is how spead2's thread pool serves many readers with a few threads.
 * Linux only (see {@link #isSupported()}); not part of the public API.
 *
 * <p>Registrations are level-triggered: a handler that leaves data unread is called again on the next turn,
 * so a handler may stop after a bounded amount of work (fairness) without re-arming anything. Handlers and
 * tasks run one at a time on the loop thread and must not block for long: every other socket of the loop
 * waits meanwhile. A throwable escaping a handler or task is logged and the loop goes on.
 *
 * <p>{@linkplain #newTimer Timers} run a task at a {@link System#nanoTime()} deadline (one {@code timerfd} per
 * loop on {@code CLOCK_MONOTONIC}, the clock of {@code nanoTime} on Linux), e.g. a rate-limited writer's next
 * burst.
 *
 * <p>{@link #shutdown()} asks the loop to end once it has no registrations left and no tasks queued (so
 * readers still running on it are not cut off); tasks posted after the loop ended are refused with
 * {@link RejectedExecutionException}.
 */
public final class EventLoop implements io.spead4j.ThreadPool.Loop {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    /** Readable ({@code EPOLLIN}). */
    public static final int READABLE = Libc.EPOLLIN;
    /** Writable ({@code EPOLLOUT}). */
    public static final int WRITABLE = Libc.EPOLLOUT;
    /** An error condition ({@code EPOLLERR}); always reported. */
    public static final int ERROR = Libc.EPOLLERR;
    /** Hung up, e.g. after {@code shutdown} ({@code EPOLLHUP}); always reported. */
    public static final int HANGUP = Libc.EPOLLHUP;
    private static final ValueLayout.OfLong LONG_ANY = JAVA_LONG.withByteAlignment(1);
    private static final ValueLayout.OfInt INT_ANY = JAVA_INT.withByteAlignment(1);
    /** Most events taken by one {@code epoll_wait}. */
    private static final int MAX_EVENTS = 64;
    /** The token of the wake-up eventfd (registrations use their slot, below this). */
    private static final long WAKE_TOKEN = -1L;
    /** The token of the timerfd. */
    private static final long TIMER_TOKEN = -2L;

    /** What a registration calls on the loop thread. */
    public interface Handler {
        /**
         * The descriptor is ready.
         *
         * @param events the ready events ({@link #READABLE}, {@link #WRITABLE}, {@link #ERROR}, {@link #HANGUP})
         */
        void ready(int events);

        /** The loop ended while this registration was still active (its pool was closed); release resources. */
        default void loopEnded() {
        }
    }

    /** A task run on the loop thread at a deadline; reusable, used on the loop thread only. */
    public final class Timer {
        private final Runnable task;
        private long deadline;
        private boolean armed;

        private Timer(Runnable task) {
            this.task = task;
        }

        /**
         * Runs the task once at (or soon after) a deadline, replacing any deadline set before.
         *
         * @param deadlineNanos the {@link System#nanoTime()} at which to run
         */
        public void schedule(long deadlineNanos) {
            checkLoopThread();
            deadline = deadlineNanos;
            armed = true;
        }

        /** Cancels the pending run, if any. */
        public void cancel() {
            armed = false;
        }

        /** Cancels the timer and removes it from the loop for good (loop thread only). */
        public void dispose() {
            checkLoopThread();
            armed = false;
            timers.remove(this);
        }
    }

    /** A descriptor registered with the loop; used on the loop thread only. */
    public final class Registration {
        private final int slot;
        private final int fd;
        private final Handler handler;
        private int interest;
        private boolean cancelled;

        private Registration(int slot, int fd, Handler handler, int interest) {
            this.slot = slot;
            this.fd = fd;
            this.handler = handler;
            this.interest = interest;
        }

        /**
         * Changes the events waited for (loop thread only).
         *
         * @param events {@link #READABLE} and/or {@link #WRITABLE}, or 0 for none (errors still reported)
         */
        public void setInterest(int events) {
            checkLoopThread();
            if (cancelled || events == interest) {
                return;
            }
            control(Libc.EPOLL_CTL_MOD, fd, events, slot);
            interest = events;
        }

        /** {@return the events waited for} */
        public int interest() {
            return interest;
        }

        /** Removes the registration (loop thread only; before the descriptor is closed). Idempotent. */
        public void cancel() {
            checkLoopThread();
            if (cancelled) {
                return;
            }
            cancelled = true;
            registrations.set(slot, null);
            freeSlots.add(slot);
            live--;
            if (Libc.epollCtl(capture, epfd, Libc.EPOLL_CTL_DEL, fd, MemorySegment.NULL) != 0) {
                LOG.debug("epoll_ctl DEL of fd {} failed: {}", fd, Libc.strerror(Libc.errno(capture)));
            }
        }
    }

    private final String name;
    private final Arena arena = Arena.ofShared();
    private final int epfd;
    private final int wakeFd;
    private final int timerFd;
    private final MemorySegment timerSpec;
    private final List<Timer> timers = new ArrayList<>();
    /** Whether the timerfd is set, and to which deadline (loop thread only). */
    private boolean timerSet;
    private long timerDeadline;
    /** Loop-thread scratch: captured errno, the event array, the control event. */
    private final MemorySegment capture;
    private final MemorySegment events;
    private final MemorySegment controlEvent;
    /** Posting threads' scratch for the eventfd write (guarded by {@link #wakeLock}). */
    private final MemorySegment wakeValue;
    private final MemorySegment wakeCapture;
    private final Object wakeLock = new Object();
    private final MemorySegment drainValue;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    // loop thread only
    private final List<Registration> registrations = new ArrayList<>();
    private final List<Integer> freeSlots = new ArrayList<>();
    private int live;
    private volatile Thread thread;
    /** Users that keep the loop alive while they have nothing registered (see {@link #retain()}). */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean shutdownRequested;
    /** Set (under {@link #wakeLock}) when the loop has ended: later tasks are refused. */
    private boolean ended;

    /**
     * Creates the loop's epoll instance and wake-up eventfd; {@link #run()} is the body of its thread.
     *
     * @param name the name for logs
     * @throws IOException if the kernel refuses
     * @throws UnsupportedOperationException if not {@link #isSupported()}
     */
    public EventLoop(String name) throws IOException {
        String problem = Libc.unsupportedReason();
        if (problem != null) {
            throw new UnsupportedOperationException("epoll is not available: " + problem);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.capture = arena.allocate(Libc.CAPTURE_LAYOUT);
        this.wakeCapture = arena.allocate(Libc.CAPTURE_LAYOUT);
        this.events = arena.allocate(Libc.EPOLL_EVENT, MAX_EVENTS);
        this.controlEvent = arena.allocate(Libc.EPOLL_EVENT);
        this.wakeValue = arena.allocate(JAVA_LONG);
        this.wakeValue.set(JAVA_LONG, 0, 1L);
        this.drainValue = arena.allocate(JAVA_LONG);
        int ep = Libc.epollCreate1(capture, Libc.EPOLL_CLOEXEC);
        if (ep < 0) {
            int errno = Libc.errno(capture);
            arena.close();
            throw NativeUdpSocket.errorFor("epoll_create1", errno);
        }
        int wake = Libc.eventfd(capture, 0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (wake < 0) {
            int errno = Libc.errno(capture);
            Libc.close(capture, ep);
            arena.close();
            throw NativeUdpSocket.errorFor("eventfd", errno);
        }
        int timer = Libc.timerfdCreate(capture, Libc.CLOCK_MONOTONIC, Libc.TFD_NONBLOCK | Libc.TFD_CLOEXEC);
        if (timer < 0) {
            int errno = Libc.errno(capture);
            Libc.close(capture, wake);
            Libc.close(capture, ep);
            arena.close();
            throw NativeUdpSocket.errorFor("timerfd_create", errno);
        }
        this.epfd = ep;
        this.wakeFd = wake;
        this.timerFd = timer;
        this.timerSpec = arena.allocate(Libc.ITIMERSPEC_SIZE, 8);
        try {
            control(Libc.EPOLL_CTL_ADD, wakeFd, Libc.EPOLLIN, WAKE_TOKEN);
            control(Libc.EPOLL_CTL_ADD, timerFd, Libc.EPOLLIN, TIMER_TOKEN);
        } catch (UncheckedIOException e) {
            Libc.close(capture, timer);
            Libc.close(capture, wake);
            Libc.close(capture, ep);
            arena.close();
            throw e.getCause();
        }
    }

    /** {@return whether event loops work here (Linux x86-64/aarch64 with native access)} */
    public static boolean isSupported() {
        return Libc.unsupportedReason() == null;
    }

    /** {@return null if {@link #isSupported()}, else why not} */
    public static String unsupportedReason() {
        return Libc.unsupportedReason();
    }

    /** {@return whether the calling thread is this loop's thread} */
    public boolean inLoopThread() {
        return Thread.currentThread() == thread;
    }

    private void checkLoopThread() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("not on the thread of event loop " + name);
        }
    }

    private void control(int op, int fd, int interest, long token) {
        controlEvent.set(JAVA_INT, Libc.EPOLL_EVENTS, interest);
        controlEvent.set(LONG_ANY, Libc.EPOLL_DATA, token);
        if (Libc.epollCtl(capture, epfd, op, fd, controlEvent) != 0) {
            throw new UncheckedIOException(NativeUdpSocket.errorFor("epoll_ctl(" + op + ", fd " + fd + ")",
                    Libc.errno(capture)));
        }
    }

    /**
     * Registers a descriptor (loop thread only). The descriptor must stay open until the registration is
     * {@linkplain Registration#cancel() cancelled}.
     *
     * @param fd the descriptor
     * @param interest {@link #READABLE} and/or {@link #WRITABLE}
     * @param handler called on readiness
     * @return the registration
     * @throws IOException if the kernel refuses
     */
    public Registration register(int fd, int interest, Handler handler) throws IOException {
        checkLoopThread();
        Objects.requireNonNull(handler, "handler");
        int slot = freeSlots.isEmpty() ? registrations.size() : freeSlots.removeLast();
        Registration r = new Registration(slot, fd, handler, interest);
        try {
            control(Libc.EPOLL_CTL_ADD, fd, interest, slot);
        } catch (UncheckedIOException e) {
            if (slot != registrations.size()) {
                freeSlots.add(slot);
            }
            throw e.getCause();
        }
        if (slot == registrations.size()) {
            registrations.add(r);
        } else {
            registrations.set(slot, r);
        }
        live++;
        return r;
    }

    /**
     * Creates a timer (loop thread only); it stays with the loop, so create one per user and reuse it.
     *
     * @param task what it runs on the loop thread
     * @return the timer, not yet scheduled
     */
    public Timer newTimer(Runnable task) {
        checkLoopThread();
        Timer t = new Timer(Objects.requireNonNull(task, "task"));
        timers.add(t);
        return t;
    }

    /** Runs the due timers. */
    private void runDueTimers() {
        if (timers.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < timers.size(); i++) {
            Timer t = timers.get(i);
            if (t.armed && t.deadline - now <= 0) {
                t.armed = false;
                try {
                    t.task.run();
                } catch (Throwable e) {
                    LOG.error("event loop {}: a timer task threw", name, e);
                }
            }
        }
    }

    /** {@return whether a timer is armed} */
    private boolean anyTimerArmed() {
        for (int i = 0; i < timers.size(); i++) {
            if (timers.get(i).armed) {
                return true;
            }
        }
        return false;
    }

    /** Sets the timerfd to the earliest deadline of the armed timers (if it changed). */
    private void programTimer() {
        boolean any = false;
        long earliest = 0;
        for (int i = 0; i < timers.size(); i++) {
            Timer t = timers.get(i);
            if (t.armed && (!any || t.deadline - earliest < 0)) {
                earliest = t.deadline;
                any = true;
            }
        }
        if (any == timerSet && (!any || earliest == timerDeadline)) {
            return;
        }
        // a deadline already past arms the timer at once; 0 would disarm it, so use 1 ns
        long at = any ? Math.max(earliest, 1) : 0;
        timerSpec.set(JAVA_LONG, Libc.ITIMERSPEC_VALUE_SEC, at / 1_000_000_000L);
        timerSpec.set(JAVA_LONG, Libc.ITIMERSPEC_VALUE_NSEC, at % 1_000_000_000L);
        if (Libc.timerfdSettime(capture, timerFd, Libc.TFD_TIMER_ABSTIME, timerSpec) != 0) {
            LOG.error("event loop {}: timerfd_settime failed: {}", name, Libc.strerror(Libc.errno(capture)));
        }
        timerSet = any;
        timerDeadline = earliest;
    }

    /**
     * Runs a task on the loop thread, after the current handler or task.
     *
     * @param task the task
     * @throws RejectedExecutionException if the loop has ended
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        synchronized (wakeLock) {
            if (ended) {
                throw new RejectedExecutionException("event loop " + name + " has ended");
            }
            tasks.add(task);
        }
        wake();
    }

    private void wake() {
        if (inLoopThread() || !wakePending.compareAndSet(false, true)) {
            return; // the loop looks at its tasks before it waits again
        }
        synchronized (wakeLock) {
            if (!ended && Libc.write(wakeCapture, wakeFd, wakeValue, 8) != 8) {
                LOG.debug("waking event loop {} failed: {}", name, Libc.strerror(Libc.errno(wakeCapture)));
            }
        }
    }

    /**
     * Keeps the loop alive after {@link #shutdown()} until {@link #release()}: for a user that is idle at
     * times with nothing registered (an idle writer) but must still be served. Any thread.
     */
    public void retain() {
        users.incrementAndGet();
    }

    /** Ends one {@link #retain()}. Any thread. */
    public void release() {
        if (users.decrementAndGet() == 0 && shutdownRequested) {
            wakePending.set(false);
            wake();
        }
    }

    /** Asks the loop to end once no registration is left and no task is queued. Idempotent. */
    @Override
    public void shutdown() {
        shutdownRequested = true;
        wakePending.set(false);
        wake();
    }

    /** {@return whether the loop thread has ended} */
    @Override
    public boolean hasEnded() {
        synchronized (wakeLock) {
            return ended;
        }
    }

    /** The loop (the body of its thread): waits, dispatches, runs tasks, until shut down and idle. */
    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (turn()) {
                // each turn is a call of its own
            }
        } finally {
            end();
        }
    }

    /**
     * One turn of the loop: due tasks and timers, then one {@code epoll_wait} and its dispatch. A method of its
     * own, not the body of {@link #run()}'s loop, so that the JIT compiles it from its call count like any
     * other hot method: a loop inside {@code run()}, entered once per thread, would wait for on-stack
     * replacement, which a pool creating threads anew (one per stream, as the bench does) keeps reaching late,
     * with a long optimising compile in the middle of the traffic.
     *
     * @return false when the loop ends
     */
    private boolean turn() {
        runTasks();
        runDueTimers();
        if (shutdownRequested && live == 0 && users.get() == 0 && !anyTimerArmed()) {
            synchronized (wakeLock) {
                if (tasks.isEmpty()) {
                    ended = true;
                    return false;
                }
            }
            return true;
        }
        programTimer();
        // tasks left (posted by a task or a timer of this turn, e.g. a reader going on with its next share): look
        // at the descriptors without waiting, then run them at the next turn
        int n = Libc.epollWait(capture, epfd, events, MAX_EVENTS, tasks.isEmpty() ? -1 : 0);
        if (n < 0) {
            int errno = Libc.errno(capture);
            if (errno == Libc.EINTR) {
                return true;
            }
            LOG.error("event loop {}: epoll_wait failed: {}; the loop ends", name, Libc.strerror(errno));
            return false;
        }
        for (int i = 0; i < n; i++) {
            dispatch(i);
        }
        return true;
    }

    /** Handles the {@code i}-th event of the last {@code epoll_wait}. */
    private void dispatch(int i) {
        long at = i * Libc.EPOLL_EVENT.byteSize();
        int ready = events.get(INT_ANY, at + Libc.EPOLL_EVENTS);
        long token = events.get(LONG_ANY, at + Libc.EPOLL_DATA);
        if (token == WAKE_TOKEN) {
            // drain first, then clear: a poster that finds the flag still set has queued its task before this
            // clear, so the next runTasks() sees it; one that finds it clear writes the eventfd again. The
            // other order lets a write land between clear and drain, be drained unseen, and leave the flag set
            // with nothing to wake the next epoll_wait.
            Libc.read(capture, wakeFd, drainValue, 8);
            wakePending.set(false);
            return;
        }
        if (token == TIMER_TOKEN) {
            Libc.read(capture, timerFd, drainValue, 8);
            timerSet = false; // fired: a one-shot timerfd is disarmed now
            return;
        }
        Registration r = token < registrations.size() ? registrations.get((int) token) : null;
        if (r == null || r.cancelled) {
            return; // cancelled by an earlier handler of this turn
        }
        try {
            r.handler.ready(ready);
        } catch (Throwable t) {
            LOG.error("event loop {}: a handler threw", name, t);
        }
    }

    /**
     * Runs the tasks queued when it is called, not those they post: a task that posts itself again (a reader
     * taking its share of a busy source) runs at the next turn, after the loop has looked at its descriptors.
     */
    private void runTasks() {
        for (int n = tasks.size(); n > 0; n--) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runTask(task);
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            LOG.error("event loop {}: a task threw", name, t);
        }
    }

    private void end() {
        synchronized (wakeLock) {
            ended = true;
        }
        runTasks();
        for (Registration r : new ArrayList<>(registrations)) {
            if (r != null && !r.cancelled) {
                try {
                    r.handler.loopEnded();
                } catch (Throwable t) {
                    LOG.error("event loop {}: a handler's end threw", name, t);
                }
                r.cancel();
            }
        }
        synchronized (wakeLock) {
            Libc.close(capture, wakeFd);
            Libc.close(capture, timerFd);
            Libc.close(capture, epfd);
        }
        thread = null;
        arena.close();
    }

    @Override
    public String toString() {
        return "EventLoop(" + name + ")";
    }
}
