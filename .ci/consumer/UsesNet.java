package consumer;

/**
 * Must not compile in a module that requires io.spead4j: io.spead4j.net is not exported (its classes are
 * public for use inside the module only). .ci/consumer-check.sh asserts the compilation fails for that reason.
 */
public final class UsesNet {
    private UsesNet() {
    }

    /** @return a type of the internal package */
    public static Class<?> internal() {
        return io.spead4j.net.PcapWriter.class;
    }
}
