package org.edgellm.job;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.util.FlinkRuntimeException;
import org.edgellm.job.domain.DomainState;

/**
 * A domain's state in Flink keyed state (of the current key): the coordinator's state names and
 * value classes, unchanged, so that savepoints restore (their serializers: {@link
 * CoordinatorState}). State access failures become {@link FlinkRuntimeException}s (they fail the
 * task, which then restores from its last checkpoint).
 *
 * <p>Remembered request ids live in {@code known-id-hashes} ({@link KnownIdBuckets}: one array per
 * sixteenth of the hashes). State written by earlier releases keeps them in {@code known-ids}, one
 * entry per id, which the first access of the domain moves into the buckets (and empties). Nothing
 * writes {@code known-ids} since, so once this instance has moved (or found no) old ids of a domain
 * it does not look again: the look was a seek per request event under RocksDB.
 */
final class FlinkDomainState implements DomainState {
    private final ValueState<PendingQueue> queue;

    /** The ids as earlier releases kept them: read once per domain after a restore, then empty. */
    private final MapState<String, Double> known;

    private final MapState<Long, long[]> idBuckets;
    private final MapState<String, UserChannels> channels;
    private final MapState<String, NodeRuntime> nodes;
    private final ValueState<Long> inputsSeen;

    /**
     * Keys whose old ids this instance has moved or found none of; forgotten wholesale past {@link
     * #DRAINED_MAX} (they are then looked at once more, which is only slower).
     */
    private final Set<String> drained = new HashSet<>();

    static final int DRAINED_MAX = 100_000;

    /**
     * The key being processed ({@link #useKey}), or null: then the old ids are looked at always.
     */
    private String currentKey;

    /** The last id hashed (knowsId and rememberId come in pairs) and its hash. */
    private String hashedId;

    private long hashHi;
    private long hashLo;

    FlinkDomainState(
            ValueState<PendingQueue> queue,
            MapState<String, Double> known,
            MapState<Long, long[]> idBuckets,
            MapState<String, UserChannels> channels,
            MapState<String, NodeRuntime> nodes,
            ValueState<Long> inputsSeen) {
        this.queue = queue;
        this.known = known;
        this.idBuckets = idBuckets;
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

    private void hashOf(String requestId) {
        if (!requestId.equals(hashedId)) {
            long[] h = KnownIdBuckets.hash(requestId);
            hashHi = h[0];
            hashLo = h[1];
            hashedId = requestId;
        }
    }

    /** The key (domain) whose state the calls that follow address, until the next call. */
    void useKey(String key) {
        currentKey = key;
    }

    /** Whether this instance knows the current key's old ids to be moved already. */
    private boolean drainedHere() {
        return currentKey != null && drained.contains(currentKey);
    }

    /** Moves ids of state written by earlier releases into the buckets (none once it is empty). */
    private void moveLegacyIds() throws Exception {
        if (drainedHere()) {
            return;
        }
        if (!known.isEmpty()) {
            moveLegacyEntries();
        }
        if (currentKey != null) {
            if (drained.size() >= DRAINED_MAX) {
                drained.clear();
            }
            drained.add(currentKey);
        }
    }

    private void moveLegacyEntries() throws Exception {
        List<Map.Entry<String, Double>> old = new ArrayList<>();
        for (Map.Entry<String, Double> e : known.entries()) {
            old.add(Map.entry(e.getKey(), e.getValue()));
        }
        known.clear();
        for (Map.Entry<String, Double> e : old) {
            remember(e.getKey(), e.getValue());
        }
    }

    private void remember(String requestId, double deadline) throws Exception {
        hashOf(requestId);
        long bucket = KnownIdBuckets.bucketOf(hashHi);
        long[] b = idBuckets.get(bucket);
        long[] with = KnownIdBuckets.with(b, hashHi, hashLo, deadline);
        if (with != b) {
            idBuckets.put(bucket, with);
        }
    }

    @Override
    public boolean knowsId(String requestId) {
        return read(
                () -> {
                    moveLegacyIds();
                    hashOf(requestId);
                    return KnownIdBuckets.contains(
                            idBuckets.get(KnownIdBuckets.bucketOf(hashHi)), hashHi, hashLo);
                });
    }

    @Override
    public void rememberId(String requestId, double deadline) {
        write(
                () -> {
                    moveLegacyIds();
                    remember(requestId, deadline);
                });
    }

    @Override
    public void forgetIdsBefore(double horizon) {
        write(
                () -> {
                    moveLegacyIds();
                    List<Long> drop = new ArrayList<>();
                    List<Map.Entry<Long, long[]>> thinned = new ArrayList<>();
                    for (Map.Entry<Long, long[]> e : idBuckets.entries()) {
                        long[] kept = KnownIdBuckets.withoutBefore(e.getValue(), horizon);
                        if (kept.length == 0) {
                            drop.add(e.getKey());
                        } else if (kept != e.getValue()) {
                            thinned.add(Map.entry(e.getKey(), kept));
                        }
                    }
                    for (Long k : drop) {
                        idBuckets.remove(k);
                    }
                    for (Map.Entry<Long, long[]> e : thinned) {
                        idBuckets.put(e.getKey(), e.getValue());
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
        return read(
                () ->
                        (drainedHere() || known.isEmpty())
                                && idBuckets.isEmpty()
                                && channels.isEmpty());
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
