package io.spead4j.send;

import io.spead4j.BugCompat;
import io.spead4j.Descriptor;
import io.spead4j.Flavour;
import io.spead4j.FormatEntry;
import io.spead4j.testing.Conformance;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Heap construction rules and the descriptor encoding of SPEAD2-BEHAVIOUR §4.1 and §5.1. */
class HeapTest {
    @Test
    void itemIdsAreValidatedAgainstTheFlavour() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addItem(0, 1));
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addItem(-1, new byte[1], true));
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addItem(1L << 23, 1));
        new Heap().addItem((1L << 23) - 1, 1);
        Heap h56 = new Heap(Flavour.of(56));
        h56.addItem(127, 1);
        assertThatIllegalArgumentException().isThrownBy(() -> h56.addItem(128, 1)).withMessageContaining("127");
    }

    @Test
    void integerItemsMustFitTheAddressWidth() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addItem(0x1000, 1L << 40));
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addItem(0x1000, -1));
        new Heap(Flavour.of(48)).addItem(0x1000, 1L << 40);
    }

    @Test
    void descriptorOfBasicItemsTimestampMatchesSpead2() {
        Descriptor d = new Descriptor(0x1000, "timestamp", "sync time", List.of(),
                List.of(new FormatEntry('u', 40)), "");
        byte[] encoded = DescriptorEncoder.encode(d, Flavour.DEFAULT);
        String payload = HexFormat.of().formatHex("timestampsync time".getBytes()) + "75000028";
        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo("5304030500000009"
                + "8000010000000001" + "8000020000000016" + "8000030000000000" + "8000040000000016"
                + "8000140000001000" + "0000100000000000" + "0000110000000009" + "0000130000000012"
                + "0000120000000016" + payload);
        // and it is byte for byte the one inside basic_items.spead
        String wire = HexFormat.of().formatHex(Conformance.bytes("basic_items", "spead"));
        assertThat(wire).contains(HexFormat.of().formatHex(encoded));
    }

    @Test
    void numpyDescriptorHasTenPointersAndKeepsItsShape() {
        String header = "{'descr': '<i4', 'fortran_order': False, 'shape': (4, 3)}";
        Descriptor d = new Descriptor(0x1001, "data", "m", List.of(4L, 3L), List.of(), header);
        byte[] encoded = DescriptorEncoder.encode(d, Flavour.DEFAULT);
        assertThat(encoded[7]).isEqualTo((byte) 10);
        int payload = 8 + 10 * 8;
        assertThat(encoded).hasSize(payload + 4 + 1 + 12 + header.length());
        // shape entries: flag 0 + 5-byte size, after name and description (no format entries)
        assertThat(HexFormat.of().formatHex(encoded, payload + 5, payload + 17)).isEqualTo("000000000004000000000003");
    }

    @Test
    void variableDimensionFlagFollowsShapeBit1AndWidthsFollowDescriptorWidths() {
        Descriptor d = new Descriptor(0x1000, "", "", List.of(-1L), List.of(new FormatEntry('c', 8)), "");
        byte[] plain = DescriptorEncoder.encode(d, Flavour.DEFAULT);
        assertThat(HexFormat.of().formatHex(plain, 80, plain.length)).isEqualTo("63000008" + "010000000000");
        byte[] bit1 = DescriptorEncoder.encode(d, new Flavour(40, BugCompat.SHAPE_BIT_1));
        assertThat(HexFormat.of().formatHex(bit1, 80, bit1.length)).isEqualTo("63000008" + "020000000000");
        byte[] widths = DescriptorEncoder.encode(d, new Flavour(48, BugCompat.DESCRIPTOR_WIDTHS));
        assertThat(HexFormat.of().formatHex(widths, 80, widths.length)).isEqualTo("63000008" + "0100000000000000");
        byte[] f48 = DescriptorEncoder.encode(d, Flavour.of(48));
        assertThat(HexFormat.of().formatHex(f48, 80, f48.length)).isEqualTo("630008" + "01000000000000");
        assertThat(DescriptorEncoder.formatEntrySize(Flavour.of(48))).isEqualTo(3);
        assertThat(DescriptorEncoder.shapeEntrySize(Flavour.of(48))).isEqualTo(7);
    }

    @Test
    void descriptorIdMustFitTheFlavour() {
        Descriptor zero = new Descriptor(0, "a", "", List.of(), List.of(), "");
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap().addDescriptor(zero));
        Descriptor big = new Descriptor(128, "a", "", List.of(), List.of(), "");
        assertThatIllegalArgumentException().isThrownBy(() -> new Heap(Flavour.of(56)).addDescriptor(big));
        assertThat(new Heap().addDescriptor(big).numItems()).isEqualTo(1);
    }
}
