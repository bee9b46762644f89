package org.edgellm.job;

/**
 * The request ids a domain remembers, in the compact form its Flink keyed state keeps them (plain
 * Java, no Flink): each id as a 128-bit hash with its deadline, in {@value #BUCKETS} buckets by the
 * hash's top bits, each bucket one {@code long[]} of (hash high, hash low, deadline bits) triples
 * sorted by hash. A lookup reads one bucket (a binary search), an insertion copies one bucket (a
 * sixteenth of the ids), the cleaning thins every bucket.
 *
 * <p>Why: the heap state backend copies a domain's whole map state on its first access after each
 * checkpoint and serializes it whole in each checkpoint. With one map entry per id (a string and a
 * boxed deadline), the ids of the last two minutes were most of the coordinator's keyed state: at
 * 3,000 requests/s over 100 domains, copying and snapshotting them took about 40 % of the CPU
 * samples of the coordinator and checkpoint threads. A bucket copies with one array copy and
 * serializes as a run of longs (docs/bench-job.md, sixth session).
 *
 * <p>Two different ids share a hash with a probability of about n²/2¹²⁹ for n ids remembered at
 * once (below 10⁻²⁹ for a million): then the later one is rejected as a duplicate, with its reason,
 * never dropped silently.
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

    /** The triple index of the hash in the bucket, or -(insertion point) - 1. */
    static int find(long[] bucket, long hi, long lo) {
        int a = 0;
        int b = bucket.length / 3 - 1;
        while (a <= b) {
            int m = (a + b) >>> 1;
            int c = compare(bucket[3 * m], bucket[3 * m + 1], hi, lo);
            if (c < 0) {
                a = m + 1;
            } else if (c > 0) {
                b = m - 1;
            } else {
                return m;
            }
        }
        return -(a + 1);
    }

    private static int compare(long hi1, long lo1, long hi2, long lo2) {
        int c = Long.compare(hi1, hi2);
        return c != 0 ? c : Long.compare(lo1, lo2);
    }

    /** Whether the bucket (null: none) holds the hash. */
    static boolean contains(long[] bucket, long hi, long lo) {
        return bucket != null && find(bucket, hi, lo) >= 0;
    }

    /**
     * The bucket (null: none) with the hash and its deadline added: a new array (the one given is
     * not changed); the same array when the hash is there already.
     */
    static long[] with(long[] bucket, long hi, long lo, double deadline) {
        long[] b = bucket == null ? EMPTY : bucket;
        int at = find(b, hi, lo);
        if (at >= 0) {
            return b;
        }
        int ins = -(at + 1);
        long[] out = new long[b.length + 3];
        System.arraycopy(b, 0, out, 0, 3 * ins);
        out[3 * ins] = hi;
        out[3 * ins + 1] = lo;
        out[3 * ins + 2] = Double.doubleToLongBits(deadline);
        System.arraycopy(b, 3 * ins, out, 3 * ins + 3, b.length - 3 * ins);
        return out;
    }

    /**
     * The bucket without the entries whose deadline lies before the horizon: the same array when
     * none does, an empty one when all do.
     */
    static long[] withoutBefore(long[] bucket, double horizon) {
        int keep = 0;
        for (int i = 0; i < bucket.length; i += 3) {
            if (!(Double.longBitsToDouble(bucket[i + 2]) < horizon)) {
                keep++;
            }
        }
        if (keep == bucket.length / 3) {
            return bucket;
        }
        long[] out = new long[3 * keep];
        int k = 0;
        for (int i = 0; i < bucket.length; i += 3) {
            if (!(Double.longBitsToDouble(bucket[i + 2]) < horizon)) {
                out[k++] = bucket[i];
                out[k++] = bucket[i + 1];
                out[k++] = bucket[i + 2];
            }
        }
        return out;
    }
}
