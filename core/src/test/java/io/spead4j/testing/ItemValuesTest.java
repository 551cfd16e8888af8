package io.spead4j.testing;

import io.spead4j.DType;
import io.spead4j.Format;
import io.spead4j.Item;
import io.spead4j.NdArray;
import io.spead4j.RawItem;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The json side and the item side of the conformance value comparison agree at the edges of the ranges. */
class ItemValuesTest {
    private static Item decoded(Item item, byte[] bytes) {
        item.setFromRaw(new RawItem(item.id(), false, 0, ByteBuffer.wrap(bytes)));
        return item;
    }

    @Test
    void unsigned64BitValuesBeyondLongMaxCompareWithTheJsonNumber() {
        Object expected = Conformance.plain(Conformance.parse("[18446744073709551615, 9223372036854775808, 1]"));
        assertThat(expected).isEqualTo(java.util.List.of(new BigInteger("18446744073709551615"),
                new BigInteger("9223372036854775808"), BigInteger.ONE));
        byte[] bytes = new byte[24];
        Arrays.fill(bytes, 0, 8, (byte) 0xff);
        bytes[15] = (byte) 0x80; // little-endian 2^63
        bytes[16] = 1;
        Item u8 = decoded(Item.ofDType(0x1000, "u8", "", new long[] {3}, DType.parse("<u8"), NdArray.Order.C), bytes);
        assertThat(ItemValues.of(u8)).isEqualTo(expected);
        Item i8 = decoded(Item.ofDType(0x1000, "i8", "", new long[] {3}, DType.parse("<i8"), NdArray.Order.C), bytes);
        assertThat(ItemValues.of(i8)).isEqualTo(Conformance.plain(
                Conformance.parse("[-1, -9223372036854775808, 1]")));
        byte[] big = new byte[8];
        Arrays.fill(big, (byte) 0xff);
        Item packed = decoded(Item.ofFormat(0x1000, "u64", "", new long[] {}, Format.of('u', 64)), big);
        assertThat(ItemValues.of(packed)).isEqualTo(new BigInteger("18446744073709551615"));
    }
}
