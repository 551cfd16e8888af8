/**
 * Runnable examples of spead4j, mirroring spead2's {@code examples/}: they use only what module
 * {@code io.spead4j} exports.
 */
module io.spead4j.examples {
    requires io.spead4j;

    exports io.spead4j.examples;
}
