package io.spead4j;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A typed, immutable n-dimensional view of bytes, the Java counterpart of the numpy arrays spead2's Python
 * layer produces: a {@link DType}, a shape, a storage order (C = row-major, F = column-major) and the bytes.
 * An array is only as stable as its bytes: the values {@link ItemGroup#update} sets own a copy of the heap's
 * data, while a zero-copy value ({@link ItemGroup#zeroCopy(boolean)}) or an array {@link #wrap wrapping} a
 * buffer views that memory, and is valid only as long as the memory is (a received heap's until
 * {@link io.spead4j.recv.Heap#release()}; use {@link #copy()} to detach it).
 *
 * <p>Indexes are logical (numpy's): {@code getLong(i, j)} reads element {@code [i][j]} whatever the storage
 * order. The {@code toXxxArray()} methods list elements in logical row-major (C) order. Element values map to
 * Java as: bool → {@code Boolean}, signed integers → {@code Long}, unsigned integers → their unsigned value,
 * never negative: a {@code Long}, except {@code u8} values from 2^63 to 2^64 - 1, which are {@link BigInteger}s
 * (as numpy's {@code tolist()} gives Python ints), floats → {@code Double}, complex → {@link Complex},
 * {@code S} → {@code String} (ISO-8859-1, trailing NULs dropped as numpy does), records → {@code List<Object>}
 * of their fields. So {@link #get}, {@link #toNested()}, {@link #toString()} and {@link #equals} see unsigned
 * values. The primitive accessors {@link #getLong} and {@link #toLongArray()} return the 64 bits of a
 * {@code u8} element as they are (negative from 2^63 up, like {@link #getUnsignedLong}; use
 * {@link Long#toUnsignedString(long)}, {@link Long#compareUnsigned}), {@link #getBigInteger} the exact value.
 * When storing, a {@code u8} element accepts a {@link BigInteger} from 0 to 2^64 - 1 or, as its bit pattern,
 * any {@code long}.
 */
public final class NdArray {
    /** Storage order of a multi-dimensional array. */
    public enum Order {
        /** Row-major (C) order: the last index varies fastest. */
        C,
        /** Column-major (Fortran) order: the first index varies fastest. */
        F
    }

    private final DType dtype;
    private final long[] shape;
    private final Order order;
    private final ByteBuffer data;
    private final int size;
    private final int[] strides;

    private NdArray(DType dtype, long[] shape, Order order, ByteBuffer data, int size) {
        this.dtype = dtype;
        this.shape = shape;
        this.order = order;
        this.data = data;
        this.size = size;
        this.strides = new int[shape.length];
        int stride = dtype.itemsize();
        if (order == Order.C) {
            for (int k = shape.length - 1; k >= 0; k--) {
                strides[k] = stride;
                stride *= (int) shape[k];
            }
        } else {
            for (int k = 0; k < shape.length; k++) {
                strides[k] = stride;
                stride *= (int) shape[k];
            }
        }
    }

    /**
     * Views bytes as an array without copying.
     *
     * @param dtype element type (no object type)
     * @param shape dimensions, each at least 0
     * @param order storage order of the bytes
     * @param bytes the data from its position; at least {@code elements × itemsize} bytes remaining, of which
     *     only the first {@code elements × itemsize} are used
     * @return the array
     * @throws IllegalArgumentException if the type holds objects, a dimension is negative, the array is too
     *     big for one buffer or the bytes are too few
     */
    public static NdArray wrap(DType dtype, long[] shape, Order order, ByteBuffer bytes) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(order, "order");
        if (dtype.hasObject()) {
            throw new IllegalArgumentException("an NdArray cannot hold the object dtype " + dtype);
        }
        long[] dims = shape.clone();
        long elements = elements(dims);
        long need = elements * dtype.itemsize();
        if (need > Integer.MAX_VALUE - 16 || elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array of shape " + NumpyHeader.shapeString(dims) + " and dtype "
                    + dtype + " is too large");
        }
        if (bytes.remaining() < need) {
            throw new IllegalArgumentException("array of shape " + NumpyHeader.shapeString(dims) + " and dtype "
                    + dtype + " needs " + need + " bytes, got " + bytes.remaining());
        }
        ByteBuffer view = bytes.slice(bytes.position(), (int) need).asReadOnlyBuffer().order(dtype.order());
        return new NdArray(dtype, dims, order, view, (int) elements);
    }

    /**
     * Views a byte array as an array without copying, as {@link #wrap(DType, long[], Order, ByteBuffer)}.
     *
     * @param dtype element type (no object type)
     * @param shape dimensions, each at least 0
     * @param order storage order of the bytes
     * @param bytes the data; at least {@code elements × itemsize} bytes, of which only those first are used
     * @return the array
     * @throws IllegalArgumentException as {@link #wrap(DType, long[], Order, ByteBuffer)}
     */
    public static NdArray wrap(DType dtype, long[] shape, Order order, byte[] bytes) {
        return wrap(dtype, shape, order, ByteBuffer.wrap(bytes));
    }

    /**
     * Builds an array from element values given in logical row-major order (each converted as by
     * {@link #get(long...)} in reverse: Boolean/Number/Complex/String/byte[] for scalar types, a List or
     * Object[] of field values for records).
     *
     * @param dtype element type
     * @param shape dimensions
     * @param order storage order of the new bytes
     * @param values the elements, as many as the shape holds
     * @return the array (fresh bytes)
     * @throws IllegalArgumentException if the count is wrong or a value does not fit the type
     */
    public static NdArray fromElements(DType dtype, long[] shape, Order order, List<?> values) {
        long n = elements(shape);
        if (n != values.size()) {
            throw new IllegalArgumentException("shape " + NumpyHeader.shapeString(shape) + " holds " + n
                    + " elements, got " + values.size());
        }
        if (dtype.hasObject()) {
            throw new IllegalArgumentException("an NdArray cannot hold the object dtype " + dtype);
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n * dtype.itemsize())).order(dtype.order());
        NdArray out = wrap(dtype, shape, order, buf);
        for (int i = 0; i < n; i++) {
            put(buf, out.offsetOfFlat(i), dtype, values.get(i));
        }
        return out;
    }

    /**
     * Builds a C-order integer (or bool) array from its values, as {@link #fromElements}.
     *
     * @param dtype an integer or bool element type
     * @param shape dimensions
     * @param values the elements in logical row-major order, as many as the shape holds
     * @return the array (fresh bytes)
     * @throws IllegalArgumentException if the count is wrong or a value does not fit the type
     */
    public static NdArray ofLongs(DType dtype, long[] shape, long... values) {
        List<Object> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return fromElements(dtype, shape, Order.C, list);
    }

    /**
     * Builds a C-order floating-point (or other numeric) array from its values, as {@link #fromElements}.
     *
     * @param dtype a numeric element type
     * @param shape dimensions
     * @param values the elements in logical row-major order, as many as the shape holds
     * @return the array (fresh bytes)
     * @throws IllegalArgumentException if the count is wrong or a value does not fit the type
     */
    public static NdArray ofDoubles(DType dtype, long[] shape, double... values) {
        List<Object> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return fromElements(dtype, shape, Order.C, list);
    }

    /**
     * Builds a C-order {@code |b1} (bool) array from its values.
     *
     * @param shape dimensions
     * @param values the elements in logical row-major order, as many as the shape holds
     * @return the array (fresh bytes)
     * @throws IllegalArgumentException if the count is wrong
     */
    public static NdArray ofBooleans(long[] shape, boolean... values) {
        List<Object> list = new ArrayList<>(values.length);
        for (boolean v : values) {
            list.add(v);
        }
        return fromElements(DType.BOOL, shape, Order.C, list);
    }

    /**
     * Builds a C-order complex array from its values, as {@link #fromElements}.
     *
     * @param dtype a {@code c8} or {@code c16} element type
     * @param shape dimensions
     * @param values the elements in logical row-major order, as many as the shape holds
     * @return the array (fresh bytes)
     * @throws IllegalArgumentException if the count is wrong or a value does not fit the type
     */
    public static NdArray ofComplex(DType dtype, long[] shape, Complex... values) {
        return fromElements(dtype, shape, Order.C, Arrays.asList((Object[]) values));
    }

    static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + NumpyHeader.shapeString(shape));
            }
            n = Math.multiplyHigh(n, d) != 0 ? Long.MAX_VALUE : n * d;
            if (n < 0) {
                n = Long.MAX_VALUE;
            }
        }
        return n;
    }

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return a copy of the dimensions} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the number of dimensions (0 for a scalar)} */
    public int ndim() {
        return shape.length;
    }

    /** {@return the number of elements} */
    public int size() {
        return size;
    }

    /** {@return the storage order of the bytes} */
    public Order order() {
        return order;
    }

    /** {@return a read-only view of the bytes in storage order, byte order set to the dtype's} */
    public ByteBuffer buffer() {
        return data.duplicate().order(data.order());
    }

    /** {@return a copy of the bytes in storage order} */
    public byte[] toBytes() {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    /** {@return the same array over a private copy of the bytes} */
    public NdArray copy() {
        return wrap(dtype, shape, order, toBytes());
    }

    /**
     * Converts to another type and storage order element by element (numpy's {@code astype} plus a copy in the
     * given order); returns this array when nothing changes.
     *
     * @param target the new element type
     * @param newOrder the new storage order
     * @return the converted array
     * @throws IllegalArgumentException if an element does not fit the target type
     */
    public NdArray convert(DType target, Order newOrder) {
        if (target.equals(dtype) && (newOrder == order || shape.length < 2)) {
            return this;
        }
        List<Object> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            values.add(getFlat(i));
        }
        return fromElements(target, shape, newOrder, values);
    }

    private int offsetOfFlat(long flat) {
        if (order == Order.C || shape.length < 2) {
            return (int) flat * dtype.itemsize();
        }
        int offset = 0;
        long rest = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            long idx = rest % shape[k];
            rest /= shape[k];
            offset += (int) idx * strides[k];
        }
        return offset;
    }

    private int offsetOf(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("array has " + shape.length + " dimensions, got " + index.length
                    + " indices");
        }
        int offset = 0;
        for (int k = 0; k < index.length; k++) {
            if (index[k] < 0 || index[k] >= shape[k]) {
                throw new IndexOutOfBoundsException("index " + index[k] + " out of range for dimension " + k
                        + " of size " + shape[k]);
            }
            offset += (int) index[k] * strides[k];
        }
        return offset;
    }

    /**
     * {@return the element at a logical index as a boxed Java value (see the class doc)}
     *
     * @param index one index per dimension
     * @throws IndexOutOfBoundsException if an index is outside its dimension
     */
    public Object get(long... index) {
        return read(data, offsetOf(index), dtype);
    }

    /**
     * {@return the element at a position of the logical row-major order, as a boxed Java value}
     *
     * @param flat the position, 0 .. size - 1
     * @throws IndexOutOfBoundsException if the position is out of range
     */
    public Object getFlat(long flat) {
        if (flat < 0 || flat >= size) {
            throw new IndexOutOfBoundsException("flat index " + flat + " out of range for size " + size);
        }
        return read(data, offsetOfFlat(flat), dtype);
    }

    /**
     * {@return an integer or bool element as a long: the value, except that a {@code u8} element of 2^63 or
     *     more comes back as its bit pattern, a negative long (see {@link #getUnsignedLong})}
     *
     * @param index one index per dimension
     * @throws IllegalStateException if the type does not hold integers
     */
    public long getLong(long... index) {
        requireIntegers();
        return integerAt(offsetOf(index));
    }

    /**
     * Reads an unsigned or bool element as the 64 bits of its unsigned value: equal to the value up to
     * {@link Long#MAX_VALUE}, negative for a {@code u8} element from 2^63 to 2^64 - 1 (read it with
     * {@link Long#toUnsignedString(long)}, {@link Long#compareUnsigned}, {@link Long#divideUnsigned}).
     *
     * @param index one index per dimension
     * @return the unsigned value's bits
     * @throws IllegalStateException if the type is not unsigned or bool
     */
    public long getUnsignedLong(long... index) {
        if (dtype.kind() != DType.KIND_UINT && dtype.kind() != DType.KIND_BOOL) {
            throw new IllegalStateException("dtype " + dtype + " is not unsigned (use getLong)");
        }
        return integerAt(offsetOf(index));
    }

    /**
     * {@return an integer or bool element as its exact value: 0 .. 2^64 - 1 for {@code u8}}
     *
     * @param index one index per dimension
     * @throws IllegalStateException if the type does not hold integers
     */
    public BigInteger getBigInteger(long... index) {
        requireIntegers();
        long bits = integerAt(offsetOf(index));
        return dtype.kind() == DType.KIND_UINT ? unsignedBigInteger(bits) : BigInteger.valueOf(bits);
    }

    private void requireIntegers() {
        char kind = dtype.kind();
        if (kind != DType.KIND_INT && kind != DType.KIND_UINT && kind != DType.KIND_BOOL) {
            throw new IllegalStateException("dtype " + dtype + " does not hold integers");
        }
    }

    /** {@return {@code bits} read as an unsigned 64-bit number} */
    static BigInteger unsignedBigInteger(long bits) {
        BigInteger value = BigInteger.valueOf(bits);
        return bits >= 0 ? value : value.add(BigInteger.ONE.shiftLeft(64));
    }

    /** {@return the boxed unsigned value of 64 bits: a {@code Long} below 2^63, else a {@link BigInteger}} */
    static Object unsignedValue(long bits) {
        return bits >= 0 ? (Object) bits : unsignedBigInteger(bits);
    }

    /**
     * {@return a real (integer, bool or floating-point) element as a double}
     *
     * @param index one index per dimension
     * @throws IllegalStateException if the type does not hold real numbers
     */
    public double getDouble(long... index) {
        return asDouble(get(index));
    }

    /**
     * {@return a bool element}
     *
     * @param index one index per dimension
     * @throws IllegalStateException if the type does not hold booleans
     */
    public boolean getBoolean(long... index) {
        Object v = get(index);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalStateException("dtype " + dtype + " does not hold booleans");
    }

    /**
     * {@return a complex (or real, as re + 0j) element}
     *
     * @param index one index per dimension
     * @throws IllegalStateException if the type holds neither complex nor real numbers
     */
    public Complex getComplex(long... index) {
        Object v = get(index);
        return v instanceof Complex c ? c : new Complex(asDouble(v), 0);
    }

    /**
     * {@return the elements as longs in logical row-major order (integer and bool types); {@code u8} elements of
     *     2^63 or more as their bit pattern (negative), as {@link #getLong}}
     */
    public long[] toLongArray() {
        requireIntegers();
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = integerAt(offsetOfFlat(i));
        }
        return out;
    }

    /** Reads an integer or bool element without boxing. */
    private long integerAt(int offset) {
        if (dtype.kind() == DType.KIND_BOOL) {
            return data.get(offset) != 0 ? 1 : 0;
        }
        boolean signed = dtype.kind() == DType.KIND_INT;
        return switch (dtype.itemsize()) {
            case 1 -> signed ? data.get(offset) : data.get(offset) & 0xff;
            case 2 -> signed ? data.getShort(offset) : data.getShort(offset) & 0xffff;
            case 4 -> signed ? data.getInt(offset) : data.getInt(offset) & 0xffffffffL;
            default -> data.getLong(offset);
        };
    }

    /** {@return the elements as doubles in logical row-major order (numeric types)} */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        if (dtype.kind() == DType.KIND_FLOAT && dtype.itemsize() != 2) {
            for (int i = 0; i < size; i++) {
                int offset = offsetOfFlat(i);
                out[i] = dtype.itemsize() == 4 ? data.getFloat(offset) : data.getDouble(offset);
            }
            return out;
        }
        for (int i = 0; i < size; i++) {
            out[i] = asDouble(getFlat(i));
        }
        return out;
    }

    /** {@return the elements of a bool array in logical row-major order} */
    public boolean[] toBooleanArray() {
        if (dtype.kind() != DType.KIND_BOOL) {
            throw new IllegalStateException("dtype " + dtype + " does not hold booleans");
        }
        boolean[] out = new boolean[size];
        for (int i = 0; i < size; i++) {
            out[i] = (Boolean) getFlat(i);
        }
        return out;
    }

    /** {@return the elements as complex numbers in logical row-major order} */
    public Complex[] toComplexArray() {
        Complex[] out = new Complex[size];
        for (int i = 0; i < size; i++) {
            Object v = getFlat(i);
            out[i] = v instanceof Complex c ? c : new Complex(asDouble(v), 0);
        }
        return out;
    }

    /**
     * {@return the value as nested lists (numpy's {@code tolist()}): the element itself for a 0-dimensional
     *     array, else a {@code List<Object>} per dimension}
     */
    public Object toNested() {
        if (shape.length == 0) {
            return getFlat(0);
        }
        int[] next = {0};
        return nest(0, next);
    }

    private List<Object> nest(int dim, int[] next) {
        List<Object> out = new ArrayList<>((int) shape[dim]);
        for (long i = 0; i < shape[dim]; i++) {
            out.add(dim == shape.length - 1 ? getFlat(next[0]++) : nest(dim + 1, next));
        }
        return out;
    }

    private double asDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof BigInteger big) {
            return new BigDecimal(big).doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new IllegalStateException("dtype " + dtype + " does not hold real numbers");
    }

    /** Reads one element of {@code type} at {@code offset}. */
    static Object read(ByteBuffer buf, int offset, DType type) {
        ByteBuffer b = buf.order() == type.order() ? buf : buf.duplicate().order(type.order());
        switch (type.kind()) {
            case DType.KIND_BOOL:
                return b.get(offset) != 0;
            case DType.KIND_INT:
                return switch (type.itemsize()) {
                    case 1 -> (long) b.get(offset);
                    case 2 -> (long) b.getShort(offset);
                    case 4 -> (long) b.getInt(offset);
                    default -> b.getLong(offset);
                };
            case DType.KIND_UINT:
                return switch (type.itemsize()) {
                    case 1 -> (long) (b.get(offset) & 0xff);
                    case 2 -> (long) (b.getShort(offset) & 0xffff);
                    case 4 -> b.getInt(offset) & 0xffffffffL;
                    default -> unsignedValue(b.getLong(offset));
                };
            case DType.KIND_FLOAT:
                return switch (type.itemsize()) {
                    case 2 -> (double) Float.float16ToFloat(b.getShort(offset));
                    case 4 -> (double) b.getFloat(offset);
                    default -> b.getDouble(offset);
                };
            case DType.KIND_COMPLEX:
                return type.itemsize() == 8
                        ? new Complex(b.getFloat(offset), b.getFloat(offset + 4))
                        : new Complex(b.getDouble(offset), b.getDouble(offset + 8));
            case DType.KIND_BYTES: {
                // numpy gives an S element as Python bytes without its trailing NULs
                int n = type.itemsize();
                while (n > 0 && b.get(offset + n - 1) == 0) {
                    n--;
                }
                byte[] bytes = new byte[n];
                b.get(offset, bytes);
                return bytes;
            }
            case DType.KIND_RECORD: {
                List<Object> fields = new ArrayList<>();
                for (DType.Field f : type.fields()) {
                    fields.add(read(buf, offset + f.offset(), f.type()));
                }
                return fields;
            }
            default:
                throw new IllegalStateException("cannot read dtype " + type);
        }
    }

    /** Writes one element of {@code type} at {@code offset}, checking that the value fits. */
    static void put(ByteBuffer buf, int offset, DType type, Object value) {
        ByteBuffer b = buf.order() == type.order() ? buf : buf.duplicate().order(type.order());
        switch (type.kind()) {
            case DType.KIND_BOOL -> b.put(offset, (byte) (truth(value) ? 1 : 0));
            case DType.KIND_INT, DType.KIND_UINT -> {
                long v = integer(value, type);
                switch (type.itemsize()) {
                    case 1 -> b.put(offset, (byte) v);
                    case 2 -> b.putShort(offset, (short) v);
                    case 4 -> b.putInt(offset, (int) v);
                    default -> b.putLong(offset, v);
                }
            }
            case DType.KIND_FLOAT -> {
                double d = real(value, type);
                switch (type.itemsize()) {
                    case 2 -> b.putShort(offset, Float.floatToFloat16((float) d));
                    case 4 -> b.putFloat(offset, (float) d);
                    default -> b.putDouble(offset, d);
                }
            }
            case DType.KIND_COMPLEX -> {
                Complex c = value instanceof Complex z ? z : new Complex(real(value, type), 0);
                if (type.itemsize() == 8) {
                    b.putFloat(offset, (float) c.re());
                    b.putFloat(offset + 4, (float) c.im());
                } else {
                    b.putDouble(offset, c.re());
                    b.putDouble(offset + 8, c.im());
                }
            }
            case DType.KIND_BYTES -> {
                byte[] bytes = switch (value) {
                    case byte[] a -> a;
                    case String s when s.chars().allMatch(ch -> ch < 0x80) -> s.getBytes(StandardCharsets.US_ASCII);
                    case Character c -> new byte[] {(byte) c.charValue()};
                    default -> throw new IllegalArgumentException("cannot store " + describe(value) + " as " + type
                            + (value instanceof String ? " (only ASCII text can be stored, as numpy does)" : ""));
                };
                for (int i = 0; i < type.itemsize(); i++) {
                    b.put(offset + i, i < bytes.length ? bytes[i] : 0);
                }
            }
            case DType.KIND_RECORD -> {
                List<?> fields = switch (value) {
                    case List<?> l -> l;
                    case Object[] a -> Arrays.asList(a);
                    default -> throw new IllegalArgumentException("a record of " + type.fields().size()
                            + " fields needs a List or Object[] value, got " + describe(value));
                };
                if (fields.size() != type.fields().size()) {
                    throw new IllegalArgumentException("record " + type + " has " + type.fields().size()
                            + " fields, got " + fields.size() + " values");
                }
                for (int i = 0; i < fields.size(); i++) {
                    DType.Field f = type.fields().get(i);
                    put(buf, offset + f.offset(), f.type(), fields.get(i));
                }
            }
            default -> throw new IllegalArgumentException("cannot store values of dtype " + type);
        }
    }

    private static boolean truth(Object value) {
        return switch (value) {
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            default -> throw new IllegalArgumentException("cannot store " + describe(value) + " as a bool");
        };
    }

    private static long integer(Object value, DType type) {
        long v = switch (value) {
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Boolean b -> b ? 1 : 0;
            case BigInteger big -> {
                boolean fits = type.kind() == DType.KIND_UINT
                        ? big.signum() >= 0 && big.bitLength() <= type.itemsize() * 8 : big.bitLength() <= 63;
                if (!fits) {
                    throw new IllegalArgumentException(big + " is out of range for " + type);
                }
                yield big.longValue(); // for u8, the bit pattern of values from 2^63
            }
            default -> throw new IllegalArgumentException("cannot store " + describe(value) + " as " + type
                    + " (an integer is needed)");
        };
        int bits = type.itemsize() * 8;
        boolean fits;
        if (type.kind() == DType.KIND_INT) {
            fits = bits == 64 || (v >= -(1L << (bits - 1)) && v < (1L << (bits - 1)));
        } else if (bits == 64) {
            fits = true; // a negative long is the bit pattern of a value above Long.MAX_VALUE, as getLong returns it
        } else {
            fits = v >= 0 && v < (1L << bits);
        }
        if (!fits) {
            throw new IllegalArgumentException(value + " is out of range for " + type);
        }
        return v;
    }

    private static double real(Object value, DType type) {
        return switch (value) {
            case Double d -> d;
            case Float f -> f;
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Boolean b -> b ? 1 : 0;
            case BigInteger big -> new BigDecimal(big).doubleValue();
            default -> throw new IllegalArgumentException("cannot store " + describe(value) + " as " + type);
        };
    }

    static String describe(Object value) {
        return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
    }

    /**
     * Arrays are equal when dtype, shape and every element are equal (storage order does not matter); elements
     * compare as the boxed values of {@link #get}, so unsigned ones as unsigned numbers.
     */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NdArray a) || !a.dtype.equals(dtype) || !Arrays.equals(a.shape, shape)) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!elementEquals(getFlat(i), a.getFlat(i))) {
                return false;
            }
        }
        return true;
    }

    /** Elements compare by content, {@code byte[]} (bytes elements and record fields) included. */
    private static boolean elementEquals(Object x, Object y) {
        if (x instanceof List<?> l && y instanceof List<?> m) {
            if (l.size() != m.size()) {
                return false;
            }
            for (int i = 0; i < l.size(); i++) {
                if (!elementEquals(l.get(i), m.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.deepEquals(x, y);
    }

    private static int elementHash(Object x) {
        if (x instanceof List<?> l) {
            int h = 1;
            for (Object o : l) {
                h = h * 31 + elementHash(o);
            }
            return h;
        }
        return x instanceof byte[] b ? Arrays.hashCode(b) : Objects.hashCode(x);
    }

    @Override
    public int hashCode() {
        int h = dtype.hashCode() * 31 + Arrays.hashCode(shape);
        for (int i = 0; i < Math.min(size, 16); i++) {
            h = h * 31 + elementHash(getFlat(i));
        }
        return h;
    }

    /** {@return a short description: dtype, shape, order and up to 8 elements (unsigned ones in unsigned decimal)} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("NdArray(").append(dtype).append(", ")
                .append(NumpyHeader.shapeString(shape)).append(", ").append(order).append(", [");
        for (int i = 0; i < Math.min(size, 8); i++) {
            sb.append(i > 0 ? ", " : "").append(getFlat(i));
        }
        return sb.append(size > 8 ? ", ...])" : "])").toString();
    }
}
