package org.edgellm.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fixed memory-latency measurement made at the start of a benchmark run, beside {@link
 * CpuReference}: dependent loads along one random cycle through a {@value #MIB} MiB array (larger
 * than the last-level caches of the machines here), so that each load waits for the one before and
 * most miss the caches. Much of the coordinators' time goes to such misses (keyed state gone cold
 * between two slots of a domain, docs/bench-job.md), which SHA-256 does not touch: in the
 * twenty-first session the same command took 1.2 to 1.5 times the process CPU of the session before
 * (the broker up to twice), on a machine whose SHA-256 reference was the same. The least
 * nanoseconds per load over {@link #PASSES} passes is reported.
 */
final class MemoryReference {
    static final int MIB = 64;
    static final int LOADS = 4_000_000;
    static final int PASSES = 3;

    /** Nanoseconds per dependent load (least over the passes); end: where the walk ended. */
    record Result(double nsPerLoad, int end) {}

    private MemoryReference() {}

    static Result measure() {
        int[] next = cycle(MIB * 1024 * 1024 / Integer.BYTES, 42);
        double[] ns = new double[PASSES];
        int at = 0;
        for (int p = 0; p < PASSES; p++) {
            long t0 = System.nanoTime();
            at = walk(next, 0, LOADS);
            ns[p] = (System.nanoTime() - t0) / (double) LOADS;
        }
        Arrays.sort(ns);
        return new Result(Math.round(ns[0] * 10) / 10.0, at);
    }

    /**
     * A permutation of 0..n-1 that is a single cycle (Sattolo's shuffle), from the seed: following
     * it from any index visits every index once before it returns.
     */
    static int[] cycle(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i); // j < i: one cycle
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Follows the permutation from start for the given number of loads; returns where it ends. */
    static int walk(int[] next, int start, int loads) {
        int at = start;
        for (int i = 0; i < loads; i++) {
            at = next[at];
        }
        return at;
    }
}
