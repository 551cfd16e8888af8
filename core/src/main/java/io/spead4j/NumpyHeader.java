package io.spead4j;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The numpy header of a SPEAD descriptor (spead2's {@code _make_numpy_header} / {@code _parse_numpy_header}):
 * the Python {@code repr} of a dict with the keys {@code descr}, {@code fortran_order} and {@code shape}, for
 * example {@code {'descr': '<i4', 'fortran_order': False, 'shape': (4, 3)}}.
 *
 * @param dtype the element type
 * @param shape the dimensions (non-negative)
 * @param fortranOrder true for Fortran (column-major) order
 */
public record NumpyHeader(DType dtype, long[] shape, boolean fortranOrder) {
    /** Checks and copies the arguments. */
    public NumpyHeader {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("numpy header shape needs non-negative dimensions, got "
                        + shapeString(shape));
            }
        }
    }

    /** {@return a copy of the dimensions} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Produces the header exactly as spead2's Python layer does: keys in the order descr, fortran_order,
     * shape, Python {@code repr} spacing, no padding or newline.
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @param fortranOrder true for Fortran order
     * @return the header text
     */
    public static String format(DType dtype, long[] shape, boolean fortranOrder) {
        return "{'descr': " + dtype.descrLiteral() + ", 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shapeString(shape) + "}";
    }

    /** {@return this header as text, see {@link #format}} */
    @Override
    public String toString() {
        return format(dtype, shape, fortranOrder);
    }

    /**
     * Parses a header: any Python literal that is a dict with exactly the keys descr, fortran_order and shape
     * (any order and spacing), shape a tuple of non-negative integers, fortran_order {@code True} or
     * {@code False}, descr a dtype string or a list of field tuples.
     *
     * @param text the header
     * @return the parsed header
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static NumpyHeader parse(String text) {
        Objects.requireNonNull(text, "text");
        Object literal;
        try {
            literal = PyLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot parse descriptor: " + PyLiteral.repr(text) + ": "
                    + e.getMessage(), e);
        }
        if (!(literal instanceof Map<?, ?> dict)) {
            throw new IllegalArgumentException("Descriptor is not a dictionary: " + PyLiteral.repr(literal));
        }
        List<String> keys = new ArrayList<>();
        boolean allStrings = true;
        for (Object k : dict.keySet()) {
            if (k instanceof String s) {
                keys.add(s);
            } else {
                allStrings = false;
            }
        }
        keys.sort(null);
        if (!allStrings || !keys.equals(List.of("descr", "fortran_order", "shape"))) {
            List<Object> all = new ArrayList<>(dict.keySet());
            throw new IllegalArgumentException("Descriptor does not contain the correct keys: " + PyLiteral.repr(all)
                    + " (expected exactly 'descr', 'fortran_order', 'shape')");
        }
        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof PyLiteral.Tuple tuple)) {
            throw new IllegalArgumentException("shape is not valid: " + PyLiteral.repr(shapeValue));
        }
        long[] shape = new long[tuple.size()];
        for (int i = 0; i < shape.length; i++) {
            Object d = tuple.get(i);
            if (d instanceof Long l && l >= 0) {
                shape[i] = l;
            } else if (d instanceof BigInteger || d instanceof Long) {
                throw new IllegalArgumentException("shape is not valid: " + PyLiteral.repr(shapeValue)
                        + (d instanceof Long ? " (negative dimension)" : " (dimension too large)"));
            } else {
                throw new IllegalArgumentException("shape is not valid: " + PyLiteral.repr(shapeValue));
            }
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean fortranOrder)) {
            throw new IllegalArgumentException("fortran_order is not a valid bool: " + PyLiteral.repr(fortran));
        }
        DType dtype;
        try {
            dtype = DType.fromDescr(dict.get("descr"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("descr is not a valid dtype descriptor: "
                    + PyLiteral.repr(dict.get("descr")) + ": " + e.getMessage(), e);
        }
        return new NumpyHeader(dtype, shape, fortranOrder);
    }

    /**
     * {@return a shape as a Python tuple: {@code ()}, {@code (5,)}, {@code (4, 3)}}
     *
     * @param shape the dimensions
     */
    public static String shapeString(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NumpyHeader h && h.dtype.equals(dtype) && java.util.Arrays.equals(h.shape, shape)
                && h.fortranOrder == fortranOrder;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, java.util.Arrays.hashCode(shape), fortranOrder);
    }
}
