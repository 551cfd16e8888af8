package io.spead4j;

import com.fasterxml.jackson.databind.JsonNode;
import io.spead4j.testing.Conformance;
import io.spead4j.testing.ItemValues;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 *
 * <p>Update errors: where spead2's ItemGroup raised ({@code update_error}), the json gives Python's message,
 * whose wording need not match; what is checked is that the heap failed, and on an item of that heap: spead2
 * applies a heap's descriptors, then its values, and raises on the first that fails, so the first failure
 * spead4j reports must be a descriptor of the heap, or, if the heap's descriptors all applied, one of its
 * values.
 */
class ConformanceItemGroupTest {
    static List<String> cases() {
        return Conformance.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void itemGroupMatchesSpead2(String name) {
        System.out.println("item group case: " + name);
        JsonNode json = Conformance.json(name);
        ItemGroup group = new ItemGroup();
        int checkedHeaps = 0;
        for (ConformanceHeaps.JsonHeap heap : ConformanceHeaps.completeHeaps(name)) {
            ItemGroup.Updates updates = group.update(heap);
            String where = name + " heap cnt " + heap.cnt();
            JsonNode expectedError = heap.json().path("update_error");
            if (!expectedError.isMissingNode() && !expectedError.isNull()) {
                assertThat(heap.json().get("updated_items").isNull()).as(where + " updated_items null").isTrue();
                assertThat(updates.errors()).as(where + " errors (spead2: %s)", expectedError.textValue()).isNotEmpty();
                ItemGroup.Failure first = updates.errors().getFirst();
                Set<Long> descriptorIds = new LinkedHashSet<>();
                heap.descriptors().forEach(d -> descriptorIds.add(d.id()));
                Set<Long> valueIds = new LinkedHashSet<>();
                heap.items().stream().filter(i -> i.id() > Spead.STREAM_CTRL_ID).forEach(i -> valueIds.add(i.id()));
                if (first.descriptor()) {
                    assertThat(descriptorIds).as(where + ": failed descriptor " + first).contains(first.id());
                } else {
                    assertThat(updates.errors()).as(where + ": no descriptor failed before " + first)
                            .noneMatch(ItemGroup.Failure::descriptor);
                    assertThat(valueIds).as(where + ": failed value " + first).contains(first.id());
                    assertThat(first.name()).as(where + " failed item's name").isEqualTo(group.getById(first.id()).name());
                }
                for (ItemGroup.Failure f : updates.errors()) {
                    assertThat(updates).as(where).doesNotContainKey(f.name());
                }
            } else {
                assertThat(updates.errors()).as(where + " errors").isEmpty();
                // spead2's update() returns its dict in item order (§2.9), but the json generator wrote every
                // updated_items list sorted by name: ours must be in item order, and equal the json once sorted
                List<String> expected = new ArrayList<>();
                heap.json().get("updated_items").forEach(n -> expected.add(n.textValue()));
                assertThat(expected).as(where + " json updated_items").isSorted();
                List<String> actual = new ArrayList<>(updates.keySet());
                assertThat(actual).as(where + " updated items in item order").containsExactlyElementsOf(
                        namesInItemOrder(group, heap));
                assertThat(actual.stream().sorted().toList()).as(where + " updated items")
                        .containsExactlyElementsOf(expected);
            }
            checkedHeaps++;
        }
        JsonNode expectedGroup = json.get("item_group");
        List<String> expectedNames = new ArrayList<>();
        expectedGroup.fieldNames().forEachRemaining(expectedNames::add);
        assertThat(new ArrayList<>(group.keys())).as(name + " item names")
                .containsExactlyInAnyOrderElementsOf(expectedNames);
        for (String itemName : expectedNames) {
            JsonNode expected = expectedGroup.get(itemName);
            Item item = group.get(itemName);
            String where = name + " item " + itemName;
            assertThat(item.id()).as(where + " id").isEqualTo(Conformance.longValue(expected.get("id")));
            assertThat(item.dtype() == null ? null : item.dtype().toString()).as(where + " dtype")
                    .isEqualTo(expected.get("dtype").isNull() ? null : expected.get("dtype").textValue());
            List<Long> shape = new ArrayList<>();
            for (long d : item.shape()) {
                shape.add(d);
            }
            assertThat(shape).as(where + " shape").isEqualTo(Conformance.longs(expected.get("shape")));
            assertThat(item.order().name()).as(where + " order").isEqualTo(expected.get("order").textValue());
            assertThat(ItemValues.of(item)).as(where + " value").isEqualTo(Conformance.plain(expected.get("value")));
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

    private static int countComplete(JsonNode json) {
        int n = 0;
        for (JsonNode h : json.get("heaps")) {
            if (h.get("complete").booleanValue()) {
                n++;
            }
        }
        return n;
    }
}
