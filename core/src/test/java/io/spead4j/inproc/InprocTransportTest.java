package io.spead4j.inproc;

import io.spead4j.testing.Drain;
import io.spead4j.testing.TestPools;
import io.spead4j.Flavour;
import io.spead4j.InprocQueue;
import io.spead4j.Item;
import io.spead4j.ThreadPool;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.send.Heap;
import io.spead4j.send.InprocStream;
import io.spead4j.send.QueueFullException;
import io.spead4j.send.StreamConfig;
import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.ItemValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The in-process transport end to end, sentence by sentence of spead2's contract (SPEAD2-BEHAVIOUR.md §6):
 * send.InprocStream → InprocQueue → recv.Stream.addInprocReader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InprocTransportTest {
    private static final ThreadPool pool = TestPools.shared();

    private static Heap dataHeap(int value) {
        return new Heap().addItem(0x1000, new byte[] {(byte) value, (byte) (value >> 8), 1, 2, 3, 4, 5, 6}, false);
    }

    private static List<HeapBase> drain(Stream stream) {
        return Drain.heaps(stream);
    }

    private static List<Long> cnts(List<HeapBase> heaps) {
        return heaps.stream().map(HeapBase::cnt).toList();
    }

    @Test
    void queueCopiesPacketsAndRefusesAddsAfterStop() throws InterruptedException {
        InprocQueue queue = new InprocQueue();
        byte[] packet = {1, 2, 3};
        queue.addPacket(packet);
        packet[0] = 9; // the sender may reuse its buffer at once
        queue.stop();
        assertThatThrownBy(() -> queue.addPacket(new byte[] {4})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stop");
        assertThat(queue.pop()).containsExactly(1, 2, 3); // queued packets survive stop()
        assertThat(queue.pop()).isNull(); // then every consumer sees the end, repeatedly
        assertThat(queue.pop()).isNull();
    }

    @Test
    void blockingSendReturnsOnceTheHeapIsInTheQueue() throws IOException {
        InprocQueue queue = new InprocQueue();
        try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
            assertThat(sender.queues()).containsExactly(queue);
            Heap big = new Heap().addItem(0x1000, new byte[10_000], false);
            long bytes = sender.sendHeap(big);
            assertThat(queue.size()).isEqualTo(7); // 10000 bytes in 1472-byte packets
            long queued = 0;
            byte[] p;
            while ((p = queue.tryPop()) != null) {
                queued += p.length;
            }
            assertThat(queued).isEqualTo(bytes);
        }
    }

    @Test
    void dataSentBeforeTheReceiverExistsIsAllDelivered() throws IOException {
        InprocQueue queue = new InprocQueue();
        try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
            for (int i = 0; i < 50; i++) {
                sender.sendHeap(new Heap().addItem(0x1000, new byte[3000 + i], false));
            }
            sender.sendHeap(new Heap().addEnd());
        }
        queue.stop();
        try (Stream receiver = new Stream(pool)) {
            receiver.addInprocReader(queue);
            List<HeapBase> heaps = drain(receiver);
            assertThat(cnts(heaps)).hasSize(50).doesNotHaveDuplicates();
            for (int i = 0; i < 50; i++) {
                assertThat(heaps.get(i).isContiguous()).isTrue();
                assertThat(heaps.get(i).items().getFirst().length()).isEqualTo(3000 + i);
            }
            assertThat(receiver.getStats().heaps()).isEqualTo(50);
        }
    }

    @Test
    void severalSendersShareOneQueue() throws Exception {
        InprocQueue queue = new InprocQueue();
        try (InprocStream a = new InprocStream(pool, List.of(queue), new StreamConfig());
             InprocStream b = new InprocStream(pool, List.of(queue), new StreamConfig());
             Stream receiver = new Stream(pool)) {
            receiver.addInprocReader(queue);
            a.setCntSequence(1, 2);
            b.setCntSequence(2, 2);
            List<CompletableFuture<Long>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                sent.add((i % 2 == 0 ? a : b).sendHeapAsync(dataHeap(i)));
                if (sent.size() % 4 == 0) {
                    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
                }
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            queue.stop();
            assertThat(cnts(drain(receiver))).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, 40).boxed().toList());
        }
    }

    @Test
    void twoReceiversOnOneQueueShareSinglePacketHeapsWithoutLoss() throws Exception {
        InprocQueue queue = new InprocQueue();
        try (Stream first = new Stream(pool); Stream second = new Stream(pool)) {
            first.addInprocReader(queue);
            second.addInprocReader(queue);
            try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig())) {
                for (int i = 0; i < 300; i++) {
                    sender.sendHeap(dataHeap(i)); // every heap fits in one packet
                }
            }
            queue.stop(); // one stop ends both receivers
            ExecutorService drainers = Executors.newFixedThreadPool(2);
            try {
                Future<List<HeapBase>> one = drainers.submit(() -> drain(first));
                Future<List<HeapBase>> two = drainers.submit(() -> drain(second));
                List<Long> a = cnts(one.get(30, TimeUnit.SECONDS));
                List<Long> b = cnts(two.get(30, TimeUnit.SECONDS));
                Set<Long> union = new HashSet<>(a);
                union.addAll(b);
                assertThat(a.size() + b.size()).isEqualTo(300); // each packet went to exactly one receiver
                assertThat(union).hasSize(300);
                assertThat(first.getStats().packets() + second.getStats().packets()).isEqualTo(300);
            } finally {
                drainers.shutdownNow();
            }
        }
    }

    @Test
    void oneThreadCallingBlockingSendHeapNeverExceedsMaxHeaps() throws IOException {
        InprocQueue queue = new InprocQueue();
        try (InprocStream sender = new InprocStream(pool, List.of(queue), new StreamConfig().withMaxHeaps(1))) {
            for (int i = 0; i < 500; i++) {
                sender.sendHeap(dataHeap(i));
            }
        }
        queue.stop();
        try (Stream receiver = new Stream(pool)) {
            receiver.addInprocReader(queue);
            assertThat(drain(receiver)).hasSize(500);
        }
    }

    /**
     * The queue is reliable, yet at most maxHeaps heaps may be in flight: asynchronous sends beyond that fail
     * at once with a clear error and send nothing. A low rate keeps the first heaps in flight for a while, so
     * the later sends deterministically find the stream full.
     */
    @Test
    void asyncSendsBeyondMaxHeapsAreDroppedWithAnError() throws Exception {
        InprocQueue queue = new InprocQueue();
        StreamConfig slow = new StreamConfig().withMaxHeaps(3).withRate(200_000).withBurstSize(1000);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        try (InprocStream sender = new InprocStream(pool, List.of(queue), slow)) {
            for (int i = 0; i < 8; i++) {
                futures.add(sender.sendHeapAsync(new Heap().addItem(0x1000, new byte[6000], false)));
            }
            sender.flush();
        }
        long ok = futures.stream().filter(f -> !f.isCompletedExceptionally()).count();
        assertThat(ok).isEqualTo(3);
        for (CompletableFuture<Long> f : futures.subList(3, 8)) {
            assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(QueueFullException.class);
        }
        queue.stop();
        try (Stream receiver = new Stream(pool)) {
            receiver.addInprocReader(queue);
            assertThat(cnts(drain(receiver))).containsExactly(1L, 2L, 3L); // refused heaps consumed no cnt
        }
    }

    /** Several threads sending at once: the ones beyond maxHeaps get QueueFullException; what was accepted arrives. */
    @Test
    void parallelBlockingSendsBeyondMaxHeapsFailLoudly() throws Exception {
        InprocQueue queue = new InprocQueue();
        int threads = 6;
        StreamConfig slow = new StreamConfig().withMaxHeaps(2).withRate(100_000).withBurstSize(1000);
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        try (InprocStream sender = new InprocStream(pool, List.of(queue), slow)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        outcomes.add(sender.sendHeap(new Heap().addItem(0x1000, new byte[4000], false)));
                    } catch (Exception e) {
                        outcomes.add(e);
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers) {
                w.join(30_000);
            }
        }
        List<Object> failures = outcomes.stream().filter(o -> o instanceof Exception).toList();
        assertThat(outcomes).hasSize(threads);
        assertThat(failures).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(QueueFullException.class));
        long accepted = threads - failures.size();
        assertThat(accepted).isBetween(2L, (long) threads - 1);
        queue.stop();
        try (Stream receiver = new Stream(pool)) {
            receiver.addInprocReader(queue);
            assertThat(drain(receiver)).hasSize((int) accepted);
        }
    }

    static List<String> cases() {
        return Conformance.names();
    }

    /** The final ItemGroup of a conformance case, as spead4j decodes it from NAME.spead. */
    private static io.spead4j.ItemGroup decodedItems(String name, Flavour flavour) {
        io.spead4j.recv.StreamConfig config = new io.spead4j.recv.StreamConfig().withBugCompat(flavour.bugCompat());
        io.spead4j.ItemGroup items = new io.spead4j.ItemGroup();
        try (Stream stream = new Stream(pool, config)) {
            stream.addBufferReader(Conformance.bytes(name, "spead"));
            for (HeapBase h : stream) {
                if (h instanceof io.spead4j.recv.Heap heap) {
                    items.update(heap);
                }
            }
        }
        return items;
    }

    private static Flavour flavour(String name) {
        JsonNode f = Conformance.json(name).get("flavour");
        return new Flavour((int) Conformance.longValue(f.get("heap_address_bits")),
                (int) Conformance.longValue(f.get("bug_compat")));
    }

    /** Every item of the case (with its value, if it has one), copied into a send ItemGroup. */
    private static Map<String, Item> sendable(io.spead4j.ItemGroup decoded) {
        Map<String, Item> out = new LinkedHashMap<>();
        for (Item item : decoded.values()) {
            Item copy = Item.fromDescriptor(item.toDescriptor(), 0);
            if (item.value() != null) {
                copy.setValue(item.value());
            }
            out.put(item.name(), copy);
        }
        return out;
    }

    private enum Mode { ONE_QUEUE, SUBSTREAMS, SEND_FIRST }

    /**
     * Sends the case's items and returns what the receivers decoded. With substreams, as in spead2's
     * test_passthrough, the items are dealt round the substreams, each substream carries its own ItemGroup
     * and has its own receive stream.
     */
    private static void passthrough(String name, Mode mode) throws Exception {
        Flavour flavour = flavour(name);
        Map<String, Item> items = sendable(decodedItems(name, flavour));
        int substreams = mode == Mode.SUBSTREAMS ? 3 : 1;
        List<InprocQueue> queues = new ArrayList<>();
        List<io.spead4j.send.ItemGroup> groups = new ArrayList<>();
        for (int i = 0; i < substreams; i++) {
            queues.add(new InprocQueue());
            groups.add(new io.spead4j.send.ItemGroup(0, flavour));
        }
        int k = 0;
        for (Item item : items.values()) {
            groups.get(k++ % substreams).add(item);
        }
        io.spead4j.recv.StreamConfig recvConfig = new io.spead4j.recv.StreamConfig().withBugCompat(flavour.bugCompat());
        List<Stream> receivers = new ArrayList<>();
        if (mode != Mode.SEND_FIRST) {
            queues.forEach(q -> receivers.add(receiverOf(q, recvConfig)));
        }
        try (InprocStream sender = new InprocStream(pool, queues, new StreamConfig().withMaxPacketSize(9000))) {
            for (int i = 0; i < substreams; i++) {
                sender.sendHeap(groups.get(i).getHeap(), -1, i);
                sender.sendHeap(groups.get(i).getEnd(), -1, i);
            }
        }
        queues.forEach(InprocQueue::stop);
        if (mode == Mode.SEND_FIRST) {
            queues.forEach(q -> receivers.add(receiverOf(q, recvConfig)));
        }
        io.spead4j.ItemGroup got = new io.spead4j.ItemGroup();
        for (Stream receiver : receivers) {
            try (Stream r = receiver) {
                for (HeapBase h : r) {
                    assertThat(h).isInstanceOf(io.spead4j.recv.Heap.class);
                    assertThat(got.update((io.spead4j.recv.Heap) h).errors()).isEmpty();
                }
            }
        }
        assertThat(got.keys()).containsExactlyInAnyOrderElementsOf(items.keySet());
        for (Item sent : items.values()) {
            Item received = got.get(sent.name());
            String what = name + " item " + sent.name();
            assertThat(received.id()).as(what + " id").isEqualTo(sent.id());
            assertThat(received.dtype()).as(what + " dtype").isEqualTo(sent.dtype());
            assertThat(received.shape()).as(what + " shape").isEqualTo(sent.shape());
            assertThat(received.order()).as(what + " order").isEqualTo(sent.order());
            assertThat(received.format()).as(what + " format").isEqualTo(sent.format());
            assertThat(ItemValues.exact(received)).as(what + " value").isEqualTo(ItemValues.exact(sent));
        }
    }

    private static Stream receiverOf(InprocQueue queue, io.spead4j.recv.StreamConfig config) {
        Stream stream = new Stream(pool, config);
        stream.addInprocReader(queue);
        return stream;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conformanceItemGroupsPassThroughOneQueue(String name) throws Exception {
        passthrough(name, Mode.ONE_QUEUE);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conformanceItemGroupsPassThroughSubstreams(String name) throws Exception {
        passthrough(name, Mode.SUBSTREAMS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conformanceItemGroupsSentBeforeTheReceiverExists(String name) throws Exception {
        passthrough(name, Mode.SEND_FIRST);
    }
}
