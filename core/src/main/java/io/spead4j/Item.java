package io.spead4j;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A SPEAD item: its descriptor (id, name, description, shape, and either a numpy {@link DType} with a storage
 * order or a legacy {@link Format}), a value and a version counter, as spead2's Python {@code Item}.
 *
 * <p>Shape: dimensions at least 0, or {@code -1} for at most one variable dimension (format items only).
 *
 * <p>Values, as produced by {@link #setFromRaw} and accepted by {@link #setValue} / {@link #toBuffer}:
 * <ul>
 * <li>numpy-typed data (dtype items, and format items whose fields are all byte-aligned standard types):
 *     an {@link NdArray} holding a copy of the received bytes (byte order as on the wire), or viewing them
 *     with the zero-copy opt-in ({@link #setFromRaw(RawItem, boolean)}); a shape of {@code ()} gives the
 *     scalar element instead: {@code Long} (a {@link BigInteger} for a {@code u8} value of 2^63 or more),
 *     {@code Double}, {@code Boolean}, {@link Complex}, {@code byte[]} ({@code S}) or {@code List<Object>}
 *     (record);</li>
 * <li>a one-dimensional {@code [('c', 8)]} item: a {@code String} (NUL bytes dropped; bytes that are not
 *     ASCII fail the decode);</li>
 * <li>odd-width format items (bit-level path): a {@code Long} / {@code Boolean} / ... for shape {@code ()}, else
 *     nested {@code List<Object>} (records are {@code List<Object>} of their fields; a {@code ('u', 64)} field
 *     of 2^63 or more is a {@link BigInteger}).</li>
 * </ul>
 * Unsigned values are never negative. For sending, a {@code u8} element or a {@code ('u', 64)} field also
 * accepts a {@link BigInteger} from 0 to 2^64 - 1 (and, as the bit pattern, a negative {@code long} for
 * a {@code u8} dtype element, which {@link NdArray#getLong} returns for such values).
 * Bytes versus text, as in spead2, where only that one-dimensional {@code [('c', 8)]} item is joined and decoded
 * to a Python {@code str}: every other character value is bytes, here a {@code byte[]}: an element of an
 * {@code S} dtype (numpy {@code bytes}, trailing NULs dropped), a {@code ('c', 8)} field of a record on either
 * path, and the elements of a {@code [('c', 8)]} item of any other shape.
 * For sending, arrays may also be given as nested {@code List}s, Java primitive arrays ({@code long[]},
 * {@code int[]}, {@code double[]}, ...) or {@code Object[]}, scalars as boxed numbers, and 1-D character items
 * as a {@code String} or {@code byte[]}. Not thread-safe.
 */
public final class Item {
    private enum Path { NUMPY, IMMEDIATE, GENERIC }

    /** Guard against descriptors like {@code (2**40, 0)} that hold nothing but would nest huge empty lists. */
    private static final long MAX_EMPTY_LISTS = 1 << 20;

    private final long id;
    private final String name;
    private final String description;
    private final long[] shape;
    private final DType dtype;
    private final Format format;
    private final NdArray.Order order;
    private final DType internal;
    private final Path path;
    private Object value;
    private long version = 1;

    /**
     * Creates an item with no value, version 1. Exactly one of {@code dtype} and {@code format} must be given.
     *
     * @param id the item id (at least 0)
     * @param name the name
     * @param description the description
     * @param shape dimensions; {@code -1} marks a variable dimension (at most one, format items only)
     * @param dtype the numpy type, or null for a format item
     * @param order storage order; must be C for a format item
     * @param format the legacy format, or null for a dtype item
     * @throws IllegalArgumentException when a rule of spead2's {@code Descriptor} is broken
     */
    public Item(long id, String name, String description, long[] shape, DType dtype, NdArray.Order order,
                Format format) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        Objects.requireNonNull(order, "order");
        if (id < 0) {
            throw new IllegalArgumentException("item id must be non-negative, got " + id);
        }
        long[] dims = shape.clone();
        int unknowns = 0;
        for (long d : dims) {
            if (d == -1) {
                unknowns++;
            } else if (d < 0) {
                throw new IllegalArgumentException("invalid dimension " + d + " in shape of item " + name
                        + " (use -1 for a variable dimension)");
            }
        }
        if (unknowns > 1) {
            throw new IllegalArgumentException("Cannot have multiple unknown dimensions (item " + name + ")");
        }
        if (dtype != null) {
            if (dtype.hasObject()) {
                throw new IllegalArgumentException("Cannot use dtype that has reference-counted objects (item "
                        + name + ", dtype " + dtype + ")");
            }
            if (format != null) {
                throw new IllegalArgumentException("Only one of dtype and format can be specified (item " + name + ")");
            }
            if (dtype.itemsize() == 0) {
                throw new IllegalArgumentException("Cannot use zero-sized dtype (item " + name + ")");
            }
            if (unknowns > 0) {
                throw new IllegalArgumentException(
                        "Cannot have unknown dimensions when using numpy descriptor (item " + name + ")");
            }
            this.internal = dtype;
        } else {
            if (format == null) {
                throw new IllegalArgumentException("One of dtype and format must be specified (item " + name + ")");
            }
            if (order != NdArray.Order.C) {
                throw new IllegalArgumentException("When specifying format, order must be 'C' (item " + name + ")");
            }
            this.internal = format.dtype();
        }
        this.id = id;
        this.shape = dims;
        this.dtype = dtype;
        this.format = format;
        this.order = order;
        if (!internal.hasObject()) {
            path = Path.NUMPY;
        } else if (dims.length == 0 && dtype == null && format.entries().size() == 1
                && (format.entries().get(0).code() == 'u' || format.entries().get(0).code() == 'i')
                && format.entries().get(0).bits() < 64) {
            path = Path.IMMEDIATE;
        } else {
            path = Path.GENERIC;
        }
    }

    /**
     * Creates a numpy-typed item in C order, as the constructor with no format.
     *
     * @param id the item id (at least 0)
     * @param name the name
     * @param description the description
     * @param shape dimensions (no variable dimension)
     * @param dtype the numpy type
     * @return the item, with no value
     */
    public static Item ofDType(long id, String name, String description, long[] shape, DType dtype) {
        return new Item(id, name, description, shape, dtype, NdArray.Order.C, null);
    }

    /**
     * Creates a numpy-typed item, as the constructor with no format.
     *
     * @param id the item id (at least 0)
     * @param name the name
     * @param description the description
     * @param shape dimensions (no variable dimension)
     * @param dtype the numpy type
     * @param order storage order of the values
     * @return the item, with no value
     */
    public static Item ofDType(long id, String name, String description, long[] shape, DType dtype,
                               NdArray.Order order) {
        return new Item(id, name, description, shape, dtype, order, null);
    }

    /**
     * Creates a legacy-format item in C order, as the constructor with no dtype.
     *
     * @param id the item id (at least 0)
     * @param name the name
     * @param description the description
     * @param shape dimensions; {@code -1} marks a variable dimension (at most one)
     * @param format the legacy format
     * @return the item, with no value
     */
    public static Item ofFormat(long id, String name, String description, long[] shape, Format format) {
        return new Item(id, name, description, shape, null, NdArray.Order.C, format);
    }

    /**
     * Builds an item from a received descriptor (spead2's {@code Descriptor.from_raw}): with a numpy header the
     * dtype, shape and order come from the header (and the dtype's byte order is flipped under
     * {@link BugCompat#SWAP_ENDIAN}); otherwise the descriptor's shape and format are used, order C. As spead2
     * decodes them as ASCII, a name, description or numpy header holding a byte beyond ASCII is refused.
     *
     * @param descriptor the raw descriptor
     * @param bugCompat the stream's bug-compatibility mask
     * @return a new item without value
     * @throws IllegalArgumentException if the numpy header or format is invalid, or a text is not ASCII
     */
    public static Item fromDescriptor(Descriptor descriptor, int bugCompat) {
        // spead2 decodes the numpy header, the name and the description as ASCII (Descriptor.from_raw)
        requireAscii(descriptor.numpyHeader(), "numpy header");
        requireAscii(descriptor.name(), "name");
        requireAscii(descriptor.description(), "description");
        if (!descriptor.numpyHeader().isEmpty()) {
            NumpyHeader header = NumpyHeader.parse(descriptor.numpyHeader());
            DType dt = header.dtype();
            if ((bugCompat & BugCompat.SWAP_ENDIAN) != 0) {
                dt = dt.newByteOrder();
            }
            return new Item(descriptor.id(), descriptor.name(), descriptor.description(), header.shape(), dt,
                    header.fortranOrder() ? NdArray.Order.F : NdArray.Order.C, null);
        }
        long[] dims = new long[descriptor.shape().size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = descriptor.shape().get(i);
        }
        return new Item(descriptor.id(), descriptor.name(), descriptor.description(), dims, null, NdArray.Order.C,
                Format.of(descriptor.format()));
    }

    /** Refuses text holding a byte beyond ASCII (a descriptor's text carries one char per byte). */
    private static void requireAscii(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                throw new IllegalArgumentException("descriptor " + what + " is not ASCII: " + notAscii(c, i));
            }
        }
    }

    /** @return Python's wording for a byte beyond ASCII @param value the byte (0-255) @param position its index */
    private static String notAscii(int value, int position) {
        return "'ascii' codec can't decode byte 0x" + Integer.toHexString(value) + " in position " + position
                + ": ordinal not in range(128)";
    }

    /**
     * Describes this item for sending (spead2's {@code Descriptor.to_raw}): the shape is always written; a dtype
     * item gets a numpy header (for the swapped dtype under {@link BugCompat#SWAP_ENDIAN}) and an empty format,
     * a format item its format list and no header.
     *
     * @param bugCompat the sending flavour's bug-compatibility mask
     * @return the raw descriptor
     */
    public Descriptor toDescriptor(int bugCompat) {
        List<Long> dims = new ArrayList<>();
        for (long d : shape) {
            dims.add(d);
        }
        if (dtype != null) {
            DType dt = (bugCompat & BugCompat.SWAP_ENDIAN) != 0 ? dtype.newByteOrder() : dtype;
            return new Descriptor(id, name, description, dims, List.of(),
                    NumpyHeader.format(dt, shape, order == NdArray.Order.F));
        }
        return new Descriptor(id, name, description, dims, format.entries(), "");
    }

    /** {@return {@link #toDescriptor(int)} without bug-compatibility flags} */
    public Descriptor toDescriptor() {
        return toDescriptor(0);
    }

    /** {@return the item id} */
    public long id() {
        return id;
    }

    /** {@return the name} */
    public String name() {
        return name;
    }

    /** {@return the description} */
    public String description() {
        return description;
    }

    /** {@return a copy of the shape, {@code -1} for a variable dimension} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the numpy type, or null for a format item} */
    public DType dtype() {
        return dtype;
    }

    /** {@return the legacy format, or null for a dtype item} */
    public Format format() {
        return format;
    }

    /** {@return the storage order} */
    public NdArray.Order order() {
        return order;
    }

    /** {@return the internal numpy type: the dtype, or the type derived from the format} */
    public DType internalDType() {
        return internal;
    }

    /** {@return bits per element: dtype itemsize × 8, or the sum of the format's widths} */
    public long itemsizeBits() {
        return dtype != null ? dtype.itemsize() * 8L : format.bits();
    }

    /** {@return true if a dimension is variable} */
    public boolean isVariableSize() {
        for (long d : shape) {
            if (d == -1) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return whether a small value of this item may be sent as an immediate: no variable dimension, and a
     *     dtype or a whole number of bytes per element}
     */
    public boolean allowImmediate() {
        return !isVariableSize() && (dtype != null || itemsizeBits() % 8 == 0);
    }

    /**
     * {@return the shape with the variable dimension (if any) replaced by what {@code maxElements} elements
     *     fill (0 when the other dimensions multiply to 0)}
     *
     * @param maxElements how many elements the data holds
     */
    public long[] dynamicShape(long maxElements) {
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                unknown = i;
            } else {
                known = saturatingMultiply(known, shape[i]);
            }
        }
        long[] out = shape.clone();
        if (unknown >= 0) {
            out[unknown] = known == 0 ? 0 : maxElements / known;
        }
        return out;
    }

    /**
     * {@return whether {@code other} matches this item's shape, variable dimensions matching anything}
     *
     * @param other a concrete shape
     */
    public boolean compatibleShape(long[] other) {
        if (other.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != -1 && shape[i] != other[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The current value. A value decoded from a received heap ({@link ItemGroup#update}, {@link #setFromRaw})
     * owns its data and reads the same for as long as it is referenced, whatever happens to the heap; only
     * with the zero-copy opt-in ({@link ItemGroup#zeroCopy(boolean)}, {@link #setFromRaw(RawItem, boolean)})
     * is an {@link NdArray} value a view of the heap's memory, valid until the heap is released. Unsigned
     * integers are never negative: a {@code u8} element is a {@code Long} below 2^63 and a
     * {@link BigInteger} from 2^63 to 2^64 - 1 (see {@link NdArray}).
     *
     * @return the current value, or null if none was set
     */
    public Object value() {
        return value;
    }

    /**
     * Sets the value and increments the version.
     *
     * @param newValue the value (see the class doc for accepted forms; checked when encoded)
     * @throws IllegalArgumentException if the value is null
     */
    public void setValue(Object newValue) {
        if (newValue == null) {
            throw new IllegalArgumentException("Item value cannot be set to None (item " + name + ")");
        }
        value = newValue;
        version++;
    }

    /** {@return the version, incremented by every value change} */
    public long version() {
        return version;
    }

    /**
     * Sets the version (spead2 lets callers bump it after changing a value in place).
     *
     * @param version the new version
     */
    public void setVersion(long version) {
        this.version = version;
    }

    /**
     * {@return whether {@code other} has the same id, name, description, shape, dtype, order and format (what
     *     spead2's ItemGroup compares before replacing an item)}
     *
     * @param other the other item
     */
    public boolean sameDescriptor(Item other) {
        return other.id == id && other.name.equals(name) && other.description.equals(description)
                && Arrays.equals(other.shape, shape) && Objects.equals(other.dtype, dtype) && other.order == order
                && Objects.equals(other.format, format);
    }

    // ------------------------------------------------------------------------------------------- receive

    /**
     * Decodes a received raw item into this item's value (spead2's {@code set_from_raw}), incrementing the
     * version: {@link #setFromRaw(RawItem, boolean) setFromRaw(raw, false)}. The value owns its bytes, so it
     * stays valid after the heap is released.
     *
     * @param raw the raw item
     * @throws IllegalArgumentException if the bytes do not fit the descriptor (the value is then unchanged)
     */
    public void setFromRaw(RawItem raw) {
        setFromRaw(raw, false);
    }

    /**
     * Decodes a received raw item into this item's value (spead2's {@code set_from_raw}), incrementing the
     * version. The data are the first bytes of an addressed item, the last bytes of an immediate; extra bytes
     * are ignored.
     *
     * <p>Without {@code zeroCopy}, an {@link NdArray} value is a copy of the raw bytes, valid for as long as it
     * is referenced. With {@code zeroCopy}, it views the raw item's memory (no copy, no allocation of the data):
     * it is valid only until the heap the raw item came from is released ({@link io.spead4j.recv.Heap#release()}),
     * after which a recycling allocator such as {@link MemoryPool} hands that memory to another heap. Scalars,
     * strings and bit-level values are always decoded into new Java objects.
     *
     * @param raw the raw item
     * @param zeroCopy true to view the raw item's memory instead of copying it
     * @throws IllegalArgumentException if the bytes do not fit the descriptor (the value is then unchanged)
     */
    public void setFromRaw(RawItem raw, boolean zeroCopy) {
        setValue(decode(raw, zeroCopy));
    }

    private Object decode(RawItem raw, boolean zeroCopy) {
        ByteBuffer bytes = raw.value().slice(); // index 0 = first value byte, whatever the position
        int len = raw.length();
        if (path == Path.NUMPY) {
            int itemsize = internal.itemsize();
            long maxElements = len / itemsize;
            long[] dims = dynamicShape(maxElements);
            long elements = NdArray.elements(dims);
            if (elements > maxElements) {
                throw new IllegalArgumentException("Item " + name + " has too few elements for shape ("
                        + maxElements + " < " + elements + ")");
            }
            int sizeBytes = (int) (elements * itemsize);
            ByteBuffer data;
            if (raw.immediate()) {
                if (sizeBytes == 0 && len > 0) {
                    // spead2 slices the last 0 bytes with [-0:], which is the whole value
                    if (len % itemsize != 0) {
                        throw new IllegalArgumentException("Item " + name + ": when changing to a larger dtype, its"
                                + " size must be a divisor of the total size in bytes of the last axis of the array");
                    }
                    throw new IllegalArgumentException("cannot reshape array of size " + (len / itemsize)
                            + " into shape " + NumpyHeader.shapeString(dims));
                }
                data = bytes.slice(len - sizeBytes, sizeBytes);
            } else {
                data = bytes.slice(0, sizeBytes);
            }
            NdArray array = NdArray.wrap(internal, dims, order, data);
            if (shape.length == 0) {
                return array.getFlat(0);
            }
            if (shape.length == 1 && format != null && format.isString()) {
                return joinCharacters(array.toNested());
            }
            return zeroCopy ? array : array.copy();
        }
        FormatEntry first = format.entries().get(0);
        if (path == Path.IMMEDIATE && raw.immediate() && (long) len * 8 == first.bits()) {
            long v = raw.immediateValue();
            if (first.code() == 'i' && first.bits() < 64) {
                int unused = 64 - (int) first.bits();
                v = (v << unused) >> unused;
            }
            return v;
        }
        long itemBits = format.bits();
        long maxElements = (long) len * 8 / itemBits;
        long[] dims = dynamicShape(maxElements);
        long elements = NdArray.elements(dims);
        if (elements > maxElements) {
            throw new IllegalArgumentException("Item " + name + " has too few elements for shape ("
                    + maxElements + " < " + elements + ")");
        }
        long lists = 1;
        for (int i = 0; i + 1 < dims.length && elements == 0; i++) {
            lists = saturatingMultiply(lists, dims[i]);
            if (lists > MAX_EMPTY_LISTS) {
                throw new IllegalArgumentException("Item " + name + ": shape " + NumpyHeader.shapeString(dims)
                        + " would build more than " + MAX_EMPTY_LISTS + " empty lists");
            }
        }
        long bits = elements * itemBits;
        ByteBuffer data = bytes;
        if (raw.immediate()) {
            int sizeBytes = (int) ((bits + 7) / 8);
            if (sizeBytes > 0) {
                data = bytes.slice(len - sizeBytes, sizeBytes);
            }
        }
        BitReader reader = new BitReader(data);
        return loadRecursive(dims, 0, reader);
    }

    private static String joinCharacters(Object nested) {
        StringBuilder sb = new StringBuilder();
        int pos = 0;
        for (Object o : (List<?>) nested) {
            for (byte b : (byte[]) o) {
                if (b < 0) {
                    throw new IllegalArgumentException(notAscii(b & 0xff, pos));
                }
                sb.append((char) b);
                pos++;
            }
        }
        return sb.toString();
    }

    private Object loadRecursive(long[] dims, int dim, BitReader reader) {
        if (dim < dims.length) {
            List<Object> out = new ArrayList<>((int) Math.min(dims[dim], 1 << 16));
            for (long i = 0; i < dims[dim]; i++) {
                out.add(loadRecursive(dims, dim + 1, reader));
            }
            return out;
        }
        List<FormatEntry> entries = format.entries();
        List<Object> fields = new ArrayList<>(entries.size());
        for (FormatEntry e : entries) {
            int length = (int) e.bits();
            long raw = reader.read(length);
            Object field = switch (e.code()) {
                case 'u' -> NdArray.unsignedValue(raw); // a Long, or a BigInteger for 64 bits from 2^63
                case 'i' -> length < 64 ? (raw << (64 - length)) >> (64 - length) : raw;
                case 'b' -> raw != 0;
                case 'c' -> new byte[] {(byte) raw}; // Python bytes, as spead2's struct.pack
                case 'f' -> length == 32 ? (Object) (double) Float.intBitsToFloat((int) raw)
                        : (Object) Double.longBitsToDouble(raw);
                default -> throw new IllegalArgumentException("unhandled format (" + e.code() + ", " + length + ")");
            };
            fields.add(field);
        }
        return fields.size() == 1 ? fields.get(0) : List.copyOf(fields);
    }

    /** Reads bit fields MSB-first from a buffer. */
    private static final class BitReader {
        private final ByteBuffer data;
        private long pos;

        BitReader(ByteBuffer data) {
            this.data = data;
        }

        long read(int n) {
            long result = 0;
            int need = n;
            while (need > 0) {
                int b = data.get((int) (pos >>> 3)) & 0xff;
                int avail = 8 - (int) (pos & 7);
                int take = Math.min(avail, need);
                int chunk = (b >>> (avail - take)) & ((1 << take) - 1);
                result = (result << take) | chunk;
                need -= take;
                pos += take;
            }
            return result;
        }
    }

    /** Writes bit fields MSB-first into a byte array; the last byte is zero-padded. */
    private static final class BitWriter {
        private final byte[] out;
        private long pos;

        BitWriter(byte[] out) {
            this.out = out;
        }

        void write(long value, int n) {
            for (int left = n; left > 0; ) {
                int idx = (int) (pos >>> 3);
                int free = 8 - (int) (pos & 7);
                int take = Math.min(free, left);
                int chunk = (int) ((value >>> (left - take)) & ((1L << take) - 1));
                out[idx] |= (byte) (chunk << (free - take));
                left -= take;
                pos += take;
            }
        }
    }

    // ------------------------------------------------------------------------------------------- send

    /**
     * Encodes the value for sending (spead2's {@code to_buffer}): odd-width scalar integers as the low bytes of
     * a big-endian 64-bit value; bit-level formats packed MSB-first and zero-padded to a whole byte; numpy-typed
     * values as their bytes in the item's dtype and storage order (an {@link NdArray} of exactly that dtype and
     * order is returned without copying).
     *
     * @return a read-only buffer of the bytes, position 0
     * @throws IllegalArgumentException if there is no value, its shape does not match, or an element does not
     *     fit the type
     */
    public ByteBuffer toBuffer() {
        Object v = value;
        if (v == null) {
            throw new IllegalArgumentException("Cannot send a value of None (item " + name + ")");
        }
        if (shape.length == 1 && (v instanceof String || v instanceof byte[])) {
            v = splitCharacters(v);
        }
        if (path == Path.IMMEDIATE && itemsizeBits() % 8 == 0) {
            Object scalar = v instanceof NdArray a && a.ndim() == 0 ? a.getFlat(0) : v;
            long x = switch (scalar) {
                case Long l -> l;
                case Integer i -> i;
                case Short s -> s;
                case Byte b -> b;
                case BigInteger b when b.bitLength() <= 64 -> b.longValue();
                default -> throw new IllegalArgumentException("Item " + name + " needs an integer scalar value, got "
                        + NdArray.describe(scalar));
            };
            int n = (int) (itemsizeBits() / 8);
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = (byte) (x >>> (8 * (n - 1 - i)));
            }
            return ByteBuffer.wrap(out).asReadOnlyBuffer();
        }
        if (path == Path.GENERIC) {
            Object structured = v instanceof NdArray a ? a.toNested() : v;
            List<Long> actual = new ArrayList<>();
            List<Object> leaves = new ArrayList<>();
            flatten(structured, 0, shape.length, actual, leaves);
            checkShape(actual);
            long bitLength = itemsizeBits() * leaves.size();
            byte[] out = new byte[Math.toIntExact((bitLength + 7) / 8)];
            BitWriter writer = new BitWriter(out);
            for (Object leaf : leaves) {
                storeElement(leaf, writer);
            }
            return ByteBuffer.wrap(out).asReadOnlyBuffer();
        }
        NdArray array;
        if (v instanceof NdArray a) {
            checkShape(a.shape());
            array = a.convert(internal, order);
        } else {
            List<Long> actual = new ArrayList<>();
            List<Object> leaves = new ArrayList<>();
            flatten(v, 0, shape.length, actual, leaves);
            long[] dims = checkShape(actual);
            array = NdArray.fromElements(internal, dims, order, leaves);
        }
        return array.buffer();
    }

    private static List<Object> splitCharacters(Object v) {
        List<Object> chars = new ArrayList<>();
        if (v instanceof String s) {
            for (int i = 0; i < s.length(); i++) {
                chars.add(s.substring(i, i + 1));
            }
        } else {
            for (byte b : (byte[]) v) {
                chars.add(new byte[] {b});
            }
        }
        return chars;
    }

    private long[] checkShape(List<Long> actual) {
        long[] dims = new long[actual.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = actual.get(i);
        }
        return checkShape(dims);
    }

    private long[] checkShape(long[] dims) {
        if (!compatibleShape(dims)) {
            throw new IllegalArgumentException("Value has shape " + NumpyHeader.shapeString(dims) + ", expected "
                    + shapeText() + " (item " + name + ")");
        }
        return dims;
    }

    private String shapeText() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i] == -1 ? "None" : Long.toString(shape[i]));
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Walks {@code dims} levels of nesting, recording each level's length and the leaves in row-major order. */
    private static void flatten(Object v, int depth, int dims, List<Long> shapeOut, List<Object> leaves) {
        if (depth == dims) {
            leaves.add(v);
            return;
        }
        List<?> items = asSequence(v);
        if (items == null) {
            throw new IllegalArgumentException("Value has " + depth + " dimension(s) where " + dims
                    + " are expected (" + NdArray.describe(v) + " is not a sequence)");
        }
        if (shapeOut.size() == depth) {
            shapeOut.add((long) items.size());
        } else if (shapeOut.get(depth) != items.size()) {
            throw new IllegalArgumentException("inhomogeneous value: lengths " + shapeOut.get(depth) + " and "
                    + items.size() + " at depth " + depth);
        }
        for (Object item : items) {
            flatten(item, depth + 1, dims, shapeOut, leaves);
        }
    }

    private static List<?> asSequence(Object v) {
        return switch (v) {
            case List<?> l -> l;
            case Object[] a -> Arrays.asList(a);
            case long[] a -> Arrays.stream(a).boxed().toList();
            case int[] a -> Arrays.stream(a).boxed().toList();
            case double[] a -> Arrays.stream(a).boxed().toList();
            case short[] a -> {
                List<Object> l = new ArrayList<>();
                for (short x : a) {
                    l.add(x);
                }
                yield l;
            }
            case byte[] a -> {
                List<Object> l = new ArrayList<>();
                for (byte x : a) {
                    l.add(x);
                }
                yield l;
            }
            case float[] a -> {
                List<Object> l = new ArrayList<>();
                for (float x : a) {
                    l.add(x);
                }
                yield l;
            }
            case boolean[] a -> {
                List<Object> l = new ArrayList<>();
                for (boolean x : a) {
                    l.add(x);
                }
                yield l;
            }
            case NdArray a when a.ndim() > 0 -> (List<?>) a.toNested();
            default -> null;
        };
    }

    private void storeElement(Object leaf, BitWriter writer) {
        List<FormatEntry> entries = format.entries();
        List<?> fields;
        if (entries.size() == 1) {
            fields = List.of(leaf);
        } else {
            fields = asSequence(leaf);
            if (fields == null || fields.size() != entries.size()) {
                throw new IllegalArgumentException("Item " + name + ": a record of " + entries.size()
                        + " fields needs a sequence of " + entries.size() + " values, got " + NdArray.describe(leaf));
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            FormatEntry e = entries.get(i);
            Object field = fields.get(i);
            int length = (int) e.bits();
            long raw = switch (e.code()) {
                case 'u' -> {
                    if (field instanceof BigInteger big && length == 64) {
                        if (big.signum() < 0 || big.bitLength() > 64) {
                            throw new IllegalArgumentException(big + " is out of range for u" + length);
                        }
                        yield big.longValue();
                    }
                    long x = integerField(field, e);
                    if (x < 0 || (length < 64 && x >= (1L << length))) {
                        throw new IllegalArgumentException(x + " is out of range for u" + length);
                    }
                    yield x;
                }
                case 'i' -> {
                    long x = integerField(field, e);
                    if (length < 64 && (x < -(1L << (length - 1)) || x >= (1L << (length - 1)))) {
                        throw new IllegalArgumentException(x + " is out of range for i" + length);
                    }
                    yield length < 64 ? x & ((1L << length) - 1) : x;
                }
                case 'b' -> {
                    boolean truth = switch (field) {
                        case Boolean b -> b;
                        case Number n -> n.doubleValue() != 0;
                        default -> throw new IllegalArgumentException("Item " + name + ": cannot store "
                                + NdArray.describe(field) + " as a bool");
                    };
                    yield truth ? 1 : 0;
                }
                case 'c' -> switch (field) {
                    case String s when s.length() == 1 -> s.charAt(0);
                    case Character c -> c;
                    case byte[] b when b.length == 1 -> b[0] & 0xff;
                    default -> throw new IllegalArgumentException("Item " + name
                            + ": a character field needs a one-character value, got " + NdArray.describe(field));
                };
                case 'f' -> {
                    if (!(field instanceof Number n)) {
                        throw new IllegalArgumentException("Item " + name + ": cannot store "
                                + NdArray.describe(field) + " as a float");
                    }
                    yield length == 32 ? Float.floatToRawIntBits(n.floatValue()) & 0xffffffffL
                            : Double.doubleToRawLongBits(n.doubleValue());
                }
                default -> throw new IllegalArgumentException("unhandled format (" + e.code() + ", " + length + ")");
            };
            if (length < 64 && (raw < 0 || raw >= (1L << length))) {
                throw new IllegalArgumentException("Value is out of range for number of bits (" + raw + " in "
                        + length + " bits, item " + name + ")");
            }
            writer.write(raw, length);
        }
    }

    private long integerField(Object field, FormatEntry e) {
        return switch (field) {
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Boolean b -> b ? 1 : 0;
            case BigInteger b when b.bitLength() <= 63 -> b.longValue();
            case BigInteger b -> throw new IllegalArgumentException(b + " is out of range for " + e.code() + e.bits());
            default -> throw new IllegalArgumentException("Item " + name + ": field " + e + " needs an integer, got "
                    + NdArray.describe(field));
        };
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    @Override
    public String toString() {
        return "Item(id=0x" + Long.toHexString(id) + ", name=" + name + ", shape=" + shapeText() + ", "
                + (dtype != null ? "dtype=" + dtype + ", order=" + order : "format=" + format) + ", version="
                + version + ")";
    }
}
