package io.spead4j.flink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Assigns the endpoints across the source's parallel readers: endpoint {@code i} (in the order given to the
 * builder) goes to reader {@code i mod parallelism}, so each reader gets a fixed, even share, and a reader
 * that restarts gets its own endpoints back. Endpoints wait until their reader has registered. In bounded
 * mode every reader is then told that no more endpoints will come, so it finishes once its streams stopped.
 */
final class SpeadEndpointEnumerator implements SplitEnumerator<SpeadEndpoint, Collection<SpeadEndpoint>> {
    private final SplitEnumeratorContext<SpeadEndpoint> context;
    private final boolean bounded;
    /** Endpoints not yet assigned, by the reader they are meant for. */
    private final Map<Integer, List<SpeadEndpoint>> pending = new TreeMap<>();

    SpeadEndpointEnumerator(SplitEnumeratorContext<SpeadEndpoint> context, Collection<SpeadEndpoint> unassigned,
                            boolean bounded) {
        this.context = context;
        this.bounded = bounded;
        int parallelism = context.currentParallelism();
        int i = 0;
        for (SpeadEndpoint e : unassigned) {
            pending.computeIfAbsent(i++ % parallelism, k -> new ArrayList<>()).add(e);
        }
    }

    @Override
    public void start() {
        for (int reader : context.registeredReaders().keySet()) {
            assignTo(reader);
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // endpoints are pushed when a reader registers; requests need no answer
    }

    @Override
    public void addSplitsBack(List<SpeadEndpoint> splits, int subtaskId) {
        pending.computeIfAbsent(subtaskId, k -> new ArrayList<>()).addAll(splits);
        if (context.registeredReaders().containsKey(subtaskId)) {
            assignTo(subtaskId);
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assignTo(subtaskId);
    }

    private void assignTo(int reader) {
        List<SpeadEndpoint> mine = pending.remove(reader);
        if (mine != null) {
            for (SpeadEndpoint e : mine) {
                context.assignSplit(e, reader);
            }
        }
        if (bounded) {
            context.signalNoMoreSplits(reader);
        }
    }

    @Override
    public Collection<SpeadEndpoint> snapshotState(long checkpointId) {
        List<SpeadEndpoint> all = new ArrayList<>();
        pending.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {
        // nothing held
    }
}
