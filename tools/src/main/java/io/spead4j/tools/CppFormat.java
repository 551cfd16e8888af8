package io.spead4j.tools;

import java.util.Locale;

/** Number formatting as C++ iostreams print it, so the tools' output matches spead2's tools. */
final class CppFormat {
    private CppFormat() {
    }

    /**
     * A double as {@code std::ostream << value} prints it with the default precision: {@code %g} with six
     * significant digits, trailing zeros removed ({@code 0.000123457}, {@code 1.5}, {@code 1.23457e+06}).
     *
     * @param value the value
     * @return its text
     */
    static String general(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0.0) {
            return (1.0 / value) < 0 ? "-0" : "0";
        }
        String sci = String.format(Locale.ROOT, "%.5e", value);
        int e = sci.indexOf('e');
        int exponent = Integer.parseInt(sci.substring(e + 1));
        if (exponent < -4 || exponent >= 6) {
            return stripZeros(sci.substring(0, e)) + sci.substring(e);
        }
        return stripZeros(String.format(Locale.ROOT, "%." + (5 - exponent) + "f", value));
    }

    private static String stripZeros(String fixed) {
        if (fixed.indexOf('.') < 0) {
            return fixed;
        }
        int end = fixed.length();
        while (fixed.charAt(end - 1) == '0') {
            end--;
        }
        if (fixed.charAt(end - 1) == '.') {
            end--;
        }
        return fixed.substring(0, end);
    }

    /**
     * An integer as {@code std::showbase << std::hex} prints it: {@code 0} for zero, else {@code 0x…}.
     *
     * @param value the value (unsigned)
     * @return its text
     */
    static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }
}
