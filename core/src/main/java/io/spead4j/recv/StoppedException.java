package io.spead4j.recv;

import java.io.Serial;

/**
 * Thrown by {@link Stream#get()} and {@link Stream#tryGet()} (and the failure of {@link Stream#getAsync()})
 * once the stream has stopped and every heap it delivered has been taken, spead2's {@code spead2.Stopped}. If
 * the stream was stopped by a failure ({@link StreamBase#failure()}), that failure is the cause.
 */
public final class StoppedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public StoppedException() {
        super("stream has stopped");
    }

    /**
     * Creates the exception for a stream that a failure stopped.
     *
     * @param cause the failure, or null if the stream stopped normally
     */
    public StoppedException(Throwable cause) {
        super(cause == null ? "stream has stopped" : "stream has stopped after a failure: " + cause, cause);
    }
}
