package io.spead4j.send;

/** How a send stream limits its rate, spead2's {@code RateMethod}. */
public enum RateMethod {
    /** Software rate limiting by the stream's writer. */
    SW,
    /** Hardware rate limiting; no spead4j transport has it, so it falls back to {@link #SW}. */
    HW,
    /** Hardware if the transport supports it, else software (always software in spead4j). */
    AUTO
}
