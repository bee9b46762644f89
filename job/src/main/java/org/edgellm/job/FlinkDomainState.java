package org.edgellm.job;

import java.util.Iterator;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.util.FlinkRuntimeException;
import org.edgellm.job.domain.DomainState;

/**
 * A domain's state in Flink keyed state (of the current key): the coordinator's state names and
 * POJO classes, unchanged, so that savepoints restore. State access failures become {@link
 * FlinkRuntimeException}s (they fail the task, which then restores from its last checkpoint).
 */
final class FlinkDomainState implements DomainState {
    private final ValueState<PendingQueue> queue;
    private final MapState<String, Double> known;
    private final MapState<String, UserChannels> channels;
    private final MapState<String, NodeRuntime> nodes;
    private final ValueState<Long> inputsSeen;

    FlinkDomainState(
            ValueState<PendingQueue> queue,
            MapState<String, Double> known,
            MapState<String, UserChannels> channels,
            MapState<String, NodeRuntime> nodes,
            ValueState<Long> inputsSeen) {
        this.queue = queue;
        this.known = known;
        this.channels = channels;
        this.nodes = nodes;
        this.inputsSeen = inputsSeen;
    }

    interface Access<T> {
        T get() throws Exception;
    }

    interface Action {
        void run() throws Exception;
    }

    private static <T> T read(Access<T> a) {
        try {
            return a.get();
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state access failed", e);
        }
    }

    private static void write(Action a) {
        try {
            a.run();
        } catch (Exception e) {
            throw new FlinkRuntimeException("keyed state access failed", e);
        }
    }

    @Override
    public PendingQueue pending() {
        PendingQueue q = read(queue::value);
        return q == null ? new PendingQueue() : q;
    }

    @Override
    public void storePending(PendingQueue q) {
        write(() -> queue.update(q));
    }

    @Override
    public boolean knowsId(String requestId) {
        return read(() -> known.contains(requestId));
    }

    @Override
    public void rememberId(String requestId, double deadline) {
        write(() -> known.put(requestId, deadline));
    }

    @Override
    public void forgetIdsBefore(double horizon) {
        write(
                () -> {
                    for (Iterator<Map.Entry<String, Double>> it = known.iterator();
                            it.hasNext(); ) {
                        if (it.next().getValue() < horizon) {
                            it.remove();
                        }
                    }
                });
    }

    @Override
    public UserChannels channels(String userId) {
        return read(() -> channels.get(userId));
    }

    @Override
    public void storeChannels(String userId, UserChannels u) {
        write(() -> channels.put(userId, u));
    }

    @Override
    public void forgetChannelsBefore(long horizon) {
        write(
                () -> {
                    for (Iterator<Map.Entry<String, UserChannels>> it = channels.iterator();
                            it.hasNext(); ) {
                        if (it.next().getValue().newest() < horizon) {
                            it.remove();
                        }
                    }
                });
    }

    @Override
    public boolean remembersNothing() {
        return read(() -> known.isEmpty() && channels.isEmpty());
    }

    @Override
    public long inputsSeen() {
        Long t = read(inputsSeen::value);
        return t == null ? Long.MIN_VALUE : t;
    }

    @Override
    public void storeInputsSeen(long time) {
        write(() -> inputsSeen.update(time));
    }

    @Override
    public boolean hasNodes() {
        return !read(nodes::isEmpty);
    }

    @Override
    public SortedMap<String, NodeRuntime> nodes() {
        return read(
                () -> {
                    SortedMap<String, NodeRuntime> m = new TreeMap<>();
                    for (Map.Entry<String, NodeRuntime> e : nodes.entries()) {
                        m.put(e.getKey(), e.getValue());
                    }
                    return m;
                });
    }

    @Override
    public NodeRuntime node(String nodeId) {
        return read(() -> nodes.get(nodeId));
    }

    @Override
    public void storeNode(String nodeId, NodeRuntime n) {
        write(() -> nodes.put(nodeId, n));
    }
}
