package io.spead4j;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** spead2's Python Descriptor/Item rules (SPEAD2-BEHAVIOUR §4.5), byte for byte where vectors exist. */
class ItemTest {
    private static final HexFormat HEX = HexFormat.of();

    static RawItem addressed(long id, byte[] bytes) {
        return new RawItem(id, false, 0, ByteBuffer.wrap(bytes));
    }

    /** An immediate as the receiver sees it: the value right-aligned in A/8 bytes. */
    static RawItem immediate(long id, byte[] value, int heapAddressBits) {
        int n = heapAddressBits / 8;
        if (value.length > n) {
            throw new IllegalArgumentException("too long for an immediate");
        }
        byte[] field = new byte[n];
        System.arraycopy(value, 0, field, n - value.length, value.length);
        long v = 0;
        for (byte b : field) {
            v = (v << 8) | (b & 0xff);
        }
        return new RawItem(id, true, v, ByteBuffer.wrap(field));
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    static String hex(ByteBuffer buffer) {
        return HEX.formatHex(bytes(buffer));
    }

    // ------------------------------------------------------------------ construction and descriptors

    @Test
    void constructionFollowsSpead2Rules() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Item.ofFormat(1, "x", "", new long[] {-1, -1}, Format.of('u', 8)))
                .withMessageContaining("multiple unknown dimensions");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Item.ofDType(1, "x", "", new long[] {-1}, DType.UINT8))
                .withMessageContaining("unknown dimensions when using numpy descriptor");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Item(1, "x", "", new long[] {}, DType.UINT8, NdArray.Order.C, Format.of('u', 8)))
                .withMessageContaining("Only one of dtype and format");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Item(1, "x", "", new long[] {}, null, NdArray.Order.C, null))
                .withMessageContaining("One of dtype and format must be specified");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Item(1, "x", "", new long[] {2}, null, NdArray.Order.F, Format.of('u', 8)))
                .withMessageContaining("order must be 'C'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Item.ofDType(1, "x", "", new long[] {}, DType.OBJECT))
                .withMessageContaining("reference-counted objects");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Item.ofDType(1, "x", "", new long[] {-2}, DType.UINT8))
                .withMessageContaining("invalid dimension -2");
    }

    @Test
    void toDescriptorWritesShapeAlwaysAndHeaderOnlyForDtypes() {
        Item data = Item.ofDType(0x1001, "data", "int32 matrix", new long[] {4, 3}, DType.parse("<i4"));
        Descriptor d = data.toDescriptor();
        assertThat(d.shape()).containsExactly(4L, 3L);
        assertThat(d.format()).isEmpty();
        assertThat(d.numpyHeader()).isEqualTo("{'descr': '<i4', 'fortran_order': False, 'shape': (4, 3)}");
        Item label = Item.ofFormat(0x1002, "label", "text", new long[] {-1}, Format.of('c', 8));
        Descriptor l = label.toDescriptor();
        assertThat(l.shape()).containsExactly(-1L);
        assertThat(l.format()).containsExactly(new FormatEntry('c', 8));
        assertThat(l.numpyHeader()).isEmpty();
        Item fort = Item.ofDType(7, "fort", "", new long[] {2, 3}, DType.parse("<f8"), NdArray.Order.F);
        assertThat(fort.toDescriptor().numpyHeader())
                .isEqualTo("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)}");
    }

    @Test
    void fromDescriptorMatchesConformanceDescriptors() {
        Descriptor raw = new Descriptor(0x4003, "fort", "fortran order float64", List.of(), List.of(),
                "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)}");
        Item fort = Item.fromDescriptor(raw, 0);
        assertThat(fort.dtype()).isEqualTo(DType.parse("<f8"));
        assertThat(fort.shape()).containsExactly(2, 3);
        assertThat(fort.order()).isEqualTo(NdArray.Order.F);
        assertThat(fort.format()).isNull();
        Descriptor rows = new Descriptor(0x9703, "rows", "variable rows", List.of(-1L, 2L),
                List.of(new FormatEntry('u', 8)), "");
        Item r = Item.fromDescriptor(rows, BugCompat.SHAPE_BIT_1);
        assertThat(r.dtype()).isNull();
        assertThat(r.format()).isEqualTo(Format.of('u', 8));
        assertThat(r.shape()).containsExactly(-1, 2);
        assertThat(r.order()).isEqualTo(NdArray.Order.C);
        assertThat(Item.fromDescriptor(r.toDescriptor(), 0).sameDescriptor(r)).isTrue();
    }

    @Test
    void swapEndianFlipsTheHeaderBothWays() {
        Item be = Item.ofDType(5, "be", "", new long[] {3}, DType.parse(">u4"));
        Descriptor d = be.toDescriptor(BugCompat.SWAP_ENDIAN);
        assertThat(d.numpyHeader()).isEqualTo("{'descr': '<u4', 'fortran_order': False, 'shape': (3,)}");
        Item back = Item.fromDescriptor(d, BugCompat.PYSPEAD_0_5_2);
        assertThat(back.dtype().toString()).isEqualTo(">u4");
        assertThat(Item.fromDescriptor(d, 0).dtype().toString()).isEqualTo("<u4");
        back.setFromRaw(addressed(5, new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0}));
        assertThat(((NdArray) back.value()).toLongArray()).containsExactly(1, 2, 256);
    }

    @Test
    void badDescriptorsFailWithClearMessages() {
        assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(
                new Descriptor(1, "x", "", List.of(), List.of(), "{'descr': '<i4', 'fortran_order': False"), 0))
                .withMessageStartingWith("Cannot parse descriptor");
        assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(
                new Descriptor(1, "x", "", List.of(), List.of(new FormatEntry('q', 8)), ""), 0))
                .withMessageContaining("illegal format (q, 8)");
        assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(
                new Descriptor(1, "x", "", List.of(), List.of(new FormatEntry('u', 0)), ""), 0))
                .withMessageContaining("bug_compat mismatch?");
        assertThatIllegalArgumentException().isThrownBy(() -> Item.fromDescriptor(
                new Descriptor(1, "x", "", List.of(), List.of(), ""), 0))
                .withMessage("empty format");
    }

    // ------------------------------------------------------------------ allow_immediate

    @Test
    void allowImmediateRules() {
        assertThat(Item.ofDType(1, "a", "", new long[] {}, DType.parse("<u4")).allowImmediate()).isTrue();
        assertThat(Item.ofDType(1, "a", "", new long[] {100}, DType.parse(">u8")).allowImmediate()).isTrue();
        assertThat(Item.ofFormat(1, "a", "", new long[] {}, Format.of('u', 40)).allowImmediate()).isTrue();
        assertThat(Item.ofFormat(1, "a", "", new long[] {}, Format.of('u', 12)).allowImmediate()).isFalse();
        assertThat(Item.ofFormat(1, "a", "", new long[] {2}, Format.of('u', 12)).allowImmediate()).isFalse();
        assertThat(Item.ofFormat(1, "a", "", new long[] {-1}, Format.of('u', 8)).allowImmediate()).isFalse();
        assertThat(Item.ofFormat(1, "a", "", new long[] {-1}, Format.of('c', 8)).allowImmediate()).isFalse();
        assertThat(Item.ofFormat(1, "a", "", new long[] {0}, Format.of('u', 8)).allowImmediate()).isTrue();
        assertThat(Item.ofFormat(1, "a", "", new long[] {}, Format.parse("[('u', 4), ('u', 4)]")).allowImmediate())
                .isTrue();
    }

    // ------------------------------------------------------------------ receive decoding

    @Test
    void numpyAddressedUsesFirstBytesAndIgnoresExtra() {
        Item data = Item.ofDType(1, "data", "", new long[] {2, 2}, DType.parse("<i2"));
        data.setFromRaw(addressed(1, HEX.parseHex("0100feff0300040099")));
        NdArray a = (NdArray) data.value();
        assertThat(a.shape()).containsExactly(2, 2);
        assertThat(a.toLongArray()).containsExactly(1, -2, 3, 4);
        assertThat(a.getLong(1, 0)).isEqualTo(3);
    }

    @Test
    void numpyImmediateUsesLastBytes() {
        Item small = Item.ofDType(1, "small", "", new long[] {}, DType.parse(">u2"));
        small.setFromRaw(immediate(1, HEX.parseHex("abcb"), 24));
        assertThat(small.value()).isEqualTo(43979L); // flavour_24's 'small'
        Item flags = Item.ofDType(2, "flags", "", new long[] {4}, DType.BOOL);
        flags.setFromRaw(new RawItem(2, true, 0x0001000101L, ByteBuffer.wrap(HEX.parseHex("0001000101"))));
        assertThat(((NdArray) flags.value()).toBooleanArray()).containsExactly(true, false, true, true);
    }

    @Test
    void numpyVariableDimensionTakesWhatFits() {
        Item var = Item.ofFormat(1, "rows", "", new long[] {-1, 2}, Format.of('u', 8));
        var.setFromRaw(addressed(1, HEX.parseHex("01020304050607")));
        NdArray a = (NdArray) var.value();
        assertThat(a.shape()).containsExactly(3, 2);
        assertThat(a.toNested()).isEqualTo(List.of(List.of(1L, 2L), List.of(3L, 4L), List.of(5L, 6L)));
        Item zero = Item.ofFormat(2, "z", "", new long[] {0, -1}, Format.of('u', 8));
        zero.setFromRaw(addressed(2, new byte[] {1, 2, 3}));
        assertThat(((NdArray) zero.value()).shape()).containsExactly(0, 0);
    }

    @Test
    void numpyTooFewBytesFailsAndKeepsTheOldValue() {
        Item data = Item.ofDType(1, "data", "", new long[] {4}, DType.parse("<i4"));
        data.setValue(5L);
        long version = data.version();
        assertThatIllegalArgumentException().isThrownBy(() -> data.setFromRaw(addressed(1, new byte[15])))
                .withMessage("Item data has too few elements for shape (3 < 4)");
        assertThat(data.value()).isEqualTo(5L);
        assertThat(data.version()).isEqualTo(version);
    }

    @Test
    void zeroLengthFixedShapeImmediateFailsLikeSpead2() {
        Item z0 = Item.ofDType(0x9601, "z0", "", new long[] {0}, DType.UINT8);
        assertThatIllegalArgumentException().isThrownBy(() -> z0.setFromRaw(immediate(0x9601, new byte[0], 40)))
                .withMessage("cannot reshape array of size 5 into shape (0,)");
        z0.setFromRaw(addressed(0x9601, new byte[0]));
        assertThat(((NdArray) z0.value()).size()).isZero();
    }

    @Test
    void immediatePathUsesTheImmediateValueAndSignExtends() {
        Item ts = Item.ofFormat(1, "timestamp", "", new long[] {}, Format.of('u', 40));
        ts.setFromRaw(immediate(1, HEX.parseHex("000012d687"), 40));
        assertThat(ts.value()).isEqualTo(1234567L);
        Item neg = Item.ofFormat(2, "neg", "", new long[] {}, Format.of('i', 40));
        neg.setFromRaw(immediate(2, HEX.parseHex("fffffffffb"), 40));
        assertThat(neg.value()).isEqualTo(-5L);
        Item i48 = Item.ofFormat(3, "i48", "", new long[] {}, Format.of('i', 48));
        i48.setFromRaw(immediate(3, HEX.parseHex("800000000000"), 48));
        assertThat(i48.value()).isEqualTo(-(1L << 47));
        // the same u40 sent addressed goes through the bit-level path, with the same result
        ts.setFromRaw(addressed(1, HEX.parseHex("000012d687")));
        assertThat(ts.value()).isEqualTo(1234567L);
    }

    @Test
    void genericPathForOddWidths() {
        Item i24 = Item.ofFormat(0x5002, "i24", "", new long[] {}, Format.of('i', 24));
        i24.setFromRaw(immediate(0x5002, HEX.parseHex("fffffb"), 40)); // 5-byte immediate: not 24 bits
        assertThat(i24.value()).isEqualTo(-5L);
        Item u12 = Item.ofFormat(0x5000, "u12", "", new long[] {6}, Format.of('u', 12));
        u12.setFromRaw(addressed(0x5000, HEX.parseHex("001002fff000011800")));
        assertThat(u12.value()).isEqualTo(List.of(1L, 2L, 4095L, 0L, 17L, 2048L));
        Item var = Item.ofFormat(1, "v", "", new long[] {-1}, Format.of('u', 12));
        var.setFromRaw(addressed(1, HEX.parseHex("001002fff000011800ff")));
        assertThat(var.value()).isEqualTo(List.of(1L, 2L, 4095L, 0L, 17L, 2048L));
        Item bits = Item.ofFormat(1, "bits", "", new long[] {2, 4}, Format.of('b', 1));
        bits.setFromRaw(addressed(1, new byte[] {(byte) 0b10110001}));
        assertThat(bits.value()).isEqualTo(List.of(List.of(true, false, true, true), List.of(false, false, false, true)));
        Item rec = Item.ofFormat(1, "rec", "", new long[] {}, Format.parse("[('u', 4), ('i', 4), ('c', 8), ('f', 32)]"));
        rec.setFromRaw(addressed(1, HEX.parseHex("1f41" + "3fc00000")));
        assertThat(normalise(rec.value())).isEqualTo(normalise(List.of(1L, -1L, b("A"), 1.5)));
        Item hollow = Item.ofFormat(1, "hollow", "", new long[] {1L << 40, 0}, Format.of('u', 12));
        assertThatIllegalArgumentException().isThrownBy(() -> hollow.setFromRaw(addressed(1, new byte[1])))
                .withMessageContaining("empty lists");
        Item empty = Item.ofFormat(1, "empty", "", new long[] {3, 0}, Format.of('u', 12));
        empty.setFromRaw(addressed(1, new byte[0]));
        assertThat(empty.value()).isEqualTo(List.of(List.of(), List.of(), List.of()));
        Item tooFew = Item.ofFormat(1, "few", "", new long[] {7}, Format.of('u', 12));
        assertThatIllegalArgumentException().isThrownBy(() -> tooFew.setFromRaw(addressed(1, new byte[10])))
                .withMessage("Item few has too few elements for shape (6 < 7)");
    }

    @Test
    void recordFormatOfStandardWidthsUsesNumpy() {
        Item rec = Item.ofFormat(0x5001, "rec", "", new long[] {2}, Format.parse("[('i', 32), ('f', 64)]"));
        rec.setFromRaw(addressed(0x5001, HEX.parseHex("000000014004000000000000fffffff94202a05f20000000")));
        NdArray a = (NdArray) rec.value();
        assertThat(a.toNested()).isEqualTo(List.of(List.of(1L, 2.5), List.of(-7L, 1e10)));
    }

    @Test
    void oneDimensionalCharactersBecomeAStringWithoutNuls() {
        Item label = Item.ofFormat(1, "label", "", new long[] {-1}, Format.of('c', 8));
        label.setFromRaw(addressed(1, "hel\0lo spead\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertThat(label.value()).isEqualTo("hello spead");
    }

    @Test
    void nonAsciiCharactersFail() {
        Item label = Item.ofFormat(1, "label", "", new long[] {-1}, Format.of('c', 8));
        assertThatIllegalArgumentException().isThrownBy(() -> label.setFromRaw(addressed(1, new byte[] {'a', (byte) 0xe9})))
                .withMessageContaining("'ascii' codec can't decode byte 0xe9 in position 1");
    }

    @Test
    void fortranOrderIsReadLogically() {
        Item fort = Item.ofDType(1, "fort", "", new long[] {2, 3}, DType.parse("<f8"), NdArray.Order.F);
        fort.setFromRaw(addressed(1, HEX.parseHex(
                "0000000000000000000000000000f03f555555555555d53f555555555555f53f555555555555e53fabaaaaaaaaaafa3f")));
        NdArray a = (NdArray) fort.value();
        assertThat(a.order()).isEqualTo(NdArray.Order.F);
        assertThat(a.getDouble(0, 1)).isEqualTo(1.0 / 3);
        assertThat(a.getDouble(1, 0)).isEqualTo(1.0);
        assertThat(a.toDoubleArray()).containsExactly(0.0, 1.0 / 3, 2.0 / 3, 1.0, 4.0 / 3, 5.0 / 3);
    }

    @Test
    void versionCountsEverySet() {
        Item x = Item.ofDType(1, "x", "", new long[] {}, DType.UINT8);
        assertThat(x.version()).isEqualTo(1);
        x.setValue(3L);
        x.setFromRaw(addressed(1, new byte[] {4}));
        assertThat(x.version()).isEqualTo(3);
        assertThatIllegalArgumentException().isThrownBy(() -> x.setValue(null)).withMessageContaining("None");
    }

    // ------------------------------------------------------------------ send encoding

    @Test
    void encodesLikeTheConformanceSender() {
        Item ts = Item.ofFormat(0x1000, "timestamp", "", new long[] {}, Format.of('u', 40));
        ts.setValue(1234567L);
        assertThat(hex(ts.toBuffer())).isEqualTo("000012d687");
        Item i24 = Item.ofFormat(0x5002, "i24", "", new long[] {}, Format.of('i', 24));
        i24.setValue(-5L);
        assertThat(hex(i24.toBuffer())).isEqualTo("fffffb");
        Item u12 = Item.ofFormat(0x5000, "u12", "", new long[] {6}, Format.of('u', 12));
        u12.setValue(new long[] {1, 2, 4095, 0, 17, 2048});
        assertThat(hex(u12.toBuffer())).isEqualTo("001002fff000011800");
        Item rec = Item.ofFormat(0x5001, "rec", "", new long[] {2}, Format.parse("[('i', 32), ('f', 64)]"));
        rec.setValue(List.of(List.of(1, 2.5), List.of(-7, 1e10)));
        assertThat(hex(rec.toBuffer())).isEqualTo("000000014004000000000000fffffff94202a05f20000000");
        Item label = Item.ofFormat(0x1002, "label", "", new long[] {-1}, Format.of('c', 8));
        label.setValue("hello spead");
        assertThat(hex(label.toBuffer())).isEqualTo("68656c6c6f207370656164");
        Item be16 = Item.ofDType(0x4000, "be16", "", new long[] {5}, DType.parse(">i2"));
        be16.setValue(new int[] {-2, -1, 0, 1, 2});
        assertThat(hex(be16.toBuffer())).isEqualTo("fffeffff000000010002");
        Item fort = Item.ofDType(0x4003, "fort", "", new long[] {2, 3}, DType.parse("<f8"), NdArray.Order.F);
        fort.setValue(List.of(List.of(0.0, 1.0 / 3, 2.0 / 3), List.of(1.0, 4.0 / 3, 5.0 / 3)));
        assertThat(hex(fort.toBuffer())).isEqualTo(
                "0000000000000000000000000000f03f555555555555d53f555555555555f53f555555555555e53fabaaaaaaaaaafa3f");
        Item cplx = Item.ofDType(0x4001, "cplx", "", new long[] {3}, DType.parse("<c8"));
        cplx.setValue(List.of(new Complex(1, 2), new Complex(-0.0, -3.5), new Complex(4, 0)));
        assertThat(hex(cplx.toBuffer())).isEqualTo("0000803f0000004000000080000060c00000804000000000");
    }

    @Test
    void bitPackingPadsTheLastByteWithZeros() {
        Item u12 = Item.ofFormat(1, "u12", "", new long[] {-1}, Format.of('u', 12));
        u12.setValue(List.of(0xabcL));
        assertThat(hex(u12.toBuffer())).isEqualTo("abc0");
        Item b = Item.ofFormat(1, "b", "", new long[] {3}, Format.of('b', 1));
        b.setValue(new boolean[] {true, false, true});
        assertThat(hex(b.toBuffer())).isEqualTo("a0");
    }

    @Test
    void encodeRejectsBadValues() {
        Item u12 = Item.ofFormat(1, "u12", "", new long[] {2}, Format.of('u', 12));
        u12.setValue(new long[] {1, 4096});
        assertThatIllegalArgumentException().isThrownBy(u12::toBuffer).withMessageContaining("4096 is out of range for u12");
        u12.setValue(new long[] {1, 2, 3});
        assertThatIllegalArgumentException().isThrownBy(u12::toBuffer).withMessageContaining("Value has shape (3,), expected (2,)");
        Item i24 = Item.ofFormat(1, "i24", "", new long[] {-1}, Format.of('i', 24));
        i24.setValue(List.of(1L << 23));
        assertThatIllegalArgumentException().isThrownBy(i24::toBuffer).withMessageContaining("out of range for i24");
        Item u8 = Item.ofDType(1, "u8", "", new long[] {2}, DType.UINT8);
        u8.setValue(new int[] {1, 256});
        assertThatIllegalArgumentException().isThrownBy(u8::toBuffer).withMessageContaining("256 is out of range for |u1");
        Item text = Item.ofFormat(1, "text", "", new long[] {-1}, Format.of('c', 8));
        text.setValue("caf\u00e9");
        assertThatIllegalArgumentException().isThrownBy(text::toBuffer).withMessageContaining("only ASCII");
        Item none = Item.ofDType(1, "none", "", new long[] {}, DType.UINT8);
        assertThatIllegalArgumentException().isThrownBy(none::toBuffer).withMessageContaining("Cannot send a value of None");
        Item ts = Item.ofFormat(1, "ts", "", new long[] {}, Format.of('u', 40));
        ts.setValue(1.5);
        assertThatIllegalArgumentException().isThrownBy(ts::toBuffer).withMessageContaining("integer scalar");
    }

    @Test
    void ndArrayOfTheItemsDtypeIsSentWithoutCopy() {
        byte[] backing = HEX.parseHex("0100000002000000");
        NdArray a = NdArray.wrap(DType.parse("<i4"), new long[] {2}, NdArray.Order.C, backing);
        Item item = Item.ofDType(1, "x", "", new long[] {2}, DType.parse("<i4"));
        item.setValue(a);
        ByteBuffer out = item.toBuffer();
        assertThat(out.isReadOnly()).isTrue();
        backing[0] = 9;
        assertThat(out.get(0)).isEqualTo((byte) 9);
        Item be = Item.ofDType(1, "x", "", new long[] {2}, DType.parse(">i4"));
        be.setValue(a);
        assertThat(hex(be.toBuffer())).isEqualTo("0000000900000002");
    }

    // ------------------------------------------------------------------ round trips

    /** Encodes, decodes as addressed and (where allowed and small) as immediate, and compares with the value. */
    private static void roundTrip(Item sender, Object value, Object expectedDecoded) {
        sender.setValue(value);
        byte[] wire = bytes(sender.toBuffer());
        Item receiver = Item.fromDescriptor(sender.toDescriptor(), 0);
        receiver.setFromRaw(addressed(sender.id(), wire));
        assertThat(normalise(receiver.value())).as(sender + " addressed").isEqualTo(normalise(expectedDecoded));
        if (sender.allowImmediate() && wire.length <= 5) {
            Item imm = Item.fromDescriptor(sender.toDescriptor(), 0);
            imm.setFromRaw(immediate(sender.id(), wire, 40));
            assertThat(normalise(imm.value())).as(sender + " immediate").isEqualTo(normalise(expectedDecoded));
        }
    }

    /** Arrays as nested lists, {@code byte[]} as a list of its bytes, so that values compare with equals. */
    private static Object normalise(Object v) {
        if (v instanceof NdArray a) {
            return normalise(a.toNested());
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ItemTest::normalise).toList();
        }
        if (v instanceof byte[] b) {
            List<Byte> bytes = new java.util.ArrayList<>();
            for (byte x : b) {
                bytes.add(x);
            }
            return bytes;
        }
        return v;
    }

    private static byte[] b(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void everyDtypeKindRoundTrips() {
        roundTrip(Item.ofDType(1, "b", "", new long[] {3}, DType.BOOL), new boolean[] {true, false, true},
                List.of(true, false, true));
        roundTrip(Item.ofDType(1, "i1", "", new long[] {}, DType.INT8), -7L, -7L);
        roundTrip(Item.ofDType(1, "u1", "", new long[] {2}, DType.UINT8), new int[] {0, 255}, List.of(0L, 255L));
        for (String t : new String[] {"<i2", ">i2", "<i4", ">i4", "<i8", ">i8"}) {
            roundTrip(Item.ofDType(1, "i", "", new long[] {2}, DType.parse(t)), new long[] {-3, 5}, List.of(-3L, 5L));
        }
        for (String t : new String[] {"<u2", ">u2", "<u4", ">u4", "<u8", ">u8"}) {
            roundTrip(Item.ofDType(1, "u", "", new long[] {}, DType.parse(t)), 65535L, 65535L);
        }
        for (String t : new String[] {"<f2", ">f2", "<f4", ">f4", "<f8", ">f8"}) {
            roundTrip(Item.ofDType(1, "f", "", new long[] {2}, DType.parse(t)), new double[] {1.5, -0.25},
                    List.of(1.5, -0.25));
        }
        for (String t : new String[] {"<c8", ">c8", "<c16", ">c16"}) {
            roundTrip(Item.ofDType(1, "c", "", new long[] {1}, DType.parse(t)), List.of(new Complex(1, -2)),
                    List.of(new Complex(1, -2)));
        }
        roundTrip(Item.ofDType(1, "s", "", new long[] {3}, DType.BYTES1), "ab\0", List.of(b("a"), b("b"), b("")));
        roundTrip(Item.ofDType(1, "r", "", new long[] {2}, DType.parse(">i4,<f8")),
                List.of(List.of(1, 2.5), List.of(-1, 0.5)), List.of(List.of(1L, 2.5), List.of(-1L, 0.5)));
        roundTrip(Item.ofDType(1, "F", "", new long[] {2, 2}, DType.parse("<u2"), NdArray.Order.F),
                List.of(List.of(1, 2), List.of(3, 4)), List.of(List.of(1L, 2L), List.of(3L, 4L)));
    }

    @Test
    void everyFormatKindRoundTrips() {
        roundTrip(Item.ofFormat(1, "u40", "", new long[] {}, Format.of('u', 40)), 1L << 39, 1L << 39);
        roundTrip(Item.ofFormat(1, "i40", "", new long[] {}, Format.of('i', 40)), -12345L, -12345L);
        roundTrip(Item.ofFormat(1, "u16", "", new long[] {}, Format.of('u', 16)), 513L, 513L);
        roundTrip(Item.ofFormat(1, "i32", "", new long[] {2}, Format.of('i', 32)), new long[] {-1, 1}, List.of(-1L, 1L));
        roundTrip(Item.ofFormat(1, "f32", "", new long[] {}, Format.of('f', 32)), 0.75, 0.75);
        roundTrip(Item.ofFormat(1, "f64", "", new long[] {1}, Format.of('f', 64)), new double[] {1e300}, List.of(1e300));
        roundTrip(Item.ofFormat(1, "b8", "", new long[] {2}, Format.of('b', 8)), new boolean[] {false, true},
                List.of(false, true));
        roundTrip(Item.ofFormat(1, "c8", "", new long[] {-1}, Format.of('c', 8)), "spead", "spead");
        roundTrip(Item.ofFormat(1, "c8x", "", new long[] {5}, Format.of('c', 8)), "abcde", "abcde");
        roundTrip(Item.ofFormat(1, "u12", "", new long[] {-1}, Format.of('u', 12)), List.of(1L, 4095L, 7L),
                List.of(1L, 4095L, 7L));
        roundTrip(Item.ofFormat(1, "i24", "", new long[] {}, Format.of('i', 24)), -5L, -5L);
        roundTrip(Item.ofFormat(1, "i12", "", new long[] {2, 2}, Format.of('i', 12)),
                List.of(List.of(-2048L, 2047L), List.of(0L, -1L)), List.of(List.of(-2048L, 2047L), List.of(0L, -1L)));
        roundTrip(Item.ofFormat(1, "b1", "", new long[] {3}, Format.of('b', 1)), List.of(true, false, true),
                List.of(true, false, true));
        roundTrip(Item.ofFormat(1, "rec", "", new long[] {2}, Format.parse("[('u', 4), ('i', 12), ('c', 8), ('f', 64)]")),
                List.of(List.of(15L, -3L, "x", 2.5), List.of(0L, 2047L, "y", -1.0)),
                List.of(List.of(15L, -3L, b("x"), 2.5), List.of(0L, 2047L, b("y"), -1.0)));
        roundTrip(Item.ofFormat(1, "rec0", "", new long[] {}, Format.parse("[('u', 3), ('b', 1), ('u', 4)]")),
                List.of(5L, true, 9L), List.of(5L, true, 9L));
    }

    @Test
    void rawValueIsReadFromItsPosition() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {9, 9, 1, 2});
        b.position(2);
        Item x = Item.ofDType(1, "x", "", new long[] {2}, DType.UINT8);
        x.setFromRaw(new RawItem(1, false, 0, b));
        assertThat(((NdArray) x.value()).toLongArray()).containsExactly(1, 2);
        Item u12 = Item.ofFormat(2, "u12", "", new long[] {}, Format.of('u', 12));
        u12.setFromRaw(new RawItem(2, false, 0, ByteBuffer.wrap(new byte[] {9, (byte) 0xab, (byte) 0xc0}).position(1)));
        assertThat(u12.value()).isEqualTo(0xabcL);
    }

    @Test
    void copiesAreIndependentOfTheReceivedBytes() {
        byte[] raw = {1, 2};
        Item x = Item.ofDType(1, "x", "", new long[] {2}, DType.UINT8);
        x.setFromRaw(addressed(1, raw), true); // zero-copy: a view
        NdArray view = (NdArray) x.value();
        NdArray copy = view.copy();
        Item y = Item.ofDType(1, "y", "", new long[] {2}, DType.UINT8);
        y.setFromRaw(addressed(1, raw)); // the default: a copy
        NdArray decodedCopy = (NdArray) y.value();
        raw[0] = 42;
        assertThat(view.getLong(0)).isEqualTo(42);
        assertThat(copy.getLong(0)).isEqualTo(1);
        assertThat(decodedCopy.getLong(0)).isEqualTo(1);
        assertThat(Arrays.equals(copy.toBytes(), new byte[] {1, 2})).isTrue();
    }
}
