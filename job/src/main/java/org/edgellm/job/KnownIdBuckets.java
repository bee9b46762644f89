package org.edgellm.job;

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
 * 2026), about 1 MB of checkpoint per 1,000 requests/s; these, half that (docs/bench-job.md).
 *
 * <p>Deadlines are kept rounded up to the second: an id is forgotten once the horizon passes its
 * deadline's next whole second, up to a second later than its exact deadline would allow, never
 * earlier. An offset that does not fit 32 bits (a deadline some 68 years from the bucket's base) is
 * clamped, which keeps an id too long where it lies below, and forgets it early only once event
 * time is 68 years past the base.
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

    /** The deadline of an id in whole seconds, rounded up (never earlier than the deadline). */
    static long seconds(double deadlineMs) {
        double s = Math.ceil(deadlineMs / 1000.0);
        // a NaN deadline (never stored: requests are validated) would be kept forever
        return s != s ? Long.MAX_VALUE : (long) s;
    }

    /** The stored deadline (whole seconds) of the k-th id of a bucket of n. */
    static long deadlineSeconds(long[] bucket, int n, int k) {
        long word = bucket[1 + n + (k >>> 1)];
        int off = (k & 1) == 0 ? (int) word : (int) (word >>> 32);
        return bucket[0] + off;
    }

    private static int offset(long base, long seconds) {
        long d = seconds - base;
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, d));
    }

    private static void putOffset(long[] out, int n, int k, int off) {
        int at = 1 + n + (k >>> 1);
        long v = off & 0xffffffffL;
        out[at] =
                (k & 1) == 0
                        ? (out[at] & 0xffffffff00000000L) | v
                        : (out[at] & 0xffffffffL) | v << 32;
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
     * not changed); the same array when the hash is there already.
     */
    static long[] with(long[] bucket, long h, double deadlineMs) {
        long[] b = bucket == null ? EMPTY : bucket;
        int n = size(b);
        long sec = seconds(deadlineMs);
        if (n == 0) {
            long[] one = new long[length(1)];
            one[0] = sec;
            one[1] = h;
            return one; // offset 0
        }
        long base = b[0];
        int at = find(b, n, h);
        if (at >= 0) {
            return b;
        }
        int ins = -(at + 1);
        long[] out = new long[length(n + 1)];
        out[0] = base;
        System.arraycopy(b, 1, out, 1, ins);
        out[1 + ins] = h;
        System.arraycopy(b, 1 + ins, out, 2 + ins, n - ins);
        for (int k = 0, j = 0; k <= n; k++) {
            int off = k == ins ? offset(base, sec) : (int) (deadlineSeconds(b, n, j++) - base);
            putOffset(out, n + 1, k, off);
        }
        return out;
    }

    /**
     * The bucket without the ids whose stored deadline (seconds) lies before the horizon (ms): the
     * same array when none does, an empty one when all do.
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
        if (keep == 0) {
            return EMPTY;
        }
        long[] out = new long[length(keep)];
        long base = bucket[0];
        out[0] = base;
        int j = 0;
        for (int k = 0; k < n; k++) {
            long sec = deadlineSeconds(bucket, n, k);
            if (!(sec * 1000.0 < horizonMs)) {
                out[1 + j] = bucket[1 + k];
                putOffset(out, keep, j, (int) (sec - base));
                j++;
            }
        }
        return out;
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
