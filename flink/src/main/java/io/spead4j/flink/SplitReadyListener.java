package io.spead4j.flink;

import java.io.Serializable;
import java.net.InetSocketAddress;

/**
 * Told when a reader has opened an endpoint's socket (and joined its multicast group): from then on the
 * kernel buffers what arrives there. Useful to start a sender only once every endpoint listens, as a test
 * does. It runs on the reader's fetcher thread and must return quickly.
 */
@FunctionalInterface
public interface SplitReadyListener extends Serializable {
    /**
     * Called once per endpoint, each time a reader opens it.
     *
     * @param endpoint the endpoint
     * @param reader the index of the parallel reader (source subtask) that opened it
     * @param localAddress the socket's local address (its port is the bound one), or null if unknown
     */
    void ready(SpeadEndpoint endpoint, int reader, InetSocketAddress localAddress);
}
