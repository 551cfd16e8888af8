package io.spead4j.recv;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The Java Flight Recorder events of receive streams (visible in JDK Mission Control under "spead4j"): heaps
 * evicted or flushed incomplete, packets rejected (aggregated per period, by {@link DropReason}), a reader
 * blocked on a full ring, a reader stopped by an error. Rare events are committed where they happen; packet
 * drops are only counted on the packet path and reported by a periodic event, so a recording costs the packet
 * path nothing. Each emitter first asks whether its event is enabled (a field read when no recording is on).
 */
final class ReceiveEvents {
    private ReceiveEvents() {
    }

    /** Category shared by spead4j's events. */
    static final String CATEGORY = "spead4j";

    /** A heap left the live set incomplete: evicted by a newer heap, or flushed. */
    @Name("io.spead4j.recv.HeapIncomplete")
    @Label("Incomplete Heap")
    @Category({CATEGORY, "Receive"})
    @Description("A receive stream evicted or flushed a heap before all its payload arrived")
    @StackTrace(false)
    static final class HeapIncomplete extends Event {
        @Label("Stream")
        String stream;
        @Label("Heap Cnt")
        long heapCnt;
        @Label("Cause")
        @Description("evicted or flushed")
        String cause;
        @Label("Received")
        @DataAmount
        long receivedBytes;
        @Label("Heap Length")
        @Description("-1 if the heap length is unknown")
        @DataAmount
        long heapLength;
    }

    /** Packets (or heaps) a stream discarded during the last period, for one reason. */
    @Name("io.spead4j.recv.PacketsRejected")
    @Label("Packets Rejected")
    @Category({CATEGORY, "Receive"})
    @Description("Packets or heaps a receive stream discarded since the previous period, for one reason")
    @Period("1 s")
    @StackTrace(false)
    static final class PacketsRejected extends Event {
        @Label("Stream")
        String stream;
        @Label("Reason")
        String reason;
        @Label("Count")
        long count;
    }

    /** A reader waited for room in a full ring. */
    @Name("io.spead4j.recv.RingFull")
    @Label("Ring Full")
    @Category({CATEGORY, "Receive"})
    @Description("A reader of a receive stream blocked because the consumer left the ring full")
    @StackTrace(false)
    static final class RingFull extends Event {
        @Label("Stream")
        String stream;
        @Label("Capacity")
        long capacity;
    }

    /** A reader ended because something failed. */
    @Name("io.spead4j.recv.ReaderFailed")
    @Label("Reader Stopped With Error")
    @Category({CATEGORY, "Receive"})
    @Description("A reader failed and stopped its receive stream")
    @StackTrace(false)
    static final class ReaderFailed extends Event {
        @Label("Stream")
        String stream;
        @Label("Reader")
        String reader;
        @Label("Error")
        String error;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReceiveEvents.class);
    /** Null where the JVM has no Flight Recorder: the events are then never enabled. */
    private static final EventType HEAP_INCOMPLETE = typeOf(HeapIncomplete.class);
    private static final EventType RING_FULL = typeOf(RingFull.class);

    /** The packet steps to report on, weakly held (a stream that is dropped is forgotten). */
    private static final Set<PacketStep> STEPS =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    static {
        if (HEAP_INCOMPLETE != null) {
            try {
                FlightRecorder.addPeriodicEvent(PacketsRejected.class, ReceiveEvents::reportRejected);
            } catch (RuntimeException | InternalError e) {
                LOG.debug("JFR periodic event not registered", e);
            }
        }
    }

    private static EventType typeOf(Class<? extends Event> event) {
        try {
            return EventType.getEventType(event);
        } catch (RuntimeException | InternalError e) { // a JVM without the Flight Recorder
            LOG.debug("JFR events unavailable: {}", e.toString());
            return null;
        }
    }

    /** Starts reporting a packet step's drops in the periodic event. @param step the step */
    static void register(PacketStep step) {
        if (HEAP_INCOMPLETE != null) {
            STEPS.add(step);
        }
    }

    private static void reportRejected() {
        List<PacketStep> steps;
        synchronized (STEPS) {
            steps = new ArrayList<>(STEPS);
        }
        for (PacketStep step : steps) {
            step.reportDropsSinceLastPeriod();
        }
    }

    /** Commits one periodic drop event. */
    static void commitRejected(String stream, DropReason reason, long count) {
        PacketsRejected e = new PacketsRejected();
        e.stream = stream;
        e.reason = reason.statName();
        e.count = count;
        e.commit();
    }

    /** {@return true if incomplete-heap events are being recorded} */
    static boolean heapIncompleteEnabled() {
        return HEAP_INCOMPLETE != null && HEAP_INCOMPLETE.isEnabled();
    }

    /** Commits an incomplete-heap event (check {@link #heapIncompleteEnabled()} first). */
    static void heapIncomplete(String stream, LiveHeap heap, String cause) {
        HeapIncomplete e = new HeapIncomplete();
        e.stream = stream;
        e.heapCnt = heap.cnt();
        e.cause = cause;
        e.receivedBytes = heap.receivedLength();
        e.heapLength = heap.heapLength();
        e.commit();
    }

    /**
     * Begins a ring-full event if those are recorded.
     *
     * @return the event (commit it with {@link #ringFullEnd}), or null
     */
    static RingFull ringFullBegin(String stream, long capacity) {
        if (RING_FULL == null || !RING_FULL.isEnabled()) {
            return null;
        }
        RingFull e = new RingFull();
        e.stream = stream;
        e.capacity = capacity;
        e.begin();
        return e;
    }

    /** Ends and commits a ring-full event begun by {@link #ringFullBegin}. @param e the event or null */
    static void ringFullEnd(RingFull e) {
        if (e != null) {
            e.end();
            e.commit();
        }
    }

    /** Commits a reader-failed event. */
    static void readerFailed(String stream, String reader, Throwable t) {
        ReaderFailed e = new ReaderFailed();
        if (e.isEnabled()) {
            e.stream = stream;
            e.reader = reader;
            e.error = String.valueOf(t);
            e.commit();
        }
    }
}
