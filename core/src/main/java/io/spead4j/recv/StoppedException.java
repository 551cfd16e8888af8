package io.spead4j.recv;

import java.io.Serial;

/**
 * Thrown by {@link Stream#get()} and {@link Stream#tryGet()} once the stream has stopped and every heap it
 * delivered has been taken, spead2's {@code spead2.Stopped}.
 */
public final class StoppedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public StoppedException() {
        super("stream has stopped");
    }
}
