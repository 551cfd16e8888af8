package io.spead4j;

/**
 * One entry of a legacy SPEAD format list: a type code character ({@code u}, {@code i}, {@code f},
 * {@code b}, {@code c}, ...) and a width in bits, as in spead2's {@code ('u', 40)}.
 *
 * @param code the type code
 * @param bits the width in bits
 */
public record FormatEntry(char code, long bits) {
    @Override
    public String toString() {
        return "(" + code + ", " + bits + ")";
    }
}
