package io.spead4j.recv;

import io.spead4j.testing.TestPools;
import io.spead4j.Descriptor;
import io.spead4j.FormatEntry;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Decodes every conformance vector ({@code NAME.spead}) with a buffer reader into a ring stream configured
 * as the vector's {@code recv_config}, and compares heaps, items, descriptors, incomplete-heap details and
 * the behavioural statistics with what spead2 4.4.1 produced ({@code NAME.json}).
 */
class ConformanceRecvTest {
    private static final ThreadPool pool = TestPools.shared();

    static List<String> cases() {
        return Conformance.names();
    }

    static StreamConfig configFrom(Map<String, Object> recv) {
        StreamConfig config = new StreamConfig();
        for (Map.Entry<String, Object> e : recv.entrySet()) {
            Object v = e.getValue();
            config = switch (e.getKey()) {
                case "max_heaps" -> config.withMaxHeaps(((Long) v).intValue());
                case "substreams" -> config.withSubstreams(((Long) v).intValue());
                case "bug_compat" -> config.withBugCompat(((Long) v).intValue());
                case "allow_out_of_order" -> config.withAllowOutOfOrder((Boolean) v);
                case "allow_unsized_heaps" -> config.withAllowUnsizedHeaps((Boolean) v);
                case "stop_on_stop_item" -> config.withStopOnStopItem((Boolean) v);
                case "explicit_start" -> config.withExplicitStart((Boolean) v);
                case "stream_id" -> config.withStreamId((Long) v);
                default -> throw new AssertionError("unknown recv_config key " + e.getKey());
            };
        }
        return config;
    }

    static RingStreamConfig ringFrom(Map<String, Object> ring) {
        RingStreamConfig config = new RingStreamConfig(4, false, true);
        for (Map.Entry<String, Object> e : ring.entrySet()) {
            Object v = e.getValue();
            config = switch (e.getKey()) {
                case "heaps" -> config.withHeaps(((Long) v).intValue());
                case "contiguous_only" -> config.withContiguousOnly((Boolean) v);
                case "incomplete_keep_payload_ranges" -> config.withIncompleteKeepPayloadRanges((Boolean) v);
                default -> throw new AssertionError("unknown ring_config key " + e.getKey());
            };
        }
        assertThat(config.contiguousOnly()).isFalse();
        assertThat(config.incompleteKeepPayloadRanges()).isTrue();
        return config;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesLikeSpead2(String name) throws Exception {
        // surefire's XML names parameterized cases by index; print the case name so it is in the report
        System.out.println("conformance case: " + name);
        Map<String, Object> json = Conformance.json(name);
        StreamConfig config = configFrom(Json.obj(json.get("recv_config")));
        RingStreamConfig ringConfig = ringFrom(Json.obj(json.get("ring_config")));
        List<HeapBase> heaps = new ArrayList<>();
        StreamStats stats;
        try (Stream stream = new Stream(pool, config, ringConfig)) {
            stream.addBufferReader(Conformance.bytes(name, "spead"));
            for (HeapBase heap : stream) {
                heaps.add(heap);
            }
            stats = stream.getStats();
            assertThat(stream.oversizedPackets()).isZero();
        }
        List<Object> expected = Json.arr(json.get("heaps"));
        assertThat(heaps.stream().map(HeapBase::cnt).toList()).as("heap cnts in order")
                .isEqualTo(expected.stream().map(h -> (Long) Json.obj(h).get("cnt")).toList());
        long addressBits = (Long) Json.obj(json.get("flavour")).get("heap_address_bits");
        for (int i = 0; i < heaps.size(); i++) {
            HeapBase heap = heaps.get(i);
            assertThat(heap.flavour().heapAddressBits()).as("heap address bits").isEqualTo((int) addressBits);
            assertThat(heap.flavour().bugCompat()).as("stream bug_compat").isEqualTo(config.bugCompat());
            checkHeap(heap, Json.obj(expected.get(i)));
        }
        Map<String, Object> st = Json.obj(json.get("stats"));
        for (String stat : List.of("heaps", "packets", "incomplete_heaps_evicted", "incomplete_heaps_flushed",
                "single_packet_heaps")) {
            assertThat(stats.get(stat)).as(stat).isEqualTo((Long) st.get(stat));
        }
        assertThat(stats.batches()).isEqualTo(1);
        assertThat(stats.maxBatch()).isEqualTo(stats.packets());
    }

    private static void checkHeap(HeapBase heap, Map<String, Object> exp) throws NoSuchAlgorithmException {
        String what = "heap " + heap.cnt();
        assertThat(heap.isContiguous()).as(what + " complete").isEqualTo(exp.get("complete"));
        assertThat(heap.isStartOfStream()).as(what + " start").isEqualTo(exp.get("start_of_stream"));
        assertThat(heap.isEndOfStream()).as(what + " end").isEqualTo(exp.get("end_of_stream"));
        List<RawItem> items = heap.items().stream().filter(it -> it.id() != Spead.DESCRIPTOR_ID).toList();
        List<Object> expItems = Json.arr(exp.get("items"));
        assertThat(items).as(what + " item count").hasSize(expItems.size());
        for (int i = 0; i < items.size(); i++) {
            RawItem item = items.get(i);
            Map<String, Object> e = Json.obj(expItems.get(i));
            String w = what + " item " + i;
            assertThat(item.id()).as(w + " id").isEqualTo(e.get("id"));
            assertThat(item.immediate()).as(w + " immediate").isEqualTo(e.get("immediate"));
            assertThat((long) item.length()).as(w + " length").isEqualTo(e.get("length"));
            byte[] bytes = item.bytes();
            if (e.containsKey("hex")) {
                assertThat(HexFormat.of().formatHex(bytes)).as(w + " hex").isEqualTo(e.get("hex"));
            } else {
                byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
                assertThat(HexFormat.of().formatHex(sha)).as(w + " sha256").isEqualTo(e.get("sha256"));
            }
            if (item.immediate()) {
                long v = 0;
                for (byte b : bytes) {
                    v = (v << 8) | (b & 0xFF);
                }
                assertThat(item.immediateValue()).isEqualTo(v);
            }
        }
        if (heap instanceof Heap h) {
            List<Descriptor> ds = h.descriptors();
            List<Object> expDs = exp.containsKey("descriptors") ? Json.arr(exp.get("descriptors")) : List.of();
            assertThat(ds).as(what + " descriptors").hasSize(expDs.size());
            for (int i = 0; i < ds.size(); i++) {
                Descriptor d = ds.get(i);
                Map<String, Object> e = Json.obj(expDs.get(i));
                assertThat(d.id()).isEqualTo(e.get("id"));
                assertThat(d.name()).isEqualTo(e.get("name"));
                assertThat(d.description()).isEqualTo(e.get("description"));
                assertThat(d.numpyHeader()).isEqualTo(e.get("numpy_header"));
                assertThat(d.shape()).isEqualTo(Json.arr(e.get("shape")));
                List<FormatEntry> format = new ArrayList<>();
                for (Object f : Json.arr(e.get("format"))) {
                    List<Object> pair = Json.arr(f);
                    format.add(new FormatEntry(((String) pair.get(0)).charAt(0), (Long) pair.get(1)));
                }
                assertThat(d.format()).isEqualTo(format);
            }
            h.release();
        } else if (heap instanceof IncompleteHeap h) {
            assertThat(exp.get("complete")).isEqualTo(false);
            assertThat(h.heapLength()).as(what + " heap_length").isEqualTo(exp.get("heap_length"));
            assertThat(h.receivedLength()).as(what + " received_length").isEqualTo(exp.get("received_length"));
            List<List<Long>> ranges = h.payloadRanges().stream().map(r -> List.of(r.start(), r.end())).toList();
            List<Object> expRanges = Json.arr(exp.get("payload_ranges"));
            assertThat(ranges).as(what + " payload_ranges").isEqualTo(expRanges);
        } else {
            fail("unexpected heap type " + heap);
        }
    }
}
