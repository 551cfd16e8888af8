package io.spead4j.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.spead4j.DType;
import io.spead4j.Format;
import io.spead4j.ItemGroup;
import io.spead4j.NdArray;
import io.spead4j.RawItem;
import io.spead4j.ThreadPool;
import io.spead4j.recv.Heap;
import io.spead4j.recv.HeapBase;
import io.spead4j.recv.Stream;
import io.spead4j.send.HeapGenerator;
import io.spead4j.send.StreamConfig;
import io.spead4j.send.UdpStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple6;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flink jobs on a local MiniCluster (Flink's local environment: one task manager, 4 slots, parallelism 4) against real UDP sockets on
 * loopback: a {@link SpeadSource} job summing an item per multicast substream, and a {@link SpeadSink} job
 * sending heaps to a spead4j receiver. Generic (Kryo) types are disabled in both jobs, so a record type
 * that fell back to Kryo would fail them.
 */
class SpeadFlinkJobsTest {
    private static final int PARALLELISM = 4;
    private static final int SUBSTREAMS = 8;
    private static final int HEAPS_PER_SUBSTREAM = 200;
    private static final long VALUE_ID = 0x1001;
    private static final long SQUARE_ID = 0x1002;
    private static final long TIMESTAMP_ID = 0x1600;
    /** Event times in milliseconds; small enough for a 40-bit immediate (the default flavour). */
    private static final long EPOCH_MILLIS = 1_000_000_000_000L;
    /** A modest rate (bytes per second) so that nothing overflows a socket on a busy machine. */
    private static final double RATE = 2_000_000;
    /** The source test's rate: its 1608 small heaps then take about 0.3 s, many watermark intervals. */
    private static final double SOURCE_RATE = 300_000;
    private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
    private static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");

    /** Counts endpoints whose sockets are open; the MiniCluster runs in this JVM, so a static reaches it. */
    private static volatile CountDownLatch endpointsReady;
    /** The reader (source subtask) that opened each endpoint, by split id. */
    private static final Map<String, Integer> READER_OF = new ConcurrentHashMap<>();
    /** Heaps the source test's job has processed. */
    private static final AtomicLong PROCESSED = new AtomicLong();

    private static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // watermarks every 10 ms (not 200): a watermark running ahead of a slower endpoint shows within a run
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(10));
        // a local environment runs each job on its own MiniCluster in this JVM, with PARALLELISM slots
        return StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
    }

    /**
     * {@return a receive stream with one UDP reader on a free loopback port}, the sink tests' receiver.
     *
     * @param pool its thread pool
     * @throws java.io.IOException if the socket cannot be opened (the stream is closed then)
     */
    private static Stream unicastReceiver(ThreadPool pool) throws java.io.IOException {
        Stream receiver = new Stream(pool, new io.spead4j.recv.StreamConfig().withMaxHeaps(16));
        try {
            receiver.addUdpReader(0, 9200, SOCKET_BUFFER, "127.0.0.1");
        } catch (java.io.IOException | RuntimeException e) {
            receiver.close();
            throw e;
        }
        return receiver;
    }

    /**
     * {@return a sink of (value, value squared) heaps to the port of a receiver made by {@link #unicastReceiver}}.
     *
     * @param receiver the receiver
     */
    private static SpeadSink<Long> squareSinkTo(Stream receiver) {
        int port = receiver.localAddresses().getFirst().getPort();
        return SpeadSink.to(List.of(SpeadEndpoint.unicast(port, "127.0.0.1")), new SquareEncoder());
    }

    private static long value(int substream, int i) {
        return substream * 1_000_003L + i * 7L + 3;
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(0));
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    /**
     * 8 multicast groups on loopback, each its own split; the job keys the heaps by endpoint and sums, per
     * endpoint, the heap count, the value item, the heaps whose record timestamp differs from their
     * timestamp item, and the heaps that arrive behind the watermark. The substreams' event times are 10^6 ms
     * apart, so one watermark shared by a reader's endpoints (instead of one per endpoint, combined as
     * their minimum) would run ahead of the slower endpoints; the watermark must also have advanced into
     * event time while the heaps arrived, so that this check is not empty. Each endpoint ends with a stop heap, so the
     * bounded source and the job end.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("try") // Flink's CloseableIterator.close() throws Exception
    void sourceSumsAnItemPerMulticastSubstream() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(LOOPBACK);
        Assumptions.assumeTrue(lo != null && lo.isUp(), "no loopback interface up for IPv4 multicast");
        List<SpeadEndpoint> endpoints = new ArrayList<>();
        for (int s = 0; s < SUBSTREAMS; s++) {
            endpoints.add(SpeadEndpoint.multicast("239.255.77." + (s + 1), freeUdpPort(), "127.0.0.1"));
        }
        endpointsReady = new CountDownLatch(SUBSTREAMS);
        PROCESSED.set(0);
        SpeadSource.Builder<SpeadHeapRecord> builder = SpeadSource.builder(SpeadDeserializer.heaps())
                .timestampItem(TIMESTAMP_ID)
                .socketBufferSize(SOCKET_BUFFER)
                .onEndpointReady(SpeadFlinkJobsTest::opened)
                .bounded();
        endpoints.forEach(builder::addEndpoint);
        SpeadSource<SpeadHeapRecord> source = builder.build();

        StreamExecutionEnvironment env = environment();
        Map<String, Tuple6<String, Long, Long, Long, Long, Long>> totals = new HashMap<>();
        try (CloseableIterator<Tuple6<String, Long, Long, Long, Long, Long>> results = env
                .fromSource(source, WatermarkStrategy.<SpeadHeapRecord>forMonotonousTimestamps(), "spead")
                .process(new PerHeap())
                .keyBy(t -> t.f0)
                .reduce((a, b) -> Tuple6.of(a.f0, a.f1 + b.f1, a.f2 + b.f2, a.f3 + b.f3, a.f4 + b.f4, Math.max(a.f5, b.f5)))
                .executeAndCollect("spead4j source: per-substream sums")) {
            assertThat(endpointsReady.await(60, TimeUnit.SECONDS))
                    .as("all %d endpoints open in the job", SUBSTREAMS).isTrue();
            send(endpoints);
            while (results.hasNext()) {
                Tuple6<String, Long, Long, Long, Long, Long> t = results.next();
                totals.put(t.f0, t); // a rolling reduce: the last result of a key is its total
            }
        }

        for (int s = 0; s < SUBSTREAMS; s++) {
            assertThat(READER_OF.get(endpoints.get(s).splitId())).as("reader of endpoint %d", s)
                    .isEqualTo(s % PARALLELISM);
        }
        assertThat(totals).hasSize(SUBSTREAMS);
        for (int s = 0; s < SUBSTREAMS; s++) {
            long expected = 0;
            for (int i = 0; i < HEAPS_PER_SUBSTREAM; i++) {
                expected += value(s, i);
            }
            Tuple6<String, Long, Long, Long, Long, Long> t = totals.get(endpoints.get(s).splitId());
            assertThat(t).as("result of %s", endpoints.get(s).splitId()).isNotNull();
            assertThat(t.f1).as("heaps of %s", t.f0).isEqualTo(HEAPS_PER_SUBSTREAM);
            assertThat(t.f2).as("sum of %s", t.f0).isEqualTo(expected);
            assertThat(t.f3).as("heaps of %s whose event time is not their timestamp item", t.f0).isZero();
            assertThat(t.f4).as("heaps of %s behind the watermark", t.f0).isZero();
            assertThat(t.f5).as("the watermark %s's heaps saw (it must have advanced into event time)", t.f0)
                    .isGreaterThanOrEqualTo(EPOCH_MILLIS);
        }
    }

    private static void opened(SpeadEndpoint endpoint, int reader, InetSocketAddress local) {
        READER_OF.put(endpoint.splitId(), reader);
        endpointsReady.countDown();
    }

    /**
     * Waits until the job has processed the first half of the heaps, then lets several watermark intervals
     * pass (a pause, not a timing assertion): every reader's watermark then stands in event time, so the
     * second half's records see it whatever the machine's load did to the first half's batching.
     */
    private static void awaitFirstHalfProcessed() throws InterruptedException {
        long half = (long) SUBSTREAMS * HEAPS_PER_SUBSTREAM / 2;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (PROCESSED.get() < half) {
            assertThat(System.nanoTime() < deadline).as("the job processed %d of the first %d heaps in 60 s",
                    PROCESSED.get(), half).isTrue();
            Thread.sleep(5);
        }
        Thread.sleep(100);
    }

    /**
     * Sends each substream's heaps (value, timestamp), interleaved, pausing after the first half until the
     * job has processed it, then a stop heap on each.
     */
    private static void send(List<SpeadEndpoint> endpoints) throws Exception {
        List<InetSocketAddress> targets = new ArrayList<>();
        for (SpeadEndpoint e : endpoints) {
            targets.add(new InetSocketAddress(InetAddress.ofLiteral(e.group()), e.port()));
        }
        try (ThreadPool pool = new ThreadPool(1);
             UdpStream out = new UdpStream(pool, targets, new StreamConfig().withRate(SOURCE_RATE),
                     UdpStream.DEFAULT_BUFFER_SIZE, 0, LOOPBACK)) {
            for (int i = 0; i < HEAPS_PER_SUBSTREAM; i++) {
                if (i == HEAPS_PER_SUBSTREAM / 2) {
                    awaitFirstHalfProcessed();
                }
                for (int s = 0; s < SUBSTREAMS; s++) {
                    io.spead4j.send.Heap heap = new io.spead4j.send.Heap()
                            .addItem(TIMESTAMP_ID, eventTime(s, i))
                            .addItem(VALUE_ID, value(s, i));
                    out.sendHeap(heap, i + 1, s);
                }
            }
            for (int s = 0; s < SUBSTREAMS; s++) {
                out.sendHeap(new io.spead4j.send.Heap().addEnd(), HEAPS_PER_SUBSTREAM + 1, s);
            }
        }
    }

    private static long eventTime(int substream, int i) {
        return EPOCH_MILLIS + substream * 1_000_000L + 10L * i;
    }

    /**
     * (endpoint, 1, value, 1 if the record's timestamp is not its timestamp item else 0, 1 if the record is
     * not ahead of the current watermark else 0, the current watermark).
     */
    private static final class PerHeap extends ProcessFunction<SpeadHeapRecord, Tuple6<String, Long, Long, Long, Long, Long>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(SpeadHeapRecord r, Context ctx, Collector<Tuple6<String, Long, Long, Long, Long, Long>> out) {
            Long ts = ctx.timestamp();
            long wrong = ts != null && ts == r.longValue(TIMESTAMP_ID) ? 0 : 1;
            long watermark = ctx.timerService().currentWatermark();
            long late = ts != null && ts > watermark ? 0 : 1;
            out.collect(Tuple6.of(r.endpoint, 1L, r.longValue(VALUE_ID), wrong, late, watermark));
            PROCESSED.incrementAndGet();
        }
    }

    /**
     * A job of parallelism 4 maps 1..N to heaps (value, value squared) and sends them with the sink to a
     * spead4j receiver on a unicast port; the receiver must get every value exactly once, intact, and the
     * four writers' cnts must not collide.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sinkSendsEveryRecordAsAHeap() throws Exception {
        int n = 1000;
        try (ThreadPool pool = new ThreadPool(1); Stream receiver = unicastReceiver(pool)) {
            StreamExecutionEnvironment env = environment();
            env.fromSequence(1, n)
                    .sinkTo(squareSinkTo(receiver)
                            .withRate(RATE / PARALLELISM));
            JobClient job = env.executeAsync("spead4j sink");

            Set<Long> values = new HashSet<>();
            Set<Long> cnts = new HashSet<>();
            List<String> wrong = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() + wrong.size() < n) {
                HeapBase h;
                try {
                    h = receiver.getAsync().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    break;
                }
                Map<Long, Long> items = new HashMap<>();
                for (RawItem it : h.items()) {
                    items.put(it.id(), it.immediateValue());
                }
                Long v = items.get(VALUE_ID);
                Long sq = items.get(SQUARE_ID);
                if (!(h instanceof Heap) || v == null || sq == null || sq != v * v || !values.add(v)
                        || !cnts.add(h.cnt())) {
                    wrong.add("cnt " + h.cnt() + " items " + items);
                }
                if (h instanceof Heap heap) {
                    heap.release();
                }
            }
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            assertThat(wrong).as("heaps incomplete, duplicated, or with a wrong square").isEmpty();
            assertThat(values).as("values received").hasSize(n);
            assertThat(values).allMatch(v -> v >= 1 && v <= n);
            // a reader batch merges its counters into the statistics when it ends (spead2's batch_stats), which
            // can be after the ring has given out the batch's heaps: wait for that merge, then check the count
            long statsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (receiver.getStats().get("heaps") < n && System.nanoTime() - statsDeadline < 0) {
                Thread.sleep(10);
            }
            assertThat(receiver.getStats().get("heaps")).isEqualTo(n);
        }
    }

    /**
     * A sink of parallelism 1 with end-of-stream heaps: the receiver's stream stops at the writer's end heap
     * (its iteration ends) after exactly the values sent.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sinkEndsItsStreamWhenAsked() throws Exception {
        int n = 100;
        try (ThreadPool pool = new ThreadPool(1); Stream receiver = unicastReceiver(pool)) {
            StreamExecutionEnvironment env = environment();
            env.fromSequence(1, n)
                    .sinkTo(squareSinkTo(receiver)
                            .withRate(RATE).withEndOfStream())
                    .setParallelism(1);
            JobClient job = env.executeAsync("spead4j sink with end of stream");
            List<Long> values = new ArrayList<>();
            for (HeapBase h : receiver) {
                for (RawItem it : h.items()) {
                    if (it.id() == VALUE_ID) {
                        values.add(it.immediateValue());
                    }
                }
                if (h instanceof Heap heap) {
                    heap.release();
                }
            }
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            assertThat(values).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, n).boxed().toList());
        }
    }

    /** Encodes a value as a heap of (value, value squared) immediates. */
    private static final class SquareEncoder implements HeapEncoder<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public io.spead4j.send.Heap encode(Long value) {
            return new io.spead4j.send.Heap().addItem(VALUE_ID, value).addItem(SQUARE_ID, value * value);
        }
    }

    /**
     * The ItemGroup form: two unicast endpoints each carry a sender ItemGroup (descriptors in every heap)
     * with a {@code <u4} value and a string; the job maps each heap's updates to a {@link Reading} POJO,
     * and every (endpoint, value, label) sent must come out exactly once.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("try") // Flink's CloseableIterator.close() throws Exception
    void sourceEmitsItemGroupUpdates() throws Exception {
        int heaps = 50;
        List<SpeadEndpoint> endpoints = List.of(SpeadEndpoint.unicast(freeUdpPort(), "127.0.0.1"),
                SpeadEndpoint.unicast(freeUdpPort(), "127.0.0.1"));
        endpointsReady = new CountDownLatch(endpoints.size());
        SpeadSource<Reading> source = SpeadSource.builder(SpeadDeserializer.itemUpdates(
                        SpeadFlinkJobsTest::reading, Types.POJO(Reading.class)))
                .addEndpoint(endpoints.get(0))
                .addEndpoint(endpoints.get(1))
                .socketBufferSize(SOCKET_BUFFER)
                .onEndpointReady(SpeadFlinkJobsTest::opened)
                .bounded()
                .build();
        List<String> received = new ArrayList<>();
        try (CloseableIterator<Reading> results = environment()
                .fromSource(source, WatermarkStrategy.noWatermarks(), "spead items")
                .executeAndCollect("spead4j source: item group updates")) {
            assertThat(endpointsReady.await(60, TimeUnit.SECONDS)).as("both endpoints open").isTrue();
            List<InetSocketAddress> targets = endpoints.stream()
                    .map(e -> new InetSocketAddress(LOOPBACK, e.port())).toList();
            try (ThreadPool pool = new ThreadPool(1);
                 UdpStream out = new UdpStream(pool, targets, new StreamConfig().withRate(RATE))) {
                List<io.spead4j.send.ItemGroup> groups = new ArrayList<>();
                for (int s = 0; s < endpoints.size(); s++) {
                    io.spead4j.send.ItemGroup g = new io.spead4j.send.ItemGroup();
                    g.addItem(0x1000L, "value", "a reading", new long[] {}, DType.parse("<u4"), NdArray.Order.C, 0L);
                    g.addItem(0x1001L, "label", "its label", new long[] {-1}, Format.of('c', 8), "");
                    groups.add(g);
                }
                for (int i = 0; i < heaps; i++) {
                    for (int s = 0; s < endpoints.size(); s++) {
                        io.spead4j.send.ItemGroup g = groups.get(s);
                        g.get("value").setValue(value(s, i));
                        g.get("label").setValue("s" + s + "-h" + i);
                        out.sendHeap(g.getHeap(HeapGenerator.Policy.ALL, HeapGenerator.Policy.ALL), -1, s);
                    }
                }
                for (int s = 0; s < endpoints.size(); s++) {
                    out.sendHeap(groups.get(s).getEnd(), -1, s);
                }
            }
            while (results.hasNext()) {
                Reading r = results.next();
                received.add(r.endpoint + " " + r.value + " " + r.label);
            }
        }
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < endpoints.size(); s++) {
            for (int i = 0; i < heaps; i++) {
                expected.add(endpoints.get(s).splitId() + " " + value(s, i) + " s" + s + "-h" + i);
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void reading(String endpoint, long cnt, ItemGroup.Updates updates, Collector<Reading> out) {
        if (updates.containsKey("value") && updates.containsKey("label")) {
            Reading r = new Reading();
            r.endpoint = endpoint;
            r.cnt = cnt;
            r.value = ((Number) updates.get("value").value()).longValue();
            r.label = String.valueOf(updates.get("label").value());
            out.collect(r);
        }
    }

    /** A user record type built from item updates (a Flink POJO). */
    public static final class Reading {
        /** The endpoint. */
        public String endpoint;
        /** The heap counter. */
        public long cnt;
        /** The value item. */
        public long value;
        /** The label item. */
        public String label;
    }

    /** The source's record type is a Flink POJO, so Flink never needs Kryo for it. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void heapRecordIsAFlinkPojo() {
        assertThat(SpeadDeserializer.heaps().getProducedType())
                .isInstanceOf(org.apache.flink.api.java.typeutils.PojoTypeInfo.class);
    }
}
