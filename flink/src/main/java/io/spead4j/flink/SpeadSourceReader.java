package io.spead4j.flink;

import java.util.Map;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The source's reader: Flink's single-fetcher reader base around a {@link SpeadSplitReader}. Records are
 * emitted through each endpoint's own split output, so a watermark strategy set on the source generates
 * watermarks per endpoint and the reader's watermark is their minimum. An endpoint has no state (UDP has no
 * position to resume from).
 *
 * @param <T> the record type
 */
// Flink's reader interfaces declare close() throws Exception; the reader is closed by Flink, not in a try block
@SuppressWarnings("try")
final class SpeadSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<SpeadSplitReader.Received<T>, T, SpeadEndpoint, SpeadEndpoint> {

    /** The metric counting incomplete heaps dropped by this reader. */
    static final String INCOMPLETE_HEAPS_METRIC = "speadIncompleteHeaps";

    SpeadSourceReader(SourceReaderContext context, SpeadSource.Settings settings, SpeadDeserializer<T> deserializer) {
        this(context, settings, deserializer,
                context.metricGroup().counter(INCOMPLETE_HEAPS_METRIC, new ThreadSafeSimpleCounter()));
    }

    private SpeadSourceReader(SourceReaderContext context, SpeadSource.Settings settings,
                              SpeadDeserializer<T> deserializer, Counter incomplete) {
        super(() -> new SpeadSplitReader<>(settings, deserializer, incomplete, context.getIndexOfSubtask()),
                new Emitter<>(),
                new Configuration(), context);
    }

    @Override
    public void start() {
        // endpoints are pushed by the enumerator when this reader registers
    }

    @Override
    protected void onSplitFinished(Map<String, SpeadEndpoint> finished) {
        // a finished endpoint's stream was stopped by its sender (stop heap); nothing to clean up here
    }

    @Override
    protected SpeadEndpoint initializedState(SpeadEndpoint split) {
        return split;
    }

    @Override
    protected SpeadEndpoint toSplitType(String splitId, SpeadEndpoint state) {
        return state;
    }

    /** Emits a record with its event time (if the heap had the timestamp item) on its endpoint's output. */
    private static final class Emitter<T> implements RecordEmitter<SpeadSplitReader.Received<T>, T, SpeadEndpoint> {
        @Override
        public void emitRecord(SpeadSplitReader.Received<T> r, SourceOutput<T> output, SpeadEndpoint split) {
            if (r.timestamp() == Long.MIN_VALUE) {
                output.collect(r.value());
            } else {
                output.collect(r.value(), r.timestamp());
            }
        }
    }
}
