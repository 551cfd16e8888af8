package io.spead4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Decode rules of spead2's Python layer that the hand-built conformance cases ({@code p_*}) exercise, each
 * checked for its reason: the ten malformed numpy headers of spead2's {@code test_numpy_malformed}, descriptor
 * texts that are not ASCII ({@code test_nonascii_name}), and which character values are bytes rather than text
 * ({@code test_fallback_types}).
 */
class Spead2DecodeRulesTest {
    record TestHeap(long cnt, Flavour flavour, List<RawItem> items, List<Descriptor> descriptors)
            implements DecodedHeap {
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                Arguments.of("{'descr': 'S1'", "Cannot parse descriptor"),
                Arguments.of("123", "Descriptor is not a dictionary: 123"),
                Arguments.of("import os", "Cannot parse descriptor: 'import os'"),
                Arguments.of("{'descr': 'S1'}", "Descriptor does not contain the correct keys: ['descr']"),
                Arguments.of("{'descr': 'S1', 'fortran_order': False, 'shape': (), 'foo': 'bar'}",
                        "Descriptor does not contain the correct keys"),
                Arguments.of("{'descr': 'S1', 'fortran_order': False, 'shape': (-1,)}", "shape is not valid: (-1,)"),
                Arguments.of("{'descr': 1, 'fortran_order': False, 'shape': ()}",
                        "descr is not a valid dtype descriptor: 1"),
                Arguments.of("{'descr': '+-', 'fortran_order': False, 'shape': ()}",
                        "descr is not a valid dtype descriptor: '+-'"),
                Arguments.of("{'descr': 'S1', 'fortran_order': 0, 'shape': ()}", "fortran_order is not a valid bool: 0"),
                Arguments.of("{'descr': 'S1', 'fortran_order': False, 'shape': (None,)}",
                        "shape is not valid: (None,)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedNumpyHeaderFailsForItsReason(String header, String reason) {
        Descriptor d = new Descriptor(0x1000, "name", "", List.of(), List.of(), header);
        assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(d, 0)).withMessageContaining(reason);
        ItemGroup group = new ItemGroup();
        ItemGroup.Updates updates = group.update(new TestHeap(1, Flavour.DEFAULT, List.of(), List.of(d)));
        assertThat(updates.errors()).singleElement().satisfies(f -> {
            assertThat(f.descriptor()).isTrue();
            assertThat(f.id()).isEqualTo(0x1000);
            assertThat(f.message()).contains(reason);
        });
        assertThat(group.size()).isZero();
    }

    @Test
    void theSameHeaderWellFormedIsAccepted() {
        Item item = Item.fromDescriptor(new Descriptor(0x1000, "name", "", List.of(), List.of(),
                "{'descr': 'S1', 'fortran_order': False, 'shape': ()}"), 0);
        assertThat(item.dtype()).isEqualTo(DType.BYTES1);
    }

    /** A descriptor's texts carry their bytes one char per byte; spead2 decodes them as ASCII. */
    @Test
    void descriptorTextsThatAreNotAsciiFailTheDescriptor() {
        String ef = new String(new byte[] {(byte) 0xef}, StandardCharsets.ISO_8859_1);
        List<Descriptor> bad = List.of(
                new Descriptor(0x1000, ef, "", List.of(-1L), List.of(new FormatEntry('c', 8)), ""),
                new Descriptor(0x1001, "ok", "caf" + ef, List.of(-1L), List.of(new FormatEntry('c', 8)), ""),
                new Descriptor(0x1002, "ok2", "", List.of(), List.of(),
                        "{'descr': '<u1', 'fortran_order': False, 'shape': (), 'x" + ef + "': 1}"));
        for (Descriptor d : bad) {
            assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(d, 0))
                    .withMessageContaining("can't decode byte 0xef");
        }
        ItemGroup group = new ItemGroup();
        ItemGroup.Updates updates = group.update(new TestHeap(1, Flavour.DEFAULT, List.of(), bad));
        assertThat(updates.errors()).extracting(ItemGroup.Failure::id).containsExactly(0x1000L, 0x1001L, 0x1002L);
        assertThat(updates.errors()).allMatch(ItemGroup.Failure::descriptor);
        assertThat(group.size()).isZero();
    }

    private static RawItem raw(long id, byte... bytes) {
        return new RawItem(id, false, 0, ByteBuffer.wrap(bytes));
    }

    /** spead2 gives text only for a one-dimensional {@code [('c', 8)]} item; every other character is bytes. */
    @Test
    void characterValuesAreBytesExceptAOneDimensionalCharacterItem() {
        Item text = Item.ofFormat(1, "text", "", new long[] {-1}, Format.of('c', 8));
        text.setFromRaw(raw(1, (byte) 'h', (byte) 'i'));
        assertThat(text.value()).isEqualTo("hi");
        Item notAscii = Item.ofFormat(1, "text", "", new long[] {-1}, Format.of('c', 8));
        assertThatIllegalArgumentException().isThrownBy(() -> notAscii.setFromRaw(raw(1, (byte) 0xef)))
                .withMessageContaining("can't decode byte 0xef");

        Item scalar = Item.ofFormat(1, "scalar", "", new long[] {}, Format.of('c', 8));
        scalar.setFromRaw(raw(1, (byte) 'y'));
        assertThat(scalar.value()).isEqualTo(new byte[] {'y'});

        Item grid = Item.ofFormat(1, "grid", "", new long[] {1, 2}, Format.of('c', 8));
        grid.setFromRaw(raw(1, (byte) 'a', (byte) 0));
        NdArray cells = (NdArray) grid.value();
        assertThat(cells.get(0, 0)).isEqualTo(new byte[] {'a'});
        assertThat(cells.get(0, 1)).isEqualTo(new byte[0]); // numpy drops an S element's trailing NULs

        // a record on the numpy path (byte-aligned fields) and on the bit-level path
        Item aligned = Item.ofFormat(1, "aligned", "", new long[] {}, Format.parse("[('u', 8), ('c', 8)]"));
        aligned.setFromRaw(raw(1, (byte) 7, (byte) 'n'));
        List<?> fields = (List<?>) aligned.value();
        assertThat(fields.get(0)).isEqualTo(7L);
        assertThat(fields.get(1)).isEqualTo(new byte[] {'n'});

        Item packed = Item.ofFormat(1, "packed", "", new long[] {}, Format.parse("[('b', 1), ('i', 7), ('c', 8)]"));
        packed.setFromRaw(raw(1, (byte) 0x91, (byte) 'y'));
        List<?> packedFields = (List<?>) packed.value();
        assertThat(packedFields.get(0)).isEqualTo(true);
        assertThat(packedFields.get(1)).isEqualTo(17L);
        assertThat(packedFields.get(2)).isEqualTo(new byte[] {'y'});

        Item bytes = Item.ofDType(1, "bytes", "", new long[] {2}, DType.parse("|S2"));
        bytes.setFromRaw(raw(1, (byte) 'a', (byte) 'b', (byte) 'c', (byte) 0));
        NdArray strings = (NdArray) bytes.value();
        assertThat(strings.getFlat(0)).isEqualTo(new byte[] {'a', 'b'});
        assertThat(strings.getFlat(1)).isEqualTo(new byte[] {'c'});
        assertThat(strings).isEqualTo(NdArray.fromElements(DType.parse("|S2"), new long[] {2}, NdArray.Order.C,
                List.of(new byte[] {'a', 'b'}, new byte[] {'c'})));
    }
}
