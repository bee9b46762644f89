package org.edgellm.scheduler;

/**
 * {@link Feasibility#computeMs} of one (node, variant), kept in a direct-mapped cache keyed by (b,
 * s, n): OT asks for the same few paddings and batch sizes over and over, and a lookup is several
 * times cheaper than the closed form. Every value is the one the call returns, bit for bit.
 */
final class ComputeCache {
    /** Largest cache size (2^bits entries). */
    private static final int MAX_BITS = 12;

    /** The largest b, s and n the packed key holds; beyond, the closed form is called directly. */
    private static final int FIELD = (1 << 21) - 1;

    private final Feasibility f;
    private final long[] keys; // (s, n, b) packed, top bit set: 0 is never a key
    private final double[] values;
    private final int shift;

    /** A cache of at least {@code entries} slots (a power of two from 32 up to 4096). */
    ComputeCache(Feasibility f, int entries) {
        this.f = f;
        int bits = 5;
        while (bits < MAX_BITS && (1 << bits) < entries) {
            bits++;
        }
        keys = new long[1 << bits];
        values = new double[1 << bits];
        shift = 64 - bits;
    }

    /** {@code f.computeMs(b, s, n)}. */
    double computeMs(int b, int s, int n) {
        if (((b | s | n) & ~FIELD) != 0) {
            return f.computeMs(b, s, n); // outside the packed key's range
        }
        long key = Long.MIN_VALUE | ((long) s << 42) | ((long) n << 21) | b;
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> shift);
        if (keys[i] != key) {
            keys[i] = key;
            values[i] = f.computeMs(b, s, n);
        }
        return values[i];
    }
}
