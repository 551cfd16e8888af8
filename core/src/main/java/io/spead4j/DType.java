package io.spead4j;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A numpy data type as SPEAD numpy headers spell it: a scalar type ({@code |b1}, {@code |i1}, {@code <u2},
 * {@code >f8}, {@code <c8}, {@code |S1}, ...) or a record of named fields ({@code [('f0', '>i4'), ('f1',
 * '>f8')]}), plus the object type {@code |O} that spead2 uses internally for bit-level format fields.
 *
 * <p>{@link #toString()} gives numpy's {@code dtype.str} for scalar types and numpy's {@code descr} list for
 * records, the strings a numpy header carries. {@link #parse(String)} reads those forms and the usual numpy
 * spellings ({@code ?}, {@code =i4}, {@code int32}, {@code float64}, ...). Native byte order is resolved to
 * {@code <} or {@code >} as numpy does. Instances are immutable.
 */
public final class DType {
    /** Kind of a boolean type ({@code |b1}). */
    public static final char KIND_BOOL = 'b';
    /** Kind of a signed integer type. */
    public static final char KIND_INT = 'i';
    /** Kind of an unsigned integer type. */
    public static final char KIND_UINT = 'u';
    /** Kind of a floating-point type (2, 4 or 8 bytes). */
    public static final char KIND_FLOAT = 'f';
    /** Kind of a complex type (8 or 16 bytes). */
    public static final char KIND_COMPLEX = 'c';
    /** Kind of a fixed-length byte string ({@code |S1}). */
    public static final char KIND_BYTES = 'S';
    /** Kind of the object type ({@code |O}): values that are not stored as bytes. */
    public static final char KIND_OBJECT = 'O';
    /** Kind of a record type (numpy's "void" kind). */
    public static final char KIND_RECORD = 'V';

    /** Little-endian byte order mark. */
    public static final char LITTLE = '<';
    /** Big-endian byte order mark. */
    public static final char BIG = '>';
    /** Byte order mark of types for which byte order does not matter. */
    public static final char NOT_APPLICABLE = '|';

    /** {@code |b1}. */
    public static final DType BOOL = new DType(KIND_BOOL, 1, NOT_APPLICABLE, List.of());
    /** {@code |i1}. */
    public static final DType INT8 = new DType(KIND_INT, 1, NOT_APPLICABLE, List.of());
    /** {@code |u1}. */
    public static final DType UINT8 = new DType(KIND_UINT, 1, NOT_APPLICABLE, List.of());
    /** {@code |S1}. */
    public static final DType BYTES1 = new DType(KIND_BYTES, 1, NOT_APPLICABLE, List.of());
    /** {@code |O}: a Python object, spead2's internal type for bit-level format fields. */
    public static final DType OBJECT = new DType(KIND_OBJECT, 8, NOT_APPLICABLE, List.of());

    private static final char NATIVE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? LITTLE : BIG;
    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("bool", "|b1"), Map.entry("int8", "|i1"), Map.entry("uint8", "|u1"),
            Map.entry("int16", "=i2"), Map.entry("uint16", "=u2"), Map.entry("int32", "=i4"),
            Map.entry("uint32", "=u4"), Map.entry("int64", "=i8"), Map.entry("uint64", "=u8"),
            Map.entry("float16", "=f2"), Map.entry("float32", "=f4"), Map.entry("float64", "=f8"),
            Map.entry("complex64", "=c8"), Map.entry("complex128", "=c16"), Map.entry("object", "|O"),
            Map.entry("b", "|i1"), Map.entry("B", "|u1"), Map.entry("h", "=i2"), Map.entry("H", "=u2"),
            Map.entry("l", "=i8"), Map.entry("L", "=u8"), Map.entry("q", "=i8"), Map.entry("Q", "=u8"),
            Map.entry("e", "=f2"), Map.entry("d", "=f8"), Map.entry("F", "=c8"), Map.entry("D", "=c16"),
            Map.entry("?", "|b1"));

    /**
     * One named field of a record type.
     *
     * @param name the field name
     * @param type the field's type (not a record)
     * @param offset byte offset of the field in the record
     */
    public record Field(String name, DType type, int offset) {
        /** Checks the arguments. */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    private final char kind;
    private final int itemsize;
    private final char byteOrder;
    private final List<Field> fields;

    private DType(char kind, int itemsize, char byteOrder, List<Field> fields) {
        this.kind = kind;
        this.itemsize = itemsize;
        this.byteOrder = byteOrder;
        this.fields = fields;
    }

    /**
     * Creates a scalar (non-record) type.
     *
     * @param kind one of {@code b i u f c S O}
     * @param itemsize size in bytes: 1 for b; 1, 2, 4, 8 for i/u; 2, 4, 8 for f; 8, 16 for c; any positive for S
     * @param byteOrder {@code <}, {@code >}, {@code =} (native) or {@code |}; forced to {@code |} for one-byte
     *     types; {@code =} and {@code |} mean native order for others
     * @return the type
     * @throws IllegalArgumentException if the combination is not a numpy type spead4j supports
     */
    public static DType of(char kind, int itemsize, char byteOrder) {
        boolean ok = switch (kind) {
            case KIND_BOOL -> itemsize == 1;
            case KIND_INT, KIND_UINT -> itemsize == 1 || itemsize == 2 || itemsize == 4 || itemsize == 8;
            case KIND_FLOAT -> itemsize == 2 || itemsize == 4 || itemsize == 8;
            case KIND_COMPLEX -> itemsize == 8 || itemsize == 16;
            case KIND_BYTES -> itemsize > 0;
            case KIND_OBJECT -> true;
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("unsupported numpy dtype kind '" + kind + "' with itemsize " + itemsize);
        }
        if (kind == KIND_OBJECT) {
            return OBJECT;
        }
        char order = switch (byteOrder) {
            case LITTLE, BIG -> byteOrder;
            case '=' -> NATIVE;
            case NOT_APPLICABLE -> NOT_APPLICABLE;
            default -> throw new IllegalArgumentException("invalid byte order '" + byteOrder + "'");
        };
        boolean single = itemsize == 1 || kind == KIND_BYTES;
        if (single) {
            order = NOT_APPLICABLE;
        } else if (order == NOT_APPLICABLE) {
            order = NATIVE; // numpy reads '|' on a multi-byte type as native order
        }
        return new DType(kind, itemsize, order, List.of());
    }

    /**
     * Creates a packed record type (numpy's default layout: fields back to back).
     *
     * @param names field names, distinct
     * @param types field types, scalar (not records)
     * @return the record type
     * @throws IllegalArgumentException if the lists are empty, of different lengths, names repeat, or a
     *     type is a record
     */
    public static DType record(List<String> names, List<DType> types) {
        if (names.size() != types.size()) {
            throw new IllegalArgumentException("record needs as many names as types");
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("record needs at least one field");
        }
        List<Field> fields = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int offset = 0;
        for (int i = 0; i < names.size(); i++) {
            DType t = Objects.requireNonNull(types.get(i), "type");
            String n = Objects.requireNonNull(names.get(i), "name");
            if (t.isRecord()) {
                throw new IllegalArgumentException("nested record fields are not supported (field '" + n + "')");
            }
            if (!seen.add(n)) {
                throw new IllegalArgumentException("field name '" + n + "' occurs twice in record");
            }
            fields.add(new Field(n, t, offset));
            offset += t.itemsize;
        }
        return new DType(KIND_RECORD, offset, NOT_APPLICABLE, List.copyOf(fields));
    }

    /**
     * Creates a packed record with numpy's default field names {@code f0, f1, ...}, as numpy does for a
     * comma-separated dtype string.
     *
     * @param types field types
     * @return the record type
     */
    public static DType record(List<DType> types) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            names.add("f" + i);
        }
        return record(names, types);
    }

    /**
     * Parses a numpy dtype string: {@code dtype.str} forms ({@code <i4}, {@code |b1}, {@code >c16},
     * {@code S1}, {@code |O}), one-character codes ({@code ?}, {@code b}, {@code B}, {@code h}, {@code d},
     * ...), names ({@code int32}, {@code float64}, ...), comma-separated field lists ({@code >i4,>f8}) and
     * Python descr lists ({@code [('f0', '>i4'), ('f1', '>f8')]}).
     *
     * @param text the dtype text
     * @return the type
     * @throws IllegalArgumentException if the text is not a dtype spead4j understands
     */
    public static DType parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.startsWith("[")) {
            return fromDescr(PyLiteral.parse(s));
        }
        if (s.contains(",")) {
            List<DType> types = new ArrayList<>();
            for (String part : s.split(",", -1)) {
                types.add(parseScalar(part.strip(), text));
            }
            return record(types);
        }
        return parseScalar(s, text);
    }

    /**
     * Builds a type from a parsed Python literal of a numpy header's {@code descr}: a string, or a list of
     * {@code (name, type)} tuples.
     */
    static DType fromDescr(Object descr) {
        if (descr instanceof String s) {
            return parse(s);
        }
        if (descr instanceof List<?> list) {
            List<String> names = new ArrayList<>();
            List<DType> types = new ArrayList<>();
            for (Object entry : list) {
                if (!(entry instanceof PyLiteral.Tuple t) || t.size() != 2 || !(t.get(0) instanceof String name)) {
                    throw new IllegalArgumentException("descr is not a valid dtype descriptor: "
                            + PyLiteral.repr(descr) + " (each field must be a (name, type) tuple)");
                }
                DType type = fromDescr(t.get(1));
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("descr is not a valid dtype descriptor: "
                            + PyLiteral.repr(descr) + " (padding fields are not supported)");
                }
                names.add(name);
                types.add(type);
            }
            return record(names, types);
        }
        throw new IllegalArgumentException("descr is not a valid dtype descriptor: " + PyLiteral.repr(descr));
    }

    private static DType parseScalar(String s, String original) {
        String mapped = NAMES.get(s);
        if (mapped != null) {
            s = mapped;
        }
        if (s.isEmpty()) {
            throw bad(original);
        }
        char order = '=';
        char first = s.charAt(0);
        if (first == LITTLE || first == BIG || first == '=' || first == NOT_APPLICABLE) {
            order = first;
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            throw bad(original);
        }
        char kind = s.charAt(0);
        String digits = s.substring(1);
        if (kind == '?' && digits.isEmpty()) {
            return BOOL;
        }
        if (kind == KIND_OBJECT && digits.isEmpty() || kind == KIND_OBJECT && digits.equals("8")) {
            return OBJECT;
        }
        if (kind == KIND_BYTES && digits.isEmpty()) {
            throw new IllegalArgumentException("zero-sized dtype '" + original + "' is not supported");
        }
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 6) {
            throw bad(original);
        }
        int size = Integer.parseInt(digits);
        if (kind == KIND_INT || kind == KIND_UINT || kind == KIND_FLOAT || kind == KIND_COMPLEX
                || kind == KIND_BOOL || kind == KIND_BYTES) {
            try {
                return of(kind, size, order);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data type '" + original + "' not understood: " + e.getMessage(), e);
            }
        }
        throw bad(original);
    }

    private static IllegalArgumentException bad(String original) {
        return new IllegalArgumentException("data type '" + original + "' not understood");
    }

    /** {@return the kind: one of {@code b i u f c S O V} (V for records)} */
    public char kind() {
        return kind;
    }

    /** {@return the size of one element in bytes} */
    public int itemsize() {
        return itemsize;
    }

    /** {@return {@code <}, {@code >} or {@code |} (one-byte types, byte strings, objects and records)} */
    public char byteOrder() {
        return byteOrder;
    }

    /** {@return the byte order of this type's multi-byte values: little-endian for {@code <}, else big-endian} */
    public ByteOrder order() {
        return byteOrder == LITTLE ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /** {@return true for record types} */
    public boolean isRecord() {
        return kind == KIND_RECORD;
    }

    /** {@return the fields of a record type, empty for scalar types} */
    public List<Field> fields() {
        return fields;
    }

    /** {@return true if this type is or contains the object type (spead2's bit-level path)} */
    public boolean hasObject() {
        if (kind == KIND_OBJECT) {
            return true;
        }
        for (Field f : fields) {
            if (f.type.hasObject()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Swaps the byte order, as numpy's {@code newbyteorder()}: {@code <} and {@code >} swap, {@code |} stays;
     * record fields swap each.
     *
     * @return the swapped type
     */
    public DType newByteOrder() {
        if (isRecord()) {
            List<String> names = new ArrayList<>();
            List<DType> types = new ArrayList<>();
            for (Field f : fields) {
                names.add(f.name);
                types.add(f.type.newByteOrder());
            }
            return record(names, types);
        }
        return switch (byteOrder) {
            case LITTLE -> new DType(kind, itemsize, BIG, fields);
            case BIG -> new DType(kind, itemsize, LITTLE, fields);
            default -> this;
        };
    }

    /**
     * Sets the byte order, as numpy's {@code newbyteorder(order)}.
     *
     * @param order {@code <}, {@code >}, {@code =} (native), {@code |} (keep), {@code S} (swap)
     * @return the type with that byte order (one-byte fields keep {@code |})
     */
    public DType withByteOrder(char order) {
        if (order == NOT_APPLICABLE) {
            return this;
        }
        if (order == 'S' || order == 's') {
            return newByteOrder();
        }
        char target = order == '=' ? NATIVE : order;
        if (target != LITTLE && target != BIG) {
            throw new IllegalArgumentException("invalid byte order '" + order + "'");
        }
        if (isRecord()) {
            List<String> names = new ArrayList<>();
            List<DType> types = new ArrayList<>();
            for (Field f : fields) {
                names.add(f.name);
                types.add(f.type.withByteOrder(target));
            }
            return record(names, types);
        }
        return byteOrder == NOT_APPLICABLE || byteOrder == target ? this : new DType(kind, itemsize, target, fields);
    }

    /** {@return numpy's {@code dtype.str}: {@code <i4}, {@code |b1}, ...; {@code |V<n>} for records} */
    public String str() {
        if (kind == KIND_OBJECT) {
            return "|O";
        }
        return String.valueOf(byteOrder) + (kind == KIND_RECORD ? 'V' : kind) + itemsize;
    }

    /**
     * {@return the Python literal a numpy header's {@code descr} holds: {@code '<i4'} (quoted) for scalar types,
     *     {@code [('f0', '>i4'), ('f1', '>f8')]} for records}
     */
    public String descrLiteral() {
        if (!isRecord()) {
            return "'" + str() + "'";
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("('").append(f.name).append("', ").append(f.type.descrLiteral()).append(')');
        }
        return sb.append(']').toString();
    }

    /** {@return {@link #str()} for scalar types, the descr list for records (what {@link #parse} reads back)} */
    @Override
    public String toString() {
        return isRecord() ? descrLiteral() : str();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DType d && d.kind == kind && d.itemsize == itemsize && d.byteOrder == byteOrder
                && d.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, itemsize, byteOrder, fields);
    }
}
