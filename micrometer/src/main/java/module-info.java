/**
 * spead4j-micrometer: binds a spead4j receive stream's statistics, drop reasons and gauges to a Micrometer
 * {@code MeterRegistry} ({@link io.spead4j.micrometer.StreamMetrics}). Optional: spead4j's core does not
 * depend on Micrometer.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer ships no module descriptor, only an automatic name
module io.spead4j.micrometer {
    requires transitive io.spead4j;
    requires transitive micrometer.core;

    exports io.spead4j.micrometer;
}
