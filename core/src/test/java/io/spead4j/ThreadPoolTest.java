package io.spead4j;

import io.spead4j.net.EventLoop;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ThreadPool}'s arguments, event loops and CPU affinity (spead2's {@code thread_pool}). */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadPoolTest {
    private static void assumeLoops() {
        Assumptions.assumeTrue(EventLoop.isSupported(), () -> "no event loops here: " + EventLoop.unsupportedReason());
    }

    /** @return the cores the calling thread may run on, as the kernel lists them (e.g. "0" or "0-1") */
    private static String allowedCores() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in /proc/thread-self/status");
    }

    private static boolean mayUseCore(int core) throws IOException {
        for (String range : allowedCores().split(",")) {
            String[] ends = range.split("-");
            int lo = Integer.parseInt(ends[0]);
            int hi = Integer.parseInt(ends[ends.length - 1]);
            if (core >= lo && core <= hi) {
                return true;
            }
        }
        return false;
    }

    @Test
    void onLinuxThePoolFindsItsNativeSupport() {
        assumeLoops();
        try (ThreadPool pool = new ThreadPool()) {
            assertThat(pool.hasEventLoops()).as("the ServiceLoader finds io.spead4j.net.NativeThreadSupport").isTrue();
            assertThat(pool.nextEventLoop()).isInstanceOf(EventLoop.class);
        }
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        assertThatThrownBy(() -> new ThreadPool(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads must be at least 1, got 0");
        assertThatThrownBy(() -> new ThreadPool(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -1");
        assertThatThrownBy(() -> new ThreadPool(1, 1024)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 1024");
        assertThatThrownBy(() -> new ThreadPool(2, List.of(0, -3))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -3");
        assertThatThrownBy(() -> ThreadPool.setAffinity(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCoreTheKernelRefusesFailsTheConstructor() throws IOException {
        assumeLoops();
        int core = 1023; // in a CPU set's range, but no test machine has it
        Assumptions.assumeFalse(mayUseCore(core));
        assertThatThrownBy(() -> new ThreadPool(1, core)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("core 1023").hasMessageContaining("sched_setaffinity");
    }

    @Test
    void theLoopThreadsStartWithThePoolAndArePinnedRoundRobin() throws Exception {
        assumeLoops();
        Assumptions.assumeTrue(mayUseCore(0), "core 0 is not available to this process");
        try (ThreadPool pool = new ThreadPool(2, 0)) {
            assertThat(pool.hasEventLoops()).isTrue();
            assertThat(pool.threads()).isEqualTo(2);
            for (int i = 0; i < 2; i++) {
                EventLoop loop = (EventLoop) pool.nextEventLoop();
                CompletableFuture<String> cores = new CompletableFuture<>();
                loop.execute(() -> {
                    try {
                        cores.complete(Thread.currentThread().getName() + " " + allowedCores());
                    } catch (IOException e) {
                        cores.completeExceptionally(e);
                    }
                });
                assertThat(cores.get()).matches("spead4j-pool\\d+-\\d+ 0");
            }
        }
    }

    @Test
    void setAffinityBindsTheCallingThread() throws Exception {
        assumeLoops();
        Assumptions.assumeTrue(mayUseCore(0), "core 0 is not available to this process");
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ThreadPool.setAffinity(0);
                seen.set(allowedCores());
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertThat(seen.get()).isEqualTo("0");
        Assumptions.assumeFalse(mayUseCore(1023));
        assertThatThrownBy(() -> ThreadPool.setAffinity(1023)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("core 1023");
    }

    @Test
    void closingThePoolEndsItsIdleLoops() throws Exception {
        assumeLoops();
        ThreadPool pool = new ThreadPool(3);
        ThreadPool.Loop[] loops = {pool.nextEventLoop(), pool.nextEventLoop(), pool.nextEventLoop()};
        pool.close();
        for (ThreadPool.Loop loop : loops) {
            while (!loop.hasEnded()) {
                Thread.sleep(1);
            }
            assertThatThrownBy(() -> ((EventLoop) loop).execute(() -> { })).isInstanceOf(
                    java.util.concurrent.RejectedExecutionException.class);
        }
    }
}
