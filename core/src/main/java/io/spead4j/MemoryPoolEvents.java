package io.spead4j;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The Java Flight Recorder event of a {@link MemoryPool} found empty (JDK Mission Control: "spead4j"). */
final class MemoryPoolEvents {
    private MemoryPoolEvents() {
    }

    /** A request the pool should have served found it empty: a new buffer was allocated. */
    @Name("io.spead4j.MemoryPoolEmpty")
    @Label("Memory Pool Empty")
    @Category({"spead4j", "Memory"})
    @Description("A memory pool had no free buffer for a request and allocated a new one")
    @StackTrace(false)
    static final class Empty extends Event {
        @Label("Pool")
        String pool;
        @Label("Requested")
        @DataAmount
        long requestedBytes;
        @Label("Buffer Size")
        @DataAmount
        long bufferBytes;
    }

    /** Commits an empty-pool event if those are recorded. */
    static void empty(MemoryPool pool, long requested, long buffer) {
        Empty e = new Empty();
        if (e.isEnabled()) {
            e.pool = pool.toString();
            e.requestedBytes = requested;
            e.bufferBytes = buffer;
            e.commit();
        }
    }
}
