package org.edgellm.job;

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Remembered request ids live in {@code known-id-hashes-12} ({@link KnownIdBuckets}: one array
 * per sixteenth of the hashes, 12 bytes per id). State written by earlier code keeps them in {@code
 * known-ids} (0.1.0: one entry per id) or {@code known-id-hashes} (until December 2026: buckets of
 * 24 bytes per id), which the first access of the domain moves into the new buckets (and empties).
 * Nothing writes the old states since, so once this instance has moved (or found no) old ids of a
 * domain it does not look again: the look was a seek per request event under RocksDB.
 */
final class FlinkDomainState implements DomainState {
    private final ValueState<PendingQueue> queue;

    /** The ids as earlier releases kept them: read once per domain after a restore, then empty. */
    private final MapState<String, Double> known;

    /** The ids in the 24-byte layout: read once per domain after a restore, then empty. */
    private final MapState<Long, long[]> idBuckets24;

    private final MapState<Long, long[]> idBuckets;
    private final MapState<String, UserChannels> channels;
    private final MapState<String, NodeRuntime> nodes;
    private final ValueState<Long> inputsSeen;

    /** Keys whose old ids this instance has moved or found none of ({@link #noteCurrentKey}). */
    private final Set<String> drained = new HashSet<>();

    static final int DRAINED_MAX = 100_000;

    /**
     * The key being processed ({@link #useKey}), or null: then the old ids are looked at always.
     */
    private String currentKey;

    /** Keys known to have nodes stored (nodes are never removed; {@link #noteCurrentKey}). */
    private final Set<String> withNodes = new HashSet<>();

    // Read once per slot of the current key (reset by useKey), written through: under RocksDB
    // every read is a lookup or an iterator and a copy; within a slot the domain logic reads the
    // nodes and the inputs-seen time several times and stores back what it changes.
    private SortedMap<String, NodeRuntime> nodesRead;
    private boolean seenRead;
    private long seen;

    /**
     * The users' channels read or stored in this slot of the current key (a user without any:
     * {@link #NO_CHANNELS}), written through: a user's channels are read when the slot's events are
     * applied, again for the planner's view of each pending request and again by admission.
     */
    private final Map<String, UserChannels> channelsRead = new java.util.HashMap<>();

    /**
     * In {@link #channelsRead}: the user has no channels stored (one lookup for a hit or a miss).
     */
    private static final UserChannels NO_CHANNELS = new UserChannels();

    /** Whether the current key's pending queue was absent when last read in this slot. */
    private boolean pendingAbsent;

    /**
     * Whether the current key's old ids are known to be moved in this slot: the set of drained keys
     * is then not searched again for every request of the slot.
     */
    private boolean idsMovedThisSlot;

    /** The last id hashed (knowsId and rememberId come in pairs) and its 64-bit hash. */
    private String hashedId;

    private long hash;

    FlinkDomainState(
            ValueState<PendingQueue> queue,
            MapState<String, Double> known,
            MapState<Long, long[]> idBuckets24,
            MapState<Long, long[]> idBuckets,
            MapState<String, UserChannels> channels,
            MapState<String, NodeRuntime> nodes,
            ValueState<Long> inputsSeen) {
        this.queue = queue;
        this.known = known;
        this.idBuckets24 = idBuckets24;
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
        pendingAbsent = q == null && currentKey != null;
        return q == null ? new PendingQueue() : q;
    }

    /**
     * Stores the queue; an empty one is not stored (its absence reads as empty): nothing is written
     * when it was absent already, and a stored queue that became empty is deleted.
     */
    @Override
    public void storePending(PendingQueue q) {
        if (q.size == 0) {
            if (!pendingAbsent) {
                write(queue::clear);
                pendingAbsent = currentKey != null;
            }
            return;
        }
        pendingAbsent = false;
        write(() -> queue.update(q));
    }

    private void hashOf(String requestId) {
        if (!requestId.equals(hashedId)) {
            hash = KnownIdBuckets.hash(requestId)[0];
            hashedId = requestId;
        }
    }

    /**
     * The key (domain) whose state the calls that follow address, until the next call: call it
     * before each slot, so that the values read once per slot are read again.
     */
    void useKey(String key) {
        currentKey = key;
        nodesRead = null;
        seenRead = false;
        pendingAbsent = false;
        idsMovedThisSlot = false;
        channelsRead.clear();
    }

    /** Whether this instance knows the current key's old ids to be moved already. */
    private boolean drainedHere() {
        return currentKey != null && drained.contains(currentKey);
    }

    /** Moves ids of state written by earlier code into the buckets (none once it is empty). */
    private void moveLegacyIds() throws Exception {
        if (idsMovedThisSlot) {
            return;
        }
        if (!drainedHere()) {
            if (!known.isEmpty()) {
                moveLegacyEntries();
            }
            if (!idBuckets24.isEmpty()) {
                move24ByteBuckets();
            }
            noteCurrentKey(drained);
        }
        idsMovedThisSlot = currentKey != null;
    }

    private void move24ByteBuckets() throws Exception {
        MovedIds moved = new MovedIds();
        for (long[] b : idBuckets24.values()) {
            KnownIdBuckets.forEachOf24ByteLayout(b, moved::add);
        }
        idBuckets24.clear();
        moved.store();
    }

    /**
     * Ids moved from an old layout, gathered per bucket and then written with one merge and one put
     * per bucket (not one per id: under RocksDB each put writes the whole bucket).
     */
    private final class MovedIds {
        final long[][] hashes = new long[KnownIdBuckets.BUCKETS][];
        final double[][] deadlines = new double[KnownIdBuckets.BUCKETS][];
        final int[] counts = new int[KnownIdBuckets.BUCKETS];

        void add(long h, double deadline) {
            int k = (int) KnownIdBuckets.bucketOf(h);
            if (hashes[k] == null || counts[k] == hashes[k].length) {
                int cap = hashes[k] == null ? 16 : 2 * counts[k];
                hashes[k] = hashes[k] == null ? new long[cap] : Arrays.copyOf(hashes[k], cap);
                deadlines[k] =
                        deadlines[k] == null ? new double[cap] : Arrays.copyOf(deadlines[k], cap);
            }
            hashes[k][counts[k]] = h;
            deadlines[k][counts[k]++] = deadline;
        }

        void store() throws Exception {
            for (int k = 0; k < KnownIdBuckets.BUCKETS; k++) {
                if (counts[k] > 0) {
                    long[] cur = idBuckets.get((long) k);
                    long[] m = KnownIdBuckets.merged(cur, hashes[k], deadlines[k], counts[k]);
                    if (m != cur) {
                        idBuckets.put((long) k, m);
                    }
                }
            }
        }
    }

    /**
     * Adds the current key (if any) to a per-instance set of keys a fact is known for; past {@link
     * #DRAINED_MAX} keys the set is forgotten wholesale (the facts are then looked up once more).
     */
    private void noteCurrentKey(Set<String> keys) {
        if (currentKey != null) {
            if (keys.size() >= DRAINED_MAX) {
                keys.clear();
            }
            keys.add(currentKey);
        }
    }

    private void moveLegacyEntries() throws Exception {
        MovedIds moved = new MovedIds();
        for (Map.Entry<String, Double> e : known.entries()) {
            moved.add(KnownIdBuckets.hash(e.getKey())[0], e.getValue());
        }
        known.clear();
        moved.store();
    }

    private void remember(String requestId, double deadline) throws Exception {
        hashOf(requestId);
        long bucket = KnownIdBuckets.bucketOf(hash);
        long[] b = idBuckets.get(bucket);
        long[] with = KnownIdBuckets.with(b, hash, deadline);
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
                            idBuckets.get(KnownIdBuckets.bucketOf(hash)), hash);
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

    /** One lookup of the id's bucket, and one put when the id is new. */
    @Override
    public boolean rememberIfNew(String requestId, double deadline) {
        return read(
                () -> {
                    moveLegacyIds();
                    hashOf(requestId);
                    long bucket = KnownIdBuckets.bucketOf(hash);
                    long[] b = idBuckets.get(bucket);
                    if (KnownIdBuckets.contains(b, hash)) {
                        return false;
                    }
                    idBuckets.put(bucket, KnownIdBuckets.with(b, hash, deadline));
                    return true;
                });
    }

    /**
     * One lookup per bucket the ids fall in and one put per bucket that gains any (one copy of it
     * for all its new ids, {@link KnownIdBuckets#withAbsent}), instead of a lookup and a copy per
     * id: the answers and the stored buckets are those of {@link #rememberIfNew} id by id.
     */
    @Override
    public boolean[] rememberAllIfNew(String[] ids, double[] deadlines, int n) {
        return read(
                () -> {
                    moveLegacyIds();
                    boolean[] fresh = new boolean[n];
                    long[] hashes = new long[n];
                    // the ids by bucket (a counting sort, stable: each bucket's in list order)
                    int[] start = new int[KnownIdBuckets.BUCKETS + 1];
                    for (int k = 0; k < n; k++) {
                        hashes[k] = KnownIdBuckets.hash(ids[k])[0];
                        start[(int) KnownIdBuckets.bucketOf(hashes[k]) + 1]++;
                    }
                    for (int g = 0; g < KnownIdBuckets.BUCKETS; g++) {
                        start[g + 1] += start[g];
                    }
                    int[] order = new int[n];
                    int[] fill = Arrays.copyOf(start, KnownIdBuckets.BUCKETS);
                    for (int k = 0; k < n; k++) {
                        order[fill[(int) KnownIdBuckets.bucketOf(hashes[k])]++] = k;
                    }
                    long[] newHashes = new long[n];
                    double[] newDeadlines = new double[n];
                    for (int g = 0; g < KnownIdBuckets.BUCKETS; g++) {
                        if (start[g] == start[g + 1]) {
                            continue;
                        }
                        long[] b = idBuckets.get((long) g);
                        int m = 0;
                        for (int at = start[g]; at < start[g + 1]; at++) {
                            int k = order[at];
                            long h = hashes[k];
                            if (!KnownIdBuckets.contains(b, h) && !among(newHashes, m, h)) {
                                fresh[k] = true;
                                newHashes[m] = h;
                                newDeadlines[m++] = deadlines[k];
                            }
                        }
                        if (m > 0) {
                            idBuckets.put(
                                    (long) g,
                                    KnownIdBuckets.withAbsent(b, newHashes, newDeadlines, m));
                        }
                    }
                    return fresh;
                });
    }

    /** Whether h is among the first m hashes (a repeated id within one slot; lists are short). */
    private static boolean among(long[] hashes, int m, long h) {
        for (int i = 0; i < m; i++) {
            if (hashes[i] == h) {
                return true;
            }
        }
        return false;
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
        if (currentKey == null) {
            return read(() -> channels.get(userId));
        }
        UserChannels u = channelsRead.get(userId);
        if (u == null) {
            u = read(() -> channels.get(userId));
            channelsRead.put(userId, u == null ? NO_CHANNELS : u);
            return u;
        }
        return u == NO_CHANNELS ? null : u;
    }

    @Override
    public void storeChannels(String userId, UserChannels u) {
        write(() -> channels.put(userId, u));
        if (currentKey != null) {
            channelsRead.put(userId, u == null ? NO_CHANNELS : u);
        }
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
                    channelsRead.clear();
                });
    }

    @Override
    public boolean remembersNothing() {
        return read(
                () ->
                        (drainedHere() || (known.isEmpty() && idBuckets24.isEmpty()))
                                && idBuckets.isEmpty()
                                && channels.isEmpty());
    }

    @Override
    public long inputsSeen() {
        if (!seenRead) {
            Long t = read(inputsSeen::value);
            seen = t == null ? Long.MIN_VALUE : t;
            seenRead = currentKey != null;
        }
        return seen;
    }

    @Override
    public void storeInputsSeen(long time) {
        write(() -> inputsSeen.update(time));
        seen = time;
        seenRead = currentKey != null;
    }

    @Override
    public boolean hasNodes() {
        if (nodesRead != null) {
            return !nodesRead.isEmpty();
        }
        if (currentKey != null && withNodes.contains(currentKey)) {
            return true;
        }
        boolean has = !read(nodes::isEmpty);
        if (has) {
            noteCurrentKey(withNodes);
        }
        return has;
    }

    @Override
    public SortedMap<String, NodeRuntime> nodes() {
        if (nodesRead == null) {
            SortedMap<String, NodeRuntime> m =
                    read(
                            () -> {
                                SortedMap<String, NodeRuntime> all = new TreeMap<>();
                                for (Map.Entry<String, NodeRuntime> e : nodes.entries()) {
                                    all.put(e.getKey(), e.getValue());
                                }
                                return all;
                            });
            if (currentKey == null) {
                return m;
            }
            nodesRead = m;
        }
        return new TreeMap<>(nodesRead);
    }

    @Override
    public NodeRuntime node(String nodeId) {
        if (nodesRead != null) {
            return nodesRead.get(nodeId);
        }
        return read(() -> nodes.get(nodeId));
    }

    @Override
    public void storeNode(String nodeId, NodeRuntime n) {
        write(() -> nodes.put(nodeId, n));
        if (nodesRead != null) {
            nodesRead.put(nodeId, n);
        }
        noteCurrentKey(withNodes);
    }
}
