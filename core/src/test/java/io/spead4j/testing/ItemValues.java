package io.spead4j.testing;

import io.spead4j.Complex;
import io.spead4j.DType;
import io.spead4j.FormatEntry;
import io.spead4j.Item;
import io.spead4j.NdArray;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An item's value in the form the conformance json gives it ({@code item_group.*.value}), as plain Java values
 * that compare with {@code equals} against {@link Conformance#plain}: integers as {@link BigInteger} (a 64-bit
 * unsigned field whose {@code long} is negative is read as its two's-complement bits, so 2^64 - 1 compares
 * right), floats as {@code Double}, nested lists for arrays and records, {@code {"bytes": base64}} for a
 * {@code byte[]}, {@code {"complex": ...}} for complex values and {@code {"summary": ...}} for arrays of more
 * than {@value #SUMMARY_LIMIT} elements.
 */
public final class ItemValues {
    /** Arrays with more elements than this are summarised in the json. */
    public static final int SUMMARY_LIMIT = 4096;

    /** @return the json form of the item's value @param item the item */
    public static Object of(Item item) {
        return of(item, SUMMARY_LIMIT);
    }

    /** @return the json form of the item's value with every element, however large @param item the item */
    public static Object exact(Item item) {
        return of(item, Integer.MAX_VALUE);
    }

    private static Object of(Item item, int summaryLimit) {
        boolean[] unsigned64 = unsigned64(item);
        boolean record = unsigned64.length > 1 || (item.dtype() != null && item.dtype().isRecord());
        return new ItemValues(summaryLimit).convert(item.value(), 0, item.shape().length, record, unsigned64);
    }

    private final int summaryLimit;

    private ItemValues(int summaryLimit) {
        this.summaryLimit = summaryLimit;
    }

    /** Which fields (one entry unless the element is a record) are 64-bit unsigned integers. */
    private static boolean[] unsigned64(Item item) {
        if (item.dtype() != null) {
            DType t = item.dtype();
            if (t.isRecord()) {
                boolean[] out = new boolean[t.fields().size()];
                for (int i = 0; i < out.length; i++) {
                    DType f = t.fields().get(i).type();
                    out[i] = f.kind() == DType.KIND_UINT && f.itemsize() == 8;
                }
                return out;
            }
            return new boolean[] {t.kind() == DType.KIND_UINT && t.itemsize() == 8};
        }
        List<FormatEntry> entries = item.format().entries();
        boolean[] out = new boolean[entries.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = entries.get(i).code() == 'u' && entries.get(i).bits() == 64;
        }
        return out;
    }

    private Object convert(Object value, int depth, int ndim, boolean record, boolean[] unsigned64) {
        if (value instanceof NdArray a) {
            if (a.dtype().kind() == DType.KIND_COMPLEX) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("complex", convert(a.toNested(), depth, ndim, record, unsigned64));
                m.put("shape", shape(a.shape()));
                return m;
            }
            if (a.size() > summaryLimit) {
                Map<String, Object> s = new LinkedHashMap<>();
                List<Object> first = new ArrayList<>();
                List<Object> last = new ArrayList<>();
                double sum = 0;
                for (int i = 0; i < a.size(); i++) {
                    Object v = a.getFlat(i);
                    sum += unsigned64[0] && v instanceof Long l ? unsigned(l).doubleValue() : ((Number) v).doubleValue();
                    if (i < 8) {
                        first.add(leaf(v, unsigned64[0]));
                    }
                    if (i >= a.size() - 8) {
                        last.add(leaf(v, unsigned64[0]));
                    }
                }
                s.put("first", first);
                s.put("last", last);
                s.put("shape", shape(a.shape()));
                s.put("sum", sum);
                return Map.of("summary", s);
            }
            return convert(a.toNested(), depth, ndim, record, unsigned64);
        }
        if (value instanceof List<?> l) {
            boolean fields = record && depth >= ndim;
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                Object o = l.get(i);
                if (o instanceof Complex c) {
                    out.add(List.of(c.re(), c.im()));
                } else if (fields) {
                    out.add(leaf(o, i < unsigned64.length && unsigned64[i]));
                } else {
                    out.add(convert(o, depth + 1, ndim, record, unsigned64));
                }
            }
            return out;
        }
        if (value instanceof Complex c) {
            return Map.of("complex", List.of(c.re(), c.im()));
        }
        return leaf(value, unsigned64.length == 1 && unsigned64[0]);
    }

    private static Object leaf(Object v, boolean unsigned64) {
        return switch (v) {
            case null -> null;
            case Long l -> unsigned64 ? unsigned(l) : BigInteger.valueOf(l);
            case Integer i -> BigInteger.valueOf(i);
            case Short s -> BigInteger.valueOf(s);
            case Byte b -> BigInteger.valueOf(b);
            case Float f -> (double) f;
            case byte[] b -> Map.of("bytes", Base64.getEncoder().encodeToString(b));
            case Complex c -> List.of(c.re(), c.im());
            default -> v;
        };
    }

    private static BigInteger unsigned(long bits) {
        return new BigInteger(Long.toUnsignedString(bits));
    }

    private static List<Object> shape(long[] shape) {
        List<Object> out = new ArrayList<>();
        for (long d : shape) {
            out.add(BigInteger.valueOf(d));
        }
        return out;
    }
}
