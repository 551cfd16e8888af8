package io.spead4j.recv;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.TestPools;
import io.spead4j.Descriptor;
import io.spead4j.FormatEntry;
import io.spead4j.RawItem;
import io.spead4j.Spead;
import io.spead4j.ThreadPool;
import io.spead4j.testing.Conformance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

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

    /** @return a receive config from the json's {@code recv_config} (spead2 Python names) @param recv the object */
    static StreamConfig configFrom(JsonNode recv) {
        StreamConfig config = new StreamConfig();
        for (Map.Entry<String, JsonNode> e : recv.properties()) {
            JsonNode v = e.getValue();
            config = switch (e.getKey()) {
                case "max_heaps" -> config.withMaxHeaps((int) Conformance.longValue(v));
                case "substreams" -> config.withSubstreams((int) Conformance.longValue(v));
                case "bug_compat" -> config.withBugCompat((int) Conformance.longValue(v));
                case "allow_out_of_order" -> config.withAllowOutOfOrder(bool(v));
                case "allow_unsized_heaps" -> config.withAllowUnsizedHeaps(bool(v));
                case "stop_on_stop_item" -> config.withStopOnStopItem(bool(v));
                case "explicit_start" -> config.withExplicitStart(bool(v));
                case "stream_id" -> config.withStreamId(Conformance.longValue(v));
                default -> throw new AssertionError("unknown recv_config key " + e.getKey());
            };
        }
        return config;
    }

    /** @return a ring config from the json's {@code ring_config} @param ring the object */
    static RingStreamConfig ringFrom(JsonNode ring) {
        RingStreamConfig config = new RingStreamConfig(4, false, true);
        for (Map.Entry<String, JsonNode> e : ring.properties()) {
            JsonNode v = e.getValue();
            config = switch (e.getKey()) {
                case "heaps" -> config.withHeaps((int) Conformance.longValue(v));
                case "contiguous_only" -> config.withContiguousOnly(bool(v));
                case "incomplete_keep_payload_ranges" -> config.withIncompleteKeepPayloadRanges(bool(v));
                default -> throw new AssertionError("unknown ring_config key " + e.getKey());
            };
        }
        assertThat(config.contiguousOnly()).isFalse();
        assertThat(config.incompleteKeepPayloadRanges()).isTrue();
        return config;
    }

    private static boolean bool(JsonNode v) {
        assertThat(v.isBoolean()).as("boolean %s", v).isTrue();
        return v.booleanValue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesLikeSpead2(String name) throws Exception {
        // surefire's XML names parameterized cases by index; print the case name so it is in the report
        System.out.println("conformance case: " + name);
        JsonNode json = Conformance.json(name);
        StreamConfig config = configFrom(json.get("recv_config"));
        RingStreamConfig ringConfig = ringFrom(json.get("ring_config"));
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
        List<JsonNode> expected = new ArrayList<>();
        json.get("heaps").forEach(expected::add);
        assertThat(heaps.stream().map(HeapBase::cnt).toList()).as("heap cnts in order")
                .isEqualTo(expected.stream().map(h -> Conformance.longValue(h.get("cnt"))).toList());
        long addressBits = Conformance.longValue(json.get("flavour").get("heap_address_bits"));
        for (int i = 0; i < heaps.size(); i++) {
            HeapBase heap = heaps.get(i);
            assertThat(heap.flavour().heapAddressBits()).as("heap address bits").isEqualTo((int) addressBits);
            assertThat(heap.flavour().bugCompat()).as("stream bug_compat").isEqualTo(config.bugCompat());
            checkHeap(heap, expected.get(i));
        }
        JsonNode st = json.get("stats");
        for (String stat : List.of("heaps", "packets", "incomplete_heaps_evicted", "incomplete_heaps_flushed",
                "single_packet_heaps")) {
            assertThat(stats.get(stat)).as(stat).isEqualTo(Conformance.longValue(st.get(stat)));
        }
        assertThat(stats.batches()).isEqualTo(1);
        assertThat(stats.maxBatch()).isEqualTo(stats.packets());
    }

    private static void checkHeap(HeapBase heap, JsonNode exp) throws NoSuchAlgorithmException {
        String what = "heap " + heap.cnt();
        assertThat(heap.isContiguous()).as(what + " complete").isEqualTo(exp.get("complete").booleanValue());
        assertThat(heap.isStartOfStream()).as(what + " start").isEqualTo(exp.get("start_of_stream").booleanValue());
        assertThat(heap.isEndOfStream()).as(what + " end").isEqualTo(exp.get("end_of_stream").booleanValue());
        List<RawItem> items = heap.items().stream().filter(it -> it.id() != Spead.DESCRIPTOR_ID).toList();
        JsonNode expItems = exp.get("items");
        assertThat(items).as(what + " item count").hasSize(expItems.size());
        for (int i = 0; i < items.size(); i++) {
            RawItem item = items.get(i);
            JsonNode e = expItems.get(i);
            String w = what + " item " + i;
            assertThat(item.id()).as(w + " id").isEqualTo(Conformance.longValue(e.get("id")));
            assertThat(item.immediate()).as(w + " immediate").isEqualTo(e.get("immediate").booleanValue());
            assertThat((long) item.length()).as(w + " length").isEqualTo(Conformance.longValue(e.get("length")));
            byte[] bytes = item.bytes();
            if (e.has("hex")) {
                assertThat(HexFormat.of().formatHex(bytes)).as(w + " hex").isEqualTo(e.get("hex").textValue());
            } else {
                byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
                assertThat(HexFormat.of().formatHex(sha)).as(w + " sha256").isEqualTo(e.get("sha256").textValue());
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
            JsonNode expDs = exp.path("descriptors");
            assertThat(ds).as(what + " descriptors").hasSize(expDs.size());
            for (int i = 0; i < ds.size(); i++) {
                Descriptor d = ds.get(i);
                JsonNode e = expDs.get(i);
                String w = what + " descriptor " + i;
                assertThat(d.id()).as(w + " id").isEqualTo(Conformance.longValue(e.get("id")));
                // the json gives a name or description that is not valid text as {"hex": ...}: compare bytes
                Function<String, byte[]> raw = t -> t.getBytes(StandardCharsets.ISO_8859_1);
                assertThat(raw.apply(d.name())).as(w + " name").isEqualTo(Conformance.textBytes(e.get("name")));
                assertThat(raw.apply(d.description())).as(w + " description")
                        .isEqualTo(Conformance.textBytes(e.get("description")));
                assertThat(raw.apply(d.numpyHeader())).as(w + " numpy_header")
                        .isEqualTo(Conformance.textBytes(e.get("numpy_header")));
                assertThat(d.shape()).as(w + " shape").isEqualTo(Conformance.longs(e.get("shape")));
                List<FormatEntry> format = new ArrayList<>();
                for (JsonNode f : e.get("format")) {
                    format.add(new FormatEntry(f.get(0).textValue().charAt(0), Conformance.longValue(f.get(1))));
                }
                assertThat(d.format()).as(w + " format").isEqualTo(format);
            }
            h.release();
        } else if (heap instanceof IncompleteHeap h) {
            assertThat(exp.get("complete").booleanValue()).isFalse();
            assertThat(h.heapLength()).as(what + " heap_length").isEqualTo(Conformance.longValue(exp.get("heap_length")));
            assertThat(h.receivedLength()).as(what + " received_length")
                    .isEqualTo(Conformance.longValue(exp.get("received_length")));
            List<List<Long>> ranges = h.payloadRanges().stream().map(r -> List.of(r.start(), r.end())).toList();
            List<List<Long>> expRanges = new ArrayList<>();
            exp.get("payload_ranges").forEach(r -> expRanges.add(Conformance.longs(r)));
            assertThat(ranges).as(what + " payload_ranges").isEqualTo(expRanges);
        } else {
            fail("unexpected heap type " + heap);
        }
    }
}
