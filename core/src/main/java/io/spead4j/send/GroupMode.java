package io.spead4j.send;

/** How the packets of a group of heaps sent together are ordered, spead2's {@code GroupMode}. */
public enum GroupMode {
    /** One packet of each heap in list order, cycling and skipping exhausted heaps, until all are sent. */
    ROUND_ROBIN,
    /** All packets of the first heap, then all of the second, and so on. */
    SERIAL
}
