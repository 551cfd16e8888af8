package io.spead4j.tools;

import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.ThreadPool;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.send.StreamConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bench master's heaps in flight: each completion sends the next, on the writer's thread. */
class HeapChainTest {
    private static final Flavour FLAVOUR = new Flavour(48, 0);

    @Test
    void sendsEveryHeapThenTheEndHeapAndAddsUpTheirBytes() throws Exception {
        InprocQueue queue = new InprocQueue();
        try (ThreadPool pool = new ThreadPool(1);
             InprocStream stream = new InprocStream(pool, List.of(queue), new StreamConfig().withMaxHeaps(4))) {
            Heap heap = new Heap(FLAVOUR).addItem(0x1000, new byte[100], false);
            Heap end = new Heap(FLAVOUR).addEnd();
            long bytes = new BenchCommand.HeapChain(stream, heap, end, 25, 4).run();
            assertThat(queue.size()).as("25 one-packet heaps and the end heap").isEqualTo(26);
            long total = 0;
            byte[] packet = null;
            for (int i = 0; i < 26; i++) {
                packet = queue.tryPop();
                total += packet.length;
            }
            assertThat(bytes).isEqualTo(total);
            assertThat(packet.length).as("the end heap comes last and carries no payload").isLessThan(100);
        }
    }

    @Test
    void aStreamThatCannotSendFailsTheChainInsteadOfLeavingItWaiting() throws Exception {
        InprocQueue queue = new InprocQueue();
        try (ThreadPool pool = new ThreadPool(1)) {
            InprocStream stream = new InprocStream(pool, List.of(queue), new StreamConfig().withMaxHeaps(2));
            stream.close();
            Heap heap = new Heap(FLAVOUR).addItem(0x1000, new byte[100], false);
            BenchCommand.HeapChain chain = new BenchCommand.HeapChain(stream, heap, new Heap(FLAVOUR).addEnd(), 10, 2);
            assertThatThrownBy(chain::run).isInstanceOf(ExecutionException.class);
        }
    }
}
