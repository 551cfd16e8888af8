package io.spead4j;

import io.spead4j.testing.Conformance;
import io.spead4j.testing.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds an {@link ItemGroup} every complete heap of each conformance case, as spead2's ItemGroup was fed to
 * produce the case's json, and checks the items updated by each heap, the update errors, and the final state
 * of every item (id, dtype, shape, order, decoded value).
 *
 * <p>Order of the updated items: the json's {@code updated_items} lists (like all its object keys) are sorted
 * by name in every case, whereas spead2's {@code update()} dict follows the heap's item order; they differ in
 * nine cases (e.g. {@code legacy_format}: item order u12, rec, i24). So the updated items are checked to be
 * exactly in item order, and exactly the json's list once sorted.
 */
class ConformanceItemGroupTest {
    /** Arrays with more elements than this are summarised in the json. */
    private static final int SUMMARY_LIMIT = 4096;

    static List<String> cases() {
        return Conformance.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void itemGroupMatchesSpead2(String name) {
        Map<String, Object> json = Conformance.json(name);
        ItemGroup group = new ItemGroup();
        int checkedHeaps = 0;
        for (ConformanceHeaps.JsonHeap heap : ConformanceHeaps.completeHeaps(name)) {
            ItemGroup.Updates updates = group.update(heap);
            String where = name + " heap cnt " + heap.cnt();
            Object expectedError = heap.json().get("update_error");
            if (expectedError != null) {
                String message = ((String) expectedError).replaceFirst("^[A-Za-z]+Error: ", "");
                assertThat(updates.errors()).as(where + " errors").isNotEmpty();
                assertThat(updates.errors()).as(where + " errors")
                        .anySatisfy(f -> assertThat(f.message()).contains(message));
                for (ItemGroup.Failure f : updates.errors()) {
                    assertThat(updates).as(where).doesNotContainKey(f.name());
                }
            } else {
                assertThat(updates.errors()).as(where + " errors").isEmpty();
                // spead2's update() returns its dict in item order (§2.9), but the json generator wrote every
                // updated_items list sorted by name: ours must be in item order, and equal the json once sorted
                List<String> expected = new ArrayList<>();
                for (Object o : Json.arr(heap.json().get("updated_items"))) {
                    expected.add((String) o);
                }
                assertThat(expected).as(where + " json updated_items").isSorted();
                List<String> actual = new ArrayList<>(updates.keySet());
                assertThat(actual).as(where + " updated items in item order").containsExactlyElementsOf(
                        namesInItemOrder(group, heap));
                assertThat(actual.stream().sorted().toList()).as(where + " updated items")
                        .containsExactlyElementsOf(expected);
            }
            checkedHeaps++;
        }
        Map<String, Object> expectedGroup = Json.obj(json.get("item_group"));
        assertThat(new ArrayList<>(group.keys())).as(name + " item names")
                .containsExactlyInAnyOrderElementsOf(expectedGroup.keySet());
        for (Map.Entry<String, Object> e : expectedGroup.entrySet()) {
            Map<String, Object> expected = Json.obj(e.getValue());
            Item item = group.get(e.getKey());
            String where = name + " item " + e.getKey();
            assertThat(item.id()).as(where + " id").isEqualTo(expected.get("id"));
            assertThat(item.dtype() == null ? null : item.dtype().toString()).as(where + " dtype")
                    .isEqualTo(expected.get("dtype"));
            List<Object> shape = new ArrayList<>();
            for (long d : item.shape()) {
                shape.add(d);
            }
            assertThat(shape).as(where + " shape").isEqualTo(expected.get("shape"));
            assertThat(item.order().name()).as(where + " order").isEqualTo(expected.get("order"));
            assertThat(toJson(item.value())).as(where + " value").isEqualTo(expected.get("value"));
        }
        assertThat(checkedHeaps).as(name + ": heaps fed").isEqualTo(countComplete(json));
    }

    /** @return the names of the heap's known user items (id above STREAM_CTRL), in the heap's item order */
    private static List<String> namesInItemOrder(ItemGroup group, ConformanceHeaps.JsonHeap heap) {
        Set<String> names = new LinkedHashSet<>();
        for (RawItem raw : heap.items()) {
            Item item = raw.id() > Spead.STREAM_CTRL_ID ? group.getById(raw.id()) : null;
            if (item != null) {
                names.add(item.name());
            }
        }
        return new ArrayList<>(names);
    }

    private static int countComplete(Map<String, Object> json) {
        int n = 0;
        for (Object h : Json.arr(json.get("heaps"))) {
            if (Boolean.TRUE.equals(Json.obj(h).get("complete"))) {
                n++;
            }
        }
        return n;
    }

    /** Converts a value to the json form the conformance generator wrote. */
    static Object toJson(Object value) {
        if (value instanceof NdArray a) {
            if (a.dtype().kind() == DType.KIND_COMPLEX) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("complex", toJson(a.toNested()));
                m.put("shape", shapeList(a.shape()));
                return m;
            }
            if (a.size() > SUMMARY_LIMIT) {
                Map<String, Object> s = new LinkedHashMap<>();
                List<Object> first = new ArrayList<>();
                List<Object> last = new ArrayList<>();
                double sum = 0;
                for (int i = 0; i < a.size(); i++) {
                    Object v = a.getFlat(i);
                    sum += ((Number) v).doubleValue();
                    if (i < 8) {
                        first.add(v);
                    }
                    if (i >= a.size() - 8) {
                        last.add(v);
                    }
                }
                s.put("first", first);
                s.put("last", last);
                s.put("shape", shapeList(a.shape()));
                s.put("sum", sum);
                return Map.of("summary", s);
            }
            return toJson(a.toNested());
        }
        if (value instanceof Complex c) {
            return Map.of("complex", List.of(c.re(), c.im()));
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(o instanceof Complex c ? List.of(c.re(), c.im()) : toJson(o));
            }
            return out;
        }
        return value;
    }

    private static List<Object> shapeList(long[] shape) {
        List<Object> out = new ArrayList<>();
        for (long d : shape) {
            out.add(d);
        }
        return out;
    }
}
