package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link KnownIdBuckets} against the plain map the simulator's state uses (id to deadline): after
 * any sequence of remember, forget-before and lookups, the buckets answer every lookup as the map
 * does, and hold exactly the map's ids.
 */
class KnownIdBucketsTest {

    /** The buckets as FlinkDomainState keeps them, in a plain map. */
    static final class Buckets {
        final Map<Long, long[]> m = new TreeMap<>();

        boolean knows(String id) {
            long h = KnownIdBuckets.hash(id)[0];
            return KnownIdBuckets.contains(m.get(KnownIdBuckets.bucketOf(h)), h);
        }

        void remember(String id, double deadline) {
            long h = KnownIdBuckets.hash(id)[0];
            long k = KnownIdBuckets.bucketOf(h);
            long[] b = m.get(k);
            long[] before = b == null ? null : b.clone();
            long[] with = KnownIdBuckets.with(b, h, deadline);
            if (b != null) {
                assertArrayEquals(before, b, "with() leaves the stored array alone");
            }
            m.put(k, with);
        }

        void forgetBefore(double horizon) {
            List<Long> keys = new ArrayList<>(m.keySet());
            for (Long k : keys) {
                long[] b = m.get(k);
                long[] before = b.clone();
                long[] kept = KnownIdBuckets.withoutBefore(b, horizon);
                // IdBucketSerializer's copy shares stored arrays: none may change in place
                assertArrayEquals(before, b, "withoutBefore() leaves the stored array alone");
                if (kept.length == 0) {
                    m.remove(k);
                } else {
                    m.put(k, kept);
                }
            }
        }

        int size() {
            int n = 0;
            for (long[] b : m.values()) {
                n += KnownIdBuckets.size(b);
            }
            return n;
        }
    }

    @Test
    void answersAsThePlainMapDoesThroughRandomRememberAndForget() {
        for (int seed = 0; seed < 40; seed++) {
            Random rnd = new Random(seed);
            Map<String, Double> oracle = new HashMap<>();
            Buckets b = new Buckets();
            double now = 1_700_000_000_000.0 + rnd.nextInt(1_000_000);
            int idSpace = 50 + rnd.nextInt(400);
            for (int step = 0; step < 3000; step++) {
                now += rnd.nextInt(200);
                String id = "q" + rnd.nextInt(idSpace);
                int op = rnd.nextInt(10);
                if (op < 6) {
                    boolean known = oracle.containsKey(id);
                    assertEquals(known, b.knows(id), "seed " + seed + " step " + step + " " + id);
                    if (!known) {
                        // deadlines from just ahead to a minute ahead, some whole seconds
                        double d =
                                rnd.nextInt(5) == 0
                                        ? Math.ceil(now / 1000) * 1000
                                        : now + rnd.nextInt(60_000) + rnd.nextDouble();
                        oracle.put(id, d);
                        b.remember(id, d);
                    }
                } else if (op < 7) {
                    double horizon =
                            rnd.nextBoolean()
                                    ? now - rnd.nextInt(30_000)
                                    : Math.floor(now / 1000) * 1000;
                    // deadlines are kept rounded up to the whole second
                    oracle.values().removeIf(d -> Math.ceil(d / 1000) * 1000 < horizon);
                    b.forgetBefore(horizon);
                } else {
                    assertEquals(oracle.containsKey(id), b.knows(id), "seed " + seed);
                }
                if (step % 500 == 0) {
                    assertEquals(oracle.size(), b.size(), "seed " + seed + " step " + step);
                }
            }
            for (String id : oracle.keySet()) {
                assertEquals(true, b.knows(id), id);
            }
            assertEquals(oracle.size(), b.size());
        }
    }

    /** merged() builds a new array and leaves the stored one alone (FlinkDomainState's moves). */
    /**
     * withAbsent gives, array for array, what {@link KnownIdBuckets#with} gives id by id in the
     * same order: over random buckets (empty, one id, hundreds), new ids with deadlines above the
     * base (the merge), below it or kept forever (the base moves: id by id), and never changes the
     * array given.
     */
    @Test
    void withAbsentIsWithIdByIdInOneCopy() {
        Random rnd = new Random(21);
        int merges = 0;
        for (int trial = 0; trial < 3000; trial++) {
            long[] b = null;
            Set<Long> in = new HashSet<>();
            int n =
                    switch (trial % 4) {
                        case 0 -> 0;
                        case 1 -> 1;
                        default -> rnd.nextInt(300);
                    };
            for (int i = 0; i < n; i++) {
                long h = rnd.nextLong();
                if (in.add(h)) {
                    b = KnownIdBuckets.with(b, h, 1e6 + rnd.nextInt(50_000_000));
                }
            }
            int m = rnd.nextInt(trial % 10 == 0 ? 200 : 12);
            long[] hs = new long[m];
            double[] ds = new double[m];
            for (int k = 0; k < m; k++) {
                long h;
                do {
                    h = rnd.nextLong();
                } while (!in.add(h));
                hs[k] = h;
                ds[k] =
                        switch (rnd.nextInt(trial % 3 == 0 ? 10 : 200)) {
                            case 0 -> 1e3; // below the base: it moves down
                            case 1 -> Double.NaN; // kept forever
                            case 2 -> 1e19; // beyond the offsets' range: kept forever
                            default -> 1e6 + rnd.nextInt(80_000_000);
                        };
            }
            long[] before = b == null ? null : b.clone();
            long[] expected = b;
            for (int k = 0; k < m; k++) {
                expected = KnownIdBuckets.with(expected, hs[k], ds[k]);
            }
            long[] got = KnownIdBuckets.withAbsent(b, hs, ds, m);
            assertArrayEquals(
                    expected == null ? new long[0] : expected, got, "trial " + trial + ", m " + m);
            if (b != null) {
                assertArrayEquals(before, b, "the bucket given is left alone");
                if (m > 1 && KnownIdBuckets.size(b) > 0) {
                    merges++;
                }
            }
        }
        assertTrue(merges > 1000, "trials with a merge: " + merges);
    }

    @Test
    void withAbsentRefusesAHashTheBucketHasOrTwice() {
        long[] b = KnownIdBuckets.with(KnownIdBuckets.with(null, 5, 2e6), 9, 2e6);
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> KnownIdBuckets.withAbsent(b, new long[] {7, 9}, new double[] {3e6, 3e6}, 2));
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> KnownIdBuckets.withAbsent(b, new long[] {7, 7}, new double[] {3e6, 3e6}, 2));
    }

    @Test
    void mergedLeavesTheStoredArrayAlone() {
        Random rnd = new Random(4);
        long[] b = null;
        for (int round = 0; round < 200; round++) {
            int count = 1 + rnd.nextInt(20);
            long[] hs = new long[count];
            double[] ds = new double[count];
            for (int k = 0; k < count; k++) {
                hs[k] =
                        rnd.nextInt(3) == 0 && b != null && KnownIdBuckets.size(b) > 0
                                ? b[1 + rnd.nextInt(KnownIdBuckets.size(b))]
                                : rnd.nextLong();
                ds[k] = 1.7e12 + rnd.nextInt(100_000_000) * (rnd.nextInt(10) == 0 ? -1 : 1);
            }
            long[] before = b == null ? null : b.clone();
            long[] m = KnownIdBuckets.merged(b, hs, ds, count);
            if (b != null) {
                assertArrayEquals(before, b, "round " + round);
            }
            b = m;
        }
    }

    @Test
    void withAndWithoutKeepTheBucketSortedAndReturnTheSameArrayWhenNothingChanges() {
        long[] b = null;
        Random rnd = new Random(7);
        for (int i = 0; i < 500; i++) {
            long h = KnownIdBuckets.hash("id-" + i)[0];
            b = KnownIdBuckets.with(b, h, 1000.0 + rnd.nextInt(10_000));
        }
        int n = KnownIdBuckets.size(b);
        assertEquals(500, n);
        assertEquals(1 + 500 + 250, b.length, "12 bytes per id and a base");
        for (int i = 1; i < n; i++) {
            assertEquals(-1, Long.compare(b[i], b[i + 1]), "sorted by hash, no repeats");
        }
        long h = KnownIdBuckets.hash("id-17")[0];
        assertSame(b, KnownIdBuckets.with(b, h, 5.0), "already there");
        assertSame(b, KnownIdBuckets.withoutBefore(b, 999.0), "nothing before the horizon");
        assertEquals(0, KnownIdBuckets.withoutBefore(b, 20_000.0).length);
    }

    /** Deadlines are kept to the second, rounded up, never earlier. */
    @Test
    void deadlinesAreKeptToTheSecondRoundedUp() {
        long a = KnownIdBuckets.hash("a")[0];
        long[] one = KnownIdBuckets.with(null, a, 1_700_000_000_123.0);
        assertEquals(1_700_000_001L, KnownIdBuckets.deadlineSeconds(one, 1, 0));
        assertSame(one, KnownIdBuckets.withoutBefore(one, 1_700_000_001_000.0));
        assertEquals(0, KnownIdBuckets.withoutBefore(one, 1_700_000_001_000.5).length);
        // a later deadline for the same hash wins; an earlier one changes nothing
        long[] later = KnownIdBuckets.with(one, a, 1_700_000_005_000.0);
        assertEquals(1_700_000_005L, KnownIdBuckets.deadlineSeconds(later, 1, 0));
        assertSame(later, KnownIdBuckets.with(later, a, 1_700_000_002_000.0));
    }

    /**
     * A request due in the year 9999 that opens a bucket does not hold the ids that follow: they
     * are forgotten at their own deadlines, it is kept (forever: 136 years past the others).
     */
    @Test
    void aFarFutureDeadlineDoesNotHoldTheOthers() {
        long far = KnownIdBuckets.hash("far")[0];
        long h2 = KnownIdBuckets.hash("h2")[0];
        long h3 = KnownIdBuckets.hash("h3")[0];
        long[] b = KnownIdBuckets.with(null, far, 253_402_300_799_999.0);
        b = KnownIdBuckets.with(b, h2, 1_796_083_215_000.0);
        b = KnownIdBuckets.with(b, h3, 1_796_083_230_000.0);
        long[] left = KnownIdBuckets.withoutBefore(b, 1_796_083_300_000.0);
        assertEquals(1, KnownIdBuckets.size(left));
        assertTrue(KnownIdBuckets.contains(left, far));
        long[] mid = KnownIdBuckets.withoutBefore(b, 1_796_083_220_000.0);
        assertEquals(2, KnownIdBuckets.size(mid), "h3 is due later");
        assertTrue(KnownIdBuckets.contains(mid, h3));
    }

    /**
     * A request due at the epoch that opens a bucket does not make the others forgotten early: a
     * deadline in 2039 is kept past a horizon in 2038, and one in 2109 (more than 136 years past
     * the base) is kept forever.
     */
    @Test
    void anAncientDeadlineDoesNotMakeTheOthersForgottenEarly() {
        long old = KnownIdBuckets.hash("old")[0];
        long h2 = KnownIdBuckets.hash("h2")[0];
        long h3 = KnownIdBuckets.hash("h3")[0];
        long[] b = KnownIdBuckets.with(null, old, 1.0);
        b = KnownIdBuckets.with(b, h2, 2_200_000_000_000.0);
        b = KnownIdBuckets.with(b, h3, 4_400_000_000_000.0);
        long[] left = KnownIdBuckets.withoutBefore(b, 2_150_000_000_000.0);
        assertEquals(2, KnownIdBuckets.size(left));
        assertTrue(KnownIdBuckets.contains(left, h2));
        assertTrue(KnownIdBuckets.contains(left, h3));
        assertFalse(KnownIdBuckets.contains(left, old));
        long[] later = KnownIdBuckets.withoutBefore(left, 4_500_000_000_000.0);
        assertTrue(KnownIdBuckets.contains(later, h3), "kept forever, not early");
        assertFalse(KnownIdBuckets.contains(later, h2));
    }

    /**
     * Whatever the deadlines (ordinary, centuries away either way, NaN, infinite), an id is never
     * forgotten before the horizon passes its deadline rounded up to the second, and never reported
     * unknown while it is held; with ordinary deadlines only, the random test above checks that it
     * is forgotten then.
     */
    @Test
    void neverForgottenEarlyWhateverTheDeadlines() {
        double[] odd = {
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            1.0,
            -1e13,
            1e16,
            253_402_300_799_999.0,
            4.4e12,
            -4e12
        };
        for (int seed = 0; seed < 30; seed++) {
            Random rnd = new Random(seed);
            Map<String, Double> oracle = new HashMap<>();
            Buckets b = new Buckets();
            double now = 1_796_000_000_000.0;
            for (int step = 0; step < 2000; step++) {
                now += rnd.nextInt(300);
                String id = "q" + rnd.nextInt(300);
                int op = rnd.nextInt(10);
                if (op < 6) {
                    if (!b.knows(id)) {
                        double d =
                                rnd.nextInt(8) == 0
                                        ? odd[rnd.nextInt(odd.length)]
                                        : now + rnd.nextInt(60_000) - 5_000;
                        oracle.put(id, d);
                        b.remember(id, d);
                    }
                } else if (op < 7) {
                    double horizon = rnd.nextInt(20) == 0 ? 4.5e12 : now - rnd.nextInt(20_000);
                    b.forgetBefore(horizon);
                    // those that may go: deadline (rounded up) before the horizon
                    oracle.values().removeIf(d -> Math.ceil(d / 1000) * 1000 < horizon);
                    for (String kept : oracle.keySet()) {
                        assertTrue(b.knows(kept), "seed " + seed + " step " + step + " " + kept);
                    }
                }
            }
        }
    }

    @Test
    void bucketsAreTheHashesTopBits() {
        assertEquals(0, KnownIdBuckets.bucketOf(0x0fffffffffffffffL));
        assertEquals(1, KnownIdBuckets.bucketOf(0x1000000000000000L));
        assertEquals(KnownIdBuckets.BUCKETS - 1, KnownIdBuckets.bucketOf(-1L));
        int[] per = new int[KnownIdBuckets.BUCKETS];
        for (int i = 0; i < 16_000; i++) {
            per[(int) KnownIdBuckets.bucketOf(KnownIdBuckets.hash("q" + i)[0])]++;
        }
        for (int n : per) {
            assertEquals(1000, n, 150, "ids spread over the buckets: " + Arrays.toString(per));
        }
    }

    /**
     * No two of a million ids of the shapes the job sees (the benchmark's "q" + counter, UUIDs, ids
     * differing in one character, ids of every length from 0 to 40) share the 64-bit hash the
     * buckets keep (the 128-bit hash's high half), and ids that differ only in a trailing character
     * or in length hash differently.
     */
    @Test
    void idsOfCommonShapesDoNotCollide() {
        Set<String> seen = new HashSet<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 600_000; i++) {
            ids.add("q" + i);
        }
        Random rnd = new Random(3);
        while (ids.size() < 1_000_000) {
            ids.add(new java.util.UUID(rnd.nextLong(), rnd.nextLong()).toString());
        }
        StringBuilder sb = new StringBuilder();
        for (int len = 0; len <= 40; len++) {
            ids.add(sb.toString());
            sb.append((char) ('a' + len % 26));
        }
        for (int i = 0; i < 1000; i++) {
            ids.add("request-" + i + "-x");
            ids.add("request-" + i + "-y");
        }
        for (String id : ids) {
            // the buckets keep the 64-bit high half
            assertEquals(true, seen.add(Long.toString(KnownIdBuckets.hash(id)[0])), "at " + id);
        }
        assertNotEquals(
                Arrays.toString(KnownIdBuckets.hash("a")),
                Arrays.toString(KnownIdBuckets.hash("a\0")),
                "a trailing zero char changes the hash (the length is mixed in)");
    }

    /**
     * The hash is part of the checkpointed state, so it must never change between releases: pinned
     * values, computed by an independent port (Python) of MurmurHash3 x64 128 over the id's
     * UTF-16LE bytes with this class's starting values, a port that reproduces the published vector
     * (Guava's murmur3_128 of "The quick brown fox jumps over the lazy dog":
     * 6c1b07bc7bbc4be347939ac4a93c437a) with the standard seed 0.
     */
    @Test
    void theHashIsPinned() {
        String[] ids = {
            "",
            "q12345",
            "abcdefgh",
            "abcdefghi",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "\u00e9-\u00fcn\u00efcode-\u2713"
        };
        long[][] expected = {
            {-7781342737886326986L, 557091742717968053L},
            {-594987916436890825L, 3921268265076249763L},
            {5965968961648474680L, -6340780604825346798L},
            {4794978718962675948L, 1826699786948370371L},
            {-5767631893938864995L, -8034706638726369540L},
            {-5157187082656381674L, -3127976266056573484L}
        };
        for (int i = 0; i < ids.length; i++) {
            assertArrayEquals(expected[i], KnownIdBuckets.hash(ids[i]), ids[i]);
        }
    }
}
