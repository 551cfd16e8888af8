package io.spead4j;

/**
 * A complex number, the Java value of one element of a numpy {@code c8} or {@code c16} array ({@code c8}
 * parts are float32 values widened to double).
 *
 * @param re the real part
 * @param im the imaginary part
 */
public record Complex(double re, double im) {
    /** {@return the number in Python's {@code (re+imj)} style, with Java number formatting, e.g. {@code (1.0+2.0j)}} */
    @Override
    public String toString() {
        return "(" + re + (im < 0 || (im == 0 && 1 / im < 0) ? "" : "+") + im + "j)";
    }
}
