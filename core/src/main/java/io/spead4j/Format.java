package io.spead4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A legacy SPEAD format list, such as {@code [('u', 40)]} or {@code [('i', 32), ('f', 64)]}, with the internal
 * numpy type spead2's Python layer derives from it ({@code _parse_format}): {@code u}/{@code i} of 8, 16, 32 or
 * 64 bits → big-endian integers, {@code f} 32/64 → big-endian floats, {@code b} 8 → bool, {@code c} 8 →
 * {@code S1}; any other width of {@code u}, {@code i}, {@code b} → the object type (decoded bit by bit).
 * Several fields make a record with fields {@code f0, f1, ...}. Instances are immutable.
 */
public final class Format {
    /** The largest field width spead4j decodes, in bits (spead2 has no limit). */
    public static final int MAX_FIELD_BITS = 64;

    private final List<FormatEntry> entries;
    private final DType dtype;
    private final long bits;

    private Format(List<FormatEntry> entries, DType dtype, long bits) {
        this.entries = entries;
        this.dtype = dtype;
        this.bits = bits;
    }

    /**
     * Validates a format list and derives its internal type.
     *
     * @param entries the fields (code, width in bits)
     * @return the format
     * @throws IllegalArgumentException for an empty list, a width of 0 ("bug_compat mismatch?") or below, an
     *     unknown code, an illegal width for {@code f} or {@code c}, or a width above {@link #MAX_FIELD_BITS}
     */
    public static Format of(List<FormatEntry> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("empty format");
        }
        List<DType> types = new ArrayList<>();
        long total = 0;
        for (FormatEntry e : entries) {
            char code = e.code();
            long length = e.bits();
            if (length == 0) {
                throw new IllegalArgumentException("zero-length field (bug_compat mismatch?) in format " + text(entries));
            }
            if (length < 0) {
                throw new IllegalArgumentException("negative-length field in format " + text(entries));
            }
            DType t;
            if ((code == 'u' || code == 'i') && (length == 8 || length == 16 || length == 32 || length == 64)) {
                t = DType.of(code, (int) (length / 8), DType.BIG);
            } else if (code == 'f' && (length == 32 || length == 64)) {
                t = DType.of('f', (int) (length / 8), DType.BIG);
            } else if (code == 'b' && length == 8) {
                t = DType.BOOL;
            } else if (code == 'c' && length == 8) {
                t = DType.BYTES1;
            } else if (code == 'u' || code == 'i' || code == 'b') {
                if (length > MAX_FIELD_BITS) {
                    throw new IllegalArgumentException("format field (" + code + ", " + length + ") is wider than "
                            + MAX_FIELD_BITS + " bits, which spead4j does not support");
                }
                t = DType.OBJECT;
            } else {
                throw new IllegalArgumentException("illegal format (" + code + ", " + length + ")");
            }
            types.add(t);
            total += length;
        }
        DType dtype = types.size() == 1 ? types.get(0) : DType.record(types);
        return new Format(List.copyOf(entries), dtype, total);
    }

    /**
     * Validates format fields and derives their internal type, as {@link #of(List)}.
     *
     * @param entries the fields (code, width in bits)
     * @return the format
     * @throws IllegalArgumentException as {@link #of(List)}
     */
    public static Format of(FormatEntry... entries) {
        return of(List.of(entries));
    }

    /**
     * Creates the one-field format {@code [(code, bits)]}, as {@link #of(List)}.
     *
     * @param code the field's type code: {@code 'u'}, {@code 'i'}, {@code 'f'}, {@code 'b'} or {@code 'c'}
     * @param bits the field's width in bits
     * @return the format
     * @throws IllegalArgumentException as {@link #of(List)}
     */
    public static Format of(char code, long bits) {
        return of(List.of(new FormatEntry(code, bits)));
    }

    /**
     * Parses a Python literal format list such as {@code [('u', 40)]}, {@code [('i', 32), ('f', 64)]} (a bare
     * tuple {@code ('u', 12)} is one field).
     *
     * @param text the literal
     * @return the format
     * @throws IllegalArgumentException if the text is not a list of (one-character string, integer) tuples or
     *     the format is invalid
     */
    public static Format parse(String text) {
        Object literal = PyLiteral.parse(text);
        List<Object> items;
        if (literal instanceof PyLiteral.Tuple t && t.size() == 2 && t.get(0) instanceof String) {
            items = List.of(t);
        } else if (literal instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else {
            throw new IllegalArgumentException("format must be a list of (code, bits) tuples: " + text);
        }
        List<FormatEntry> entries = new ArrayList<>();
        for (Object o : items) {
            Object code = null;
            Object bits = null;
            if (o instanceof PyLiteral.Tuple t && t.size() == 2) {
                code = t.get(0);
                bits = t.get(1);
            } else if (o instanceof List<?> l && l.size() == 2) {
                code = l.get(0);
                bits = l.get(1);
            }
            if (!(code instanceof String c) || c.length() != 1 || !(bits instanceof Long b)) {
                throw new IllegalArgumentException("format entry must be a (code, bits) pair: " + PyLiteral.repr(o)
                        + " in " + text);
            }
            entries.add(new FormatEntry(c.charAt(0), b));
        }
        return of(entries);
    }

    /** {@return the fields} */
    public List<FormatEntry> entries() {
        return entries;
    }

    /** {@return the internal numpy type (big-endian numbers, {@code ?}, {@code S1}, object, or a record of them)} */
    public DType dtype() {
        return dtype;
    }

    /** {@return bits per element: the sum of the field widths} */
    public long bits() {
        return bits;
    }

    /** {@return true if some field needs the bit-level path (the internal type holds objects)} */
    public boolean hasObject() {
        return dtype.hasObject();
    }

    /** {@return true if this is exactly {@code [('c', 8)]}, whose one-dimensional items decode to strings} */
    public boolean isString() {
        return entries.size() == 1 && entries.get(0).code() == 'c' && entries.get(0).bits() == 8;
    }

    /** {@return the Python literal, e.g. {@code [('u', 40)]}} */
    @Override
    public String toString() {
        return text(entries);
    }

    private static String text(List<FormatEntry> entries) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("('").append(entries.get(i).code()).append("', ").append(entries.get(i).bits()).append(')');
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Format f && f.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
