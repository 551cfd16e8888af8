package io.spead4j.net;

import io.spead4j.ThreadPool;

import java.io.IOException;

/**
 * The native side of {@link ThreadPool}: epoll {@link EventLoop}s and {@link CpuAffinity}, found by the pool
 * through {@link java.util.ServiceLoader}. Not part of the public API.
 */
public final class NativeThreadSupport implements ThreadPool.NativeSupport {
    /** Creates the provider (for {@link java.util.ServiceLoader}). */
    public NativeThreadSupport() {
    }

    @Override
    public String unsupportedReason() {
        return EventLoop.unsupportedReason();
    }

    @Override
    public ThreadPool.Loop newLoop(String name) throws IOException {
        return new EventLoop(name);
    }

    @Override
    public void bindCurrentThread(int core) {
        CpuAffinity.bindCurrentThread(core);
    }
}
