package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FlinkDomainState} over keyed states that behave as RocksDB's do (every read returns a
 * copy, every call is counted): what it reads once per slot is read again after {@link
 * FlinkDomainState#useKey}, writes go through, an empty queue is not stored, old ids are moved once
 * per key, and a key's facts never leak into another key.
 */
class FlinkDomainStateTest {

    /** The current key of every fake state, as Flink's keyed backends have one. */
    String key = "d1";

    /** Calls of each kind, by state name. */
    final Map<String, Integer> calls = new HashMap<>();

    CopyingValue<PendingQueue> queue;
    CopyingMap<String, Double> known;
    CopyingMap<Long, long[]> buckets24;
    CopyingMap<Long, long[]> buckets;
    CopyingMap<String, UserChannels> channels;
    CopyingMap<String, NodeRuntime> nodes;
    CopyingValue<Long> seen;
    FlinkDomainState state;

    @BeforeEach
    void setUp() {
        queue = new CopyingValue<>("pending", PendingQueueSerializer.INSTANCE::copy);
        known = new CopyingMap<>("known-ids", v -> v);
        buckets24 = new CopyingMap<>("known-id-hashes", long[]::clone);
        buckets = new CopyingMap<>("known-id-hashes-12", long[]::clone);
        channels = new CopyingMap<>("channels", UserChannelsSerializer.INSTANCE::copy);
        nodes = new CopyingMap<>("nodes", NodeRuntimeSerializer.INSTANCE::copy);
        seen = new CopyingValue<>("inputs-seen", v -> v);
        state = new FlinkDomainState(queue, known, buckets24, buckets, channels, nodes, seen);
    }

    static NodeRuntime node(String id, double busy) {
        NodeRuntime n = new NodeRuntime();
        n.spec = new NodeSpec();
        n.spec.id = id;
        n.busyUntil = busy;
        return n;
    }

    int count(String name) {
        return calls.getOrDefault(name, 0);
    }

    @Test
    void nodesAreReadOncePerSlotAndWrittenThrough() {
        key = "d1";
        state.useKey("d1");
        state.storeNode("a", node("a", 1));
        state.storeNode("b", node("b", 2));
        state.useKey("d1"); // the next slot
        int before = count("nodes");
        var first = state.nodes();
        assertEquals(List.of("a", "b"), new ArrayList<>(first.keySet()));
        assertEquals(1, first.get("a").busyUntil);
        state.storeNode("a", node("a", 10)); // another object than the one read
        assertEquals(10, state.nodes().get("a").busyUntil, "a stored change is seen in the slot");
        assertEquals(10, state.node("a").busyUntil);
        assertTrue(state.hasNodes());
        // one iteration (entries) and one put: the second nodes(), node() and hasNodes() read none
        assertEquals(before + 2, count("nodes"), calls.toString());
        assertEquals(10, nodes.stored("d1", "a").busyUntil, "the write went through to the state");
        // a change not stored back is not in the state: the next slot reads the state again
        state.nodes().get("b").busyUntil = 99;
        state.useKey("d1");
        assertEquals(2, state.node("b").busyUntil);
    }

    @Test
    void anotherKeyReadsItsOwnState() {
        key = "d1";
        state.useKey("d1");
        state.storeNode("a", node("a", 1));
        state.storeInputsSeen(500);
        assertEquals(1, state.nodes().size());
        key = "d2";
        state.useKey("d2");
        assertTrue(state.nodes().isEmpty(), "d1's nodes are not d2's");
        assertFalse(state.hasNodes());
        assertEquals(Long.MIN_VALUE, state.inputsSeen(), "d1's time is not d2's");
        key = "d1";
        state.useKey("d1");
        assertTrue(state.hasNodes());
        assertEquals(500, state.inputsSeen());
    }

    @Test
    void inputsSeenIsReadOncePerSlot() {
        state.useKey("d1");
        state.storeInputsSeen(700);
        state.useKey("d1");
        int before = count("inputs-seen");
        assertEquals(700, state.inputsSeen());
        assertEquals(700, state.inputsSeen());
        state.storeInputsSeen(800);
        assertEquals(800, state.inputsSeen());
        assertEquals(before + 2, count("inputs-seen"), calls.toString()); // one read, one write
    }

    @Test
    void anEmptyQueueIsNotStored() {
        state.useKey("d1");
        PendingQueue q = state.pending();
        assertEquals(0, q.size);
        int before = count("pending");
        state.storePending(q);
        assertEquals(before, count("pending"), "absent and still empty: nothing written");
        RequestEvent r = new RequestEvent();
        r.requestId = "r1";
        r.deadline = 5;
        q.add(r);
        state.storePending(q);
        assertEquals(1, queue.stored("d1").size);
        state.useKey("d1");
        PendingQueue again = state.pending();
        assertEquals(1, again.size);
        again.removeFlagged(new boolean[] {true});
        state.storePending(again);
        assertNull(queue.stored("d1"), "a queue that became empty is deleted");
        state.useKey("d1");
        assertEquals(0, state.pending().size);
    }

    @Test
    void oldIdsAreMovedOncePerKeyAndInstance() {
        key = "d1";
        known.put("old-1", 100.0);
        key = "d2";
        known.put("old-2", 100.0);
        calls.clear();
        key = "d1";
        state.useKey("d1");
        assertTrue(state.knowsId("old-1"));
        assertFalse(state.knowsId("old-2"), "d2's old id is not d1's");
        state.rememberId("new-1", 200);
        key = "d2";
        state.useKey("d2");
        assertTrue(state.knowsId("old-2"), "d2's old ids are moved on d2's first access");
        int before = count("known-ids");
        key = "d1";
        state.useKey("d1");
        assertTrue(state.knowsId("new-1"));
        state.rememberId("new-2", 200);
        assertEquals(before, count("known-ids"), "no look at the old map once moved");
        assertTrue(known.isEmptyFor("d1") && known.isEmptyFor("d2"));
        assertFalse(state.remembersNothing());
    }

    /** A bucket of the 24-byte layout: (hash high, hash low, deadline bits) per id, by hash. */
    static long[] bucketOf24Bytes(Map<String, Double> ids) {
        TreeMap<Long, long[]> byHash = new TreeMap<>();
        for (Map.Entry<String, Double> e : ids.entrySet()) {
            long[] h = KnownIdBuckets.hash(e.getKey());
            byHash.put(h[0], new long[] {h[0], h[1], Double.doubleToLongBits(e.getValue())});
        }
        long[] out = new long[3 * byHash.size()];
        int i = 0;
        for (long[] t : byHash.values()) {
            System.arraycopy(t, 0, out, i, 3);
            i += 3;
        }
        return out;
    }

    @Test
    void idsOfThe24ByteLayoutAreMovedOncePerKeyWithTheirDeadlines() {
        key = "d1";
        long[] d1 = bucketOf24Bytes(Map.of("mid-1", 100_500.0, "mid-2", 200_000.0));
        buckets24.put(KnownIdBuckets.bucketOf(d1[0]), d1);
        key = "d2";
        long[] d2 = bucketOf24Bytes(Map.of("mid-3", 100_500.0));
        buckets24.put(KnownIdBuckets.bucketOf(d2[0]), d2);
        calls.clear();
        key = "d1";
        state.useKey("d1");
        assertFalse(state.remembersNothing(), "the old layout's ids count before the move");
        assertTrue(state.knowsId("mid-1"));
        assertTrue(state.knowsId("mid-2"));
        assertFalse(state.knowsId("mid-3"), "d2's id is not d1's");
        assertTrue(buckets24.isEmptyFor("d1"), "moved, not copied");
        int before = count("known-id-hashes");
        state.rememberId("new-1", 300_000);
        assertTrue(state.knowsId("new-1"));
        assertEquals(before, count("known-id-hashes"), "no look at the old map once moved");
        // the deadlines came along: 100.5 s is kept (rounded up to 101 s) until the horizon
        // passes 101 s; 200 s stays
        state.forgetIdsBefore(101_000);
        assertTrue(state.knowsId("mid-1"));
        state.forgetIdsBefore(101_001);
        assertFalse(state.knowsId("mid-1"));
        assertTrue(state.knowsId("mid-2"));
        key = "d2";
        state.useKey("d2");
        assertTrue(state.knowsId("mid-3"), "d2's old ids are moved on d2's first access");
        assertFalse(state.knowsId("mid-1"));
        assertTrue(buckets24.isEmptyFor("d2"));
    }

    static UserChannels channelsAt(String node, long t) {
        UserChannels u = new UserChannels();
        u.update(Events.channel("u", "d", node, t, 3.0).channel);
        return u;
    }

    /**
     * A user's channels are looked up once per slot of a key (absent ones too), stores go through
     * and are what later reads of the slot see, the next slot reads again, forgetting old channels
     * empties the slot's reads, and keys do not share them.
     */
    @Test
    void aUsersChannelsAreReadOncePerSlot() {
        key = "d1";
        channels.put("u1", channelsAt("a", 1_000));
        key = "d2";
        channels.put("u1", channelsAt("b", 2_000));
        key = "d1";
        state.useKey("d1");
        calls.clear();
        for (int i = 0; i < 3; i++) {
            assertEquals(1_000, state.channels("u1").newest());
            assertNull(state.channels("nobody"));
        }
        assertEquals(2, count("channels"), "one lookup per user: " + calls);
        UserChannels u2 = channelsAt("a", 5_000);
        state.storeChannels("u2", u2);
        assertEquals(3, count("channels"), "the store goes through");
        assertEquals(5_000, state.channels("u2").newest());
        assertEquals(3, count("channels"), "the stored value is the slot's: " + calls);
        assertEquals(5_000, channels.stored("d1", "u2").newest(), "and in the state");
        state.useKey("d1"); // the next slot
        state.channels("u1");
        assertEquals(4, count("channels"), "read again in the next slot");
        state.forgetChannelsBefore(2_000);
        assertNull(state.channels("u1"), "forgotten, not served from the slot's reads");
        key = "d2";
        state.useKey("d2");
        assertEquals(2_000, state.channels("u1").newest(), "d2's own channels");
    }

    /**
     * rememberIfNew: a new id costs one lookup and one put of its bucket, a known one (remembered
     * here or moved from the old layout) one lookup and nothing else: its deadline stays the first
     * one. Its answers are those of knowsId then rememberId over random ids.
     */
    @Test
    void rememberIfNewLooksTheBucketUpOnce() {
        key = "d1";
        known.put("old-1", 100_000.0);
        state.useKey("d1");
        assertFalse(state.rememberIfNew("old-1", 500_000), "moved from the old layout");
        calls.clear();
        assertTrue(state.rememberIfNew("new-1", 100_000));
        assertEquals(2, count("known-id-hashes-12"), "a get and a put: " + calls);
        calls.clear();
        assertFalse(state.rememberIfNew("new-1", 900_000));
        assertEquals(1, count("known-id-hashes-12"), "a get: " + calls);
        state.forgetIdsBefore(101_000);
        assertFalse(state.knowsId("new-1"), "kept with its first deadline, not the second");

        java.util.Random rnd = new java.util.Random(12);
        java.util.Set<String> oracle = new java.util.HashSet<>();
        for (int i = 0; i < 3000; i++) {
            String id = "q" + rnd.nextInt(800);
            boolean isNew = oracle.add(id);
            assertEquals(isNew, state.rememberIfNew(id, 1e9 + i), id + " at " + i);
            assertTrue(state.knowsId(id));
        }
    }

    /**
     * rememberAllIfNew over random slots of ids (repeats within a slot and across slots, old ids
     * moved from the old layout first): the answers are those of rememberIfNew id by id in a second
     * state, the stored buckets are equal array for array, and each slot costs one lookup per
     * bucket its ids fall in and at most one put per bucket (instead of one or two per id).
     */
    @Test
    void rememberAllIfNewIsRememberIfNewIdByIdWithOneLookupPerBucket() {
        CopyingMap<Long, long[]> oneByOneBuckets = new CopyingMap<>("one-by-one", long[]::clone);
        CopyingMap<String, Double> oneByOneKnown = new CopyingMap<>("one-by-one-old", v -> v);
        FlinkDomainState oneByOne =
                new FlinkDomainState(
                        queue, oneByOneKnown, buckets24, oneByOneBuckets, channels, nodes, seen);
        key = "d1";
        known.put("old-1", 100_000.0);
        oneByOneKnown.put("old-1", 100_000.0);
        java.util.Random rnd = new java.util.Random(33);
        int repeatsInASlot = 0;
        for (int slot = 0; slot < 300; slot++) {
            state.useKey("d1");
            oneByOne.useKey("d1");
            int n = rnd.nextInt(slot % 50 == 0 ? 400 : 60);
            String[] ids = new String[n];
            double[] deadlines = new double[n];
            java.util.Set<String> inSlot = new java.util.HashSet<>();
            for (int k = 0; k < n; k++) {
                ids[k] = rnd.nextInt(20) == 0 ? "old-1" : "q" + rnd.nextInt(6000);
                deadlines[k] =
                        rnd.nextInt(50) == 0 ? 1_000.0 : 1e6 + 1000.0 * slot + rnd.nextInt(30_000);
                if (!inSlot.add(ids[k])) {
                    repeatsInASlot++;
                }
            }
            calls.clear();
            boolean[] fresh = state.rememberAllIfNew(ids, deadlines, n);
            int lookups = count("known-id-hashes-12");
            java.util.Set<Long> touched = new java.util.HashSet<>();
            for (int k = 0; k < n; k++) {
                touched.add(KnownIdBuckets.bucketOf(KnownIdBuckets.hash(ids[k])[0]));
                assertEquals(
                        oneByOne.rememberIfNew(ids[k], deadlines[k]),
                        fresh[k],
                        ids[k] + " at " + k + " of slot " + slot);
            }
            if (slot > 0) {
                assertTrue(
                        lookups <= 2 * touched.size(),
                        lookups + " calls for " + touched.size() + " buckets");
            }
            if (slot % 37 == 0) {
                state.forgetIdsBefore(1e6 + 1000.0 * slot);
                oneByOne.forgetIdsBefore(1e6 + 1000.0 * slot);
            }
            for (long g = 0; g < KnownIdBuckets.BUCKETS; g++) {
                long[] a = buckets.stored("d1", g);
                long[] e = oneByOneBuckets.stored("d1", g);
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        e, a, "bucket " + g + " after slot " + slot);
            }
        }
        assertTrue(repeatsInASlot > 50, "ids repeated within a slot: " + repeatsInASlot);
    }

    /**
     * The heap backend's copy of the id buckets is the array itself ({@link IdBucketSerializer}),
     * and a checkpoint being written may still hold an array the domain has since replaced: so no
     * array once stored may change. Through migrations, remembering (new buckets, a base moving
     * down, a far deadline) and forgetting, every array ever stored keeps its contents.
     */
    @Test
    void storedIdBucketsAreNeverChangedInPlace() {
        List<long[]> stored = new ArrayList<>();
        List<long[]> contents = new ArrayList<>();
        buckets =
                new CopyingMap<>(
                        "known-id-hashes-12",
                        v -> {
                            long[] same = IdBucketSerializer.INSTANCE.copy(v);
                            if (!stored.contains(same)) {
                                stored.add(same);
                                contents.add(same.clone());
                            }
                            return same;
                        });
        state = new FlinkDomainState(queue, known, buckets24, buckets, channels, nodes, seen);
        key = "d1";
        known.put("old-1", 100_000.0);
        buckets24.put(
                KnownIdBuckets.bucketOf(KnownIdBuckets.hash("mid-1")[0]),
                bucketOf24Bytes(Map.of("mid-1", 150_000.0)));
        state.useKey("d1");
        java.util.Random rnd = new java.util.Random(9);
        for (int i = 0; i < 2000; i++) {
            String id = "r" + rnd.nextInt(600);
            double deadline =
                    switch (rnd.nextInt(20)) {
                        case 0 -> 1e15; // kept forever
                        case 1 -> 50_000.0 + i; // below every base so far
                        default -> 200_000.0 + 100.0 * i + rnd.nextInt(30_000);
                    };
            if (!state.knowsId(id)) {
                state.rememberId(id, deadline);
            }
            if (i % 97 == 0) {
                state.forgetIdsBefore(150_000.0 + 100.0 * i);
            }
        }
        assertTrue(stored.size() > 100, "arrays stored: " + stored.size());
        for (int i = 0; i < stored.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    contents.get(i), stored.get(i), "stored array " + i + " changed in place");
        }
    }

    @Test
    void withoutAKeyEveryReadGoesToTheState() {
        state.storeNode("a", node("a", 1));
        int before = count("nodes");
        state.nodes();
        state.nodes();
        state.node("a");
        assertEquals(before + 3, count("nodes"));
        assertNotNull(nodes.stored("d1", "a"));
    }

    // ---- fake keyed states: per key, values copied on every read and write, calls counted

    final class CopyingValue<T> implements ValueState<T> {
        final String name;
        final UnaryOperator<T> copy;
        final Map<String, T> byKey = new HashMap<>();

        CopyingValue(String name, UnaryOperator<T> copy) {
            this.name = name;
            this.copy = copy;
        }

        T stored(String k) {
            return byKey.get(k);
        }

        private void call() {
            calls.merge(name, 1, Integer::sum);
        }

        @Override
        public T value() {
            call();
            T v = byKey.get(key);
            return v == null ? null : copy.apply(v);
        }

        @Override
        public void update(T value) {
            call();
            byKey.put(key, copy.apply(value));
        }

        @Override
        public void clear() {
            call();
            byKey.remove(key);
        }
    }

    final class CopyingMap<K, V> implements MapState<K, V> {
        final String name;
        final UnaryOperator<V> copy;
        final Map<String, Map<K, V>> byKey = new HashMap<>();

        CopyingMap(String name, UnaryOperator<V> copy) {
            this.name = name;
            this.copy = copy;
        }

        V stored(String k, K field) {
            Map<K, V> m = byKey.get(k);
            return m == null ? null : m.get(field);
        }

        boolean isEmptyFor(String k) {
            Map<K, V> m = byKey.get(k);
            return m == null || m.isEmpty();
        }

        private Map<K, V> mine() {
            calls.merge(name, 1, Integer::sum);
            return byKey.computeIfAbsent(key, k -> new LinkedHashMap<>());
        }

        @Override
        public V get(K k) {
            V v = mine().get(k);
            return v == null ? null : copy.apply(v);
        }

        @Override
        public void put(K k, V v) {
            mine().put(k, copy.apply(v));
        }

        @Override
        public void putAll(Map<K, V> m) {
            for (Map.Entry<K, V> e : m.entrySet()) {
                mine().put(e.getKey(), copy.apply(e.getValue()));
            }
        }

        @Override
        public void remove(K k) {
            mine().remove(k);
        }

        @Override
        public boolean contains(K k) {
            return mine().containsKey(k);
        }

        private List<Map.Entry<K, V>> snapshot() {
            List<Map.Entry<K, V>> out = new ArrayList<>();
            for (Map.Entry<K, V> e : mine().entrySet()) {
                out.add(
                        new java.util.AbstractMap.SimpleEntry<>(
                                e.getKey(), copy.apply(e.getValue())));
            }
            return out;
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            return snapshot();
        }

        @Override
        public Iterable<K> keys() {
            List<K> out = new ArrayList<>(mine().keySet());
            return out;
        }

        @Override
        public Iterable<V> values() {
            List<V> out = new ArrayList<>();
            for (Map.Entry<K, V> e : snapshot()) {
                out.add(e.getValue());
            }
            return out;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            Map<K, V> m = mine();
            Iterator<Map.Entry<K, V>> it = m.entrySet().iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<K, V> next() {
                    Map.Entry<K, V> e = it.next();
                    return new java.util.AbstractMap.SimpleEntry<>(
                            e.getKey(), copy.apply(e.getValue()));
                }

                @Override
                public void remove() {
                    it.remove();
                }
            };
        }

        @Override
        public boolean isEmpty() {
            return mine().isEmpty();
        }

        @Override
        public void clear() {
            mine().clear();
        }
    }
}
