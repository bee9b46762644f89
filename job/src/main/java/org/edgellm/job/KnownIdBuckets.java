package org.edgellm.job;

import java.util.Arrays;

/**
 * The request ids a domain remembers, in the compact form its Flink keyed state keeps them (plain
 * Java, no Flink): each id as a 64-bit hash with its deadline in whole seconds, 12 bytes, in
 * {@value #BUCKETS} buckets by the hash's top bits. A bucket is one {@code long[]}: a base (whole
 * seconds), the n hashes sorted, then the n deadlines as 32-bit offsets from the base, two to a
 * long; n follows from the length (1 + n + ceil(n / 2)). A lookup reads one bucket (a binary
 * search), an insertion copies one bucket (a sixteenth of the ids), the cleaning thins every
 * bucket.
 *
 * <p>Why: the heap state backend copies a domain's whole map state on its first access after each
 * checkpoint and serializes it whole in each checkpoint, and the ids are most of the coordinator's
 * state (one per request for its deadline plus ten seconds). One map entry per id (a string and a
 * boxed deadline, until 0.1.0) cost about 40 % of the coordinator's CPU samples at 3,000 requests/s
 * over 100 domains; buckets of (128-bit hash, deadline) triples, 24 bytes per id (until December
 * 2026), about 1 MB of checkpoint per 1,000 requests/s; these, half that (docs/bench-job.md,
 * fourteenth session).
 *
 * <p>Deadlines are kept rounded up to the second, as unsigned 32-bit offsets from the bucket's
 * base, its smallest deadline: an id is forgotten once the horizon passes its deadline's next whole
 * second, up to a second later than its exact deadline would allow, and never earlier. An id whose
 * deadline lies more than 2³² - 2 seconds (136 years) above the base is kept forever, and so are
 * NaN deadlines and deadlines beyond 2⁶² seconds. The base only moves down when an id with an
 * earlier deadline joins, and up to the smallest deadline kept when the bucket is cleaned; so an
 * outlier far in the future never holds other ids, and one far in the past (a request due more than
 * 136 years before the others) can make the ids of its bucket kept forever, never forgotten early.
 *
 * <p>Two different ids of a domain share a 64-bit hash with a probability of about n/2⁶⁴ per new id
 * for n ids remembered at once (below 10⁻¹⁵ for 10,000 ids): then the later one is rejected as a
 * duplicate, with its reason, never dropped silently.
 */
final class KnownIdBuckets {
    /** Buckets per domain (a power of two). */
    static final int BUCKETS = 16;

    private static final int SHIFT = 64 - Integer.numberOfTrailingZeros(BUCKETS);

    private static final long[] EMPTY = new long[0];

    private KnownIdBuckets() {}

    /** The bucket of a hash (its high half's top bits). */
    static long bucketOf(long hi) {
        return hi >>> SHIFT;
    }

    /**
     * The 128-bit hash of an id: MurmurHash3 x64 128 over its UTF-16LE bytes, started from two
     * fixed values instead of a seed. Part of the checkpointed state: it must never change.
     */
    static long[] hash(String id) {
        long h1 = 0x9368e53c2f6af274L;
        long h2 = 0x586dcd208f7cd3fdL;
        int n = id.length();
        int i = 0;
        // 16 bytes (8 chars) per block
        for (; i + 8 <= n; i += 8) {
            long k1 = chars4(id, i);
            long k2 = chars4(id, i + 4);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        // the tail: up to 7 chars
        long k1 = 0;
        long k2 = 0;
        for (int j = i; j < n; j++) {
            long c = id.charAt(j);
            int pos = j - i;
            if (pos < 4) {
                k1 |= c << (16 * pos);
            } else {
                k2 |= c << (16 * (pos - 4));
            }
        }
        if (n > i + 4) {
            h2 ^= mixK2(k2);
        }
        if (n > i) {
            h1 ^= mixK1(k1);
        }
        long len = 2L * n;
        h1 ^= len;
        h2 ^= len;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        return new long[] {h1, h2};
    }

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long chars4(String s, int i) {
        return (long) s.charAt(i)
                | (long) s.charAt(i + 1) << 16
                | (long) s.charAt(i + 2) << 32
                | (long) s.charAt(i + 3) << 48;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    /** The number of ids a bucket holds. */
    static int size(long[] bucket) {
        return bucket.length == 0 ? 0 : (2 * (bucket.length - 1)) / 3;
    }

    /** The length of a bucket of n ids. */
    static int length(int n) {
        return n == 0 ? 0 : 1 + n + (n + 1) / 2;
    }

    /** The low 32 bits of a long (an offset's slot in its word). */
    private static final long LOW32 = 0xffffffffL;

    /** The stored offset meaning "never forgotten" (the largest unsigned 32-bit value). */
    static final long FOREVER = LOW32;

    /** The largest offset that stands for a deadline. */
    static final long MAX_OFFSET = FOREVER - 1;

    /** Seconds beyond which a deadline is kept forever, and below which it is raised to. */
    private static final long SECONDS_RANGE = 1L << 62;

    /**
     * A deadline in whole seconds, rounded up (never earlier than the deadline); Long.MAX_VALUE
     * (kept forever) for NaN and for deadlines beyond 2⁶² s, and -2⁶² s for those below (kept
     * longer than they need).
     */
    static long seconds(double deadlineMs) {
        double s = Math.ceil(deadlineMs / 1000.0);
        if (!(s <= SECONDS_RANGE)) {
            return Long.MAX_VALUE; // NaN too
        }
        return Math.max(-SECONDS_RANGE, (long) s);
    }

    private static long offsetAt(long[] bucket, int n, int k) {
        long word = bucket[1 + n + (k >>> 1)];
        return (k & 1) == 0 ? word & LOW32 : word >>> 32;
    }

    /** The stored deadline (whole seconds) of the k-th id of a bucket of n; MAX_VALUE: forever. */
    static long deadlineSeconds(long[] bucket, int n, int k) {
        long off = offsetAt(bucket, n, k);
        return off == FOREVER ? Long.MAX_VALUE : bucket[0] + off;
    }

    private static void putOffset(long[] out, int n, int k, long off) {
        int at = 1 + n + (k >>> 1);
        out[at] = (k & 1) == 0 ? (out[at] & ~LOW32) | off : (out[at] & LOW32) | off << 32;
    }

    /**
     * The offset of a deadline (seconds) from a base not above it: FOREVER when it does not fit.
     */
    private static long offset(long base, long sec) {
        if (sec == Long.MAX_VALUE) {
            return FOREVER;
        }
        long d = sec - base; // both within ±2^62
        return d > MAX_OFFSET ? FOREVER : d;
    }

    /** The index of the hash in the bucket of n ids, or -(insertion point) - 1. */
    static int find(long[] bucket, int n, long h) {
        int a = 0;
        int b = n - 1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            long v = bucket[1 + m];
            if (v < h) {
                a = m + 1;
            } else if (v > h) {
                b = m - 1;
            } else {
                return m;
            }
        }
        return -(a + 1);
    }

    /** Whether the bucket (null: none) holds the hash. */
    static boolean contains(long[] bucket, long h) {
        return bucket != null && bucket.length > 0 && find(bucket, size(bucket), h) >= 0;
    }

    /**
     * The bucket (null: none) with the hash and its deadline added: a new array (the one given is
     * not changed); the same array when the hash is there already with a deadline at least as late
     * (with an earlier one, the later deadline is kept).
     */
    static long[] with(long[] bucket, long h, double deadlineMs) {
        long[] b = bucket == null ? EMPTY : bucket;
        int n = size(b);
        long sec = seconds(deadlineMs);
        if (n == 0) {
            return build(new long[] {h}, new long[] {sec}, 1);
        }
        int at = find(b, n, h);
        if (at >= 0) {
            return deadlineSeconds(b, n, at) >= sec
                    ? b
                    : merged(b, new long[] {h}, new double[] {deadlineMs}, 1);
        }
        long base = b[0];
        if (sec < base || (sec != Long.MAX_VALUE && sec - base > MAX_OFFSET)) {
            // the base moves down, or the id is kept forever (rare: a deadline far from the
            // others')
            return merged(b, new long[] {h}, new double[] {deadlineMs}, 1);
        }
        // the usual case: the offsets stay, the new one goes in at its place
        int ins = -(at + 1);
        long[] out = new long[length(n + 1)];
        out[0] = base;
        System.arraycopy(b, 1, out, 1, ins);
        out[1 + ins] = h;
        System.arraycopy(b, 1 + ins, out, 2 + ins, n - ins);
        for (int k = 0, j = 0; k <= n; k++) {
            putOffset(out, n + 1, k, k == ins ? offset(base, sec) : offsetAt(b, n, j++));
        }
        return out;
    }

    /**
     * The bucket (null: none) with m ids added that it does not hold, distinct, given in the order
     * they arrived: the same array as {@link #with} called for each of them in that order would
     * give (the first m entries of the arrays are read). One copy of the bucket for all of them
     * instead of one per id: a linear merge when the bucket's base stays (every new deadline at or
     * above it and within the offsets' range, the usual case); otherwise {@link #with} id by id.
     */
    static long[] withAbsent(long[] bucket, long[] hashes, double[] deadlinesMs, int m) {
        long[] b = bucket == null ? EMPTY : bucket;
        int n = size(b);
        if (m == 0) {
            return b;
        }
        if (n == 0 || m == 1) {
            return oneByOne(b, hashes, deadlinesMs, m);
        }
        long base = b[0];
        long[] secs = new long[m];
        for (int k = 0; k < m; k++) {
            long sec = seconds(deadlinesMs[k]);
            if (sec < base || (sec != Long.MAX_VALUE && sec - base > MAX_OFFSET)) {
                return oneByOne(b, hashes, deadlinesMs, m);
            }
            secs[k] = sec;
        }
        long[] sortedH = Arrays.copyOf(hashes, m);
        Arrays.sort(sortedH);
        for (int k = 1; k < m; k++) {
            if (sortedH[k] == sortedH[k - 1]) {
                throw new IllegalArgumentException("the new hashes must be distinct");
            }
        }
        long[] sortedOff = new long[m];
        for (int k = 0; k < m; k++) {
            sortedOff[Arrays.binarySearch(sortedH, hashes[k])] = offset(base, secs[k]);
        }
        int total = n + m;
        long[] out = new long[length(total)];
        out[0] = base;
        int i = 0;
        int j = 0;
        for (int k = 0; k < total; k++) {
            boolean old = j == m || (i < n && b[1 + i] < sortedH[j]);
            if (!old && i < n && b[1 + i] == sortedH[j]) {
                throw new IllegalArgumentException("a new hash is in the bucket already");
            }
            if (old) {
                out[1 + k] = b[1 + i];
                putOffset(out, total, k, offsetAt(b, n, i++));
            } else {
                out[1 + k] = sortedH[j];
                putOffset(out, total, k, sortedOff[j++]);
            }
        }
        return out;
    }

    private static long[] oneByOne(long[] b, long[] hashes, double[] deadlinesMs, int m) {
        long[] out = b;
        for (int k = 0; k < m; k++) {
            out = with(out, hashes[k], deadlinesMs[k]);
        }
        return out;
    }

    /**
     * The bucket (null: none) with the given ids added (hashes in any order, repeats allowed: the
     * latest deadline of a hash is kept); a new array, or the same one when nothing changes. One
     * pass, for moving many ids at once.
     */
    static long[] merged(long[] bucket, long[] hashes, double[] deadlinesMs, int count) {
        long[] b = bucket == null ? EMPTY : bucket;
        int n = size(b);
        int total = n + count;
        long[] hs = new long[total];
        long[] secs = new long[total];
        for (int k = 0; k < n; k++) {
            hs[k] = b[1 + k];
            secs[k] = deadlineSeconds(b, n, k);
        }
        for (int k = 0; k < count; k++) {
            hs[n + k] = hashes[k];
            secs[n + k] = seconds(deadlinesMs[k]);
        }
        // sort by hash, the latest deadline first among equal hashes
        Integer[] order = new Integer[total];
        for (int k = 0; k < total; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(
                order,
                (x, y) -> {
                    int c = Long.compare(hs[x], hs[y]);
                    return c != 0 ? c : Long.compare(secs[y], secs[x]);
                });
        long[] sortedH = new long[total];
        long[] sortedS = new long[total];
        int m = 0;
        for (int r = 0; r < total; r++) {
            int k = order[r];
            if (m == 0 || sortedH[m - 1] != hs[k]) {
                sortedH[m] = hs[k];
                sortedS[m] = secs[k];
                m++;
            }
        }
        if (m == n && sameAs(b, n, sortedH, sortedS)) {
            return b;
        }
        return build(sortedH, sortedS, m);
    }

    private static boolean sameAs(long[] b, int n, long[] hs, long[] secs) {
        for (int k = 0; k < n; k++) {
            if (b[1 + k] != hs[k] || deadlineSeconds(b, n, k) != secs[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A bucket of the m ids given in hash order with their deadlines (seconds; MAX_VALUE: forever).
     * The base is the smallest deadline (0 when every id is kept forever), so every id within 2³² -
     * 2 seconds of it keeps its exact offset; an id further out is kept forever.
     */
    static long[] build(long[] hs, long[] secs, int m) {
        if (m == 0) {
            return EMPTY;
        }
        long base = Long.MAX_VALUE;
        for (int k = 0; k < m; k++) {
            base = Math.min(base, secs[k]);
        }
        if (base == Long.MAX_VALUE) {
            base = 0;
        }
        long[] out = new long[length(m)];
        out[0] = base;
        for (int k = 0; k < m; k++) {
            out[1 + k] = hs[k];
            putOffset(out, m, k, offset(base, secs[k]));
        }
        return out;
    }

    /**
     * The bucket without the ids whose stored deadline (seconds) lies before the horizon (ms): the
     * same array when none does, an empty one when all do; the base moves up to the smallest
     * deadline kept.
     */
    static long[] withoutBefore(long[] bucket, double horizonMs) {
        int n = size(bucket);
        int keep = 0;
        for (int k = 0; k < n; k++) {
            if (!(deadlineSeconds(bucket, n, k) * 1000.0 < horizonMs)) {
                keep++;
            }
        }
        if (keep == n) {
            return bucket;
        }
        long[] hs = new long[keep];
        long[] secs = new long[keep];
        int j = 0;
        for (int k = 0; k < n; k++) {
            long sec = deadlineSeconds(bucket, n, k);
            if (!(sec * 1000.0 < horizonMs)) {
                hs[j] = bucket[1 + k];
                secs[j++] = sec;
            }
        }
        return build(hs, secs, keep);
    }

    /**
     * Calls {@code to} with the 64-bit hash (the 128-bit hash's high half) and the deadline of
     * every id of a bucket of the 24-byte layout ({@code known-id-hashes} until December 2026:
     * (hash high, hash low, deadline bits) triples).
     */
    static void forEachOf24ByteLayout(long[] bucket, IdSink to) {
        for (int i = 0; i + 2 < bucket.length; i += 3) {
            to.accept(bucket[i], Double.longBitsToDouble(bucket[i + 2]));
        }
    }

    /** A receiver of (hash, deadline) pairs. */
    interface IdSink {
        void accept(long hash, double deadlineMs);
    }
}
