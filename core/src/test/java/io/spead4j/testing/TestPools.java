package io.spead4j.testing;

import io.spead4j.ThreadPool;

/**
 * One thread pool shared by every test class: its threads are daemons created on demand, so tests need not
 * start or close a pool of their own.
 */
public final class TestPools {
    private static final ThreadPool SHARED = new ThreadPool(2);

    private TestPools() {
    }

    /** @return the shared pool (never closed) */
    public static ThreadPool shared() {
        return SHARED;
    }
}
