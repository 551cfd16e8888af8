package io.spead4j.net;

import org.slf4j.Logger;

/**
 * Rate-limited debug logging of rejected packets or frames for one source: the first {@value #DETAILED} are
 * logged one by one, the rest only counted and reported once by {@link #summarise()}, so that a flood of bad
 * input never floods the log. Not thread-safe: one per reader.
 */
public final class RejectLog {
    /** Rejections logged individually. */
    public static final int DETAILED = 10;
    private final Logger log;
    private final String source;
    private long count;

    /**
     * Creates a log.
     *
     * @param log where messages go (at debug)
     * @param source how messages name the source
     */
    public RejectLog(Logger log, String source) {
        this.log = log;
        this.source = source;
    }

    /** Counts a rejection and logs it if it is among the first few. @param why the reason */
    public void reject(String why) {
        if (next()) {
            detail(why);
        }
    }

    /**
     * Counts a rejection whose message costs something to build.
     *
     * @return true if the caller should build the message and pass it to {@link #detail}
     */
    public boolean next() {
        count++;
        return count <= DETAILED && log.isDebugEnabled();
    }

    /** Logs the rejection just counted by {@link #next()}. @param why the reason */
    public void detail(String why) {
        log.debug("{}: packet rejected: {}{}", source, why,
                count == DETAILED ? " (further rejections are only counted)" : "");
    }

    /** {@return rejections so far} */
    public long count() {
        return count;
    }

    /** Logs how many rejections were not logged individually. */
    public void summarise() {
        if (count > DETAILED && log.isDebugEnabled()) {
            log.debug("{}: {} packets rejected in all ({} not logged individually)", source, count, count - DETAILED);
        }
    }
}
