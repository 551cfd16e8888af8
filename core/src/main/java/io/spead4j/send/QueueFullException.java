package io.spead4j.send;

import java.io.IOException;
import java.io.Serial;

/**
 * A heap (or group) was refused because the stream already holds {@code maxHeaps} heaps queued or in flight
 * (spead2's {@code would_block} / EAGAIN "dropping heap because queue is full"). Nothing of it was sent and no
 * heap cnt was used.
 */
public final class QueueFullException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the detail message
     */
    public QueueFullException(String message) {
        super(message);
    }
}
