package org.edgellm.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The end of a benchmark's warm-up: after the fixed warm-up, wait until the JIT compilers are
 * nearly idle, so that the measured window sees the job's compiled code and not the compilers. On 2
 * cores shared by the broker, the load generator and the job, the C2 compiler took half a core for
 * about two minutes of the overload shape and the decision p99 with it (docs/bench-job.md,
 * "Measured after the JIT settles"); a TaskManager running for hours is past that.
 *
 * <p>Idle means: over the last {@link #WINDOW_SECONDS} s the compilers' accumulated compile time
 * ({@link CompilationMXBean#getTotalCompilationTime()}, elapsed time summed over compiler threads)
 * grew by less than {@link #IDLE_SHARE} of the wall time. The clock, the compile-time reading and
 * the wait are injected so that the rule can be tested without a JVM's compilers.
 */
final class JitWarmup {

    /** Compile time per wall time below which the compilers count as idle. */
    static final double IDLE_SHARE = 0.10;

    /** The trailing window over which that share is taken, in seconds. */
    static final int WINDOW_SECONDS = 20;

    /** How it ended. */
    record Result(double waitedSeconds, boolean settled, double lastShare) {
        /** One line for the benchmark's log. */
        String describe() {
            return String.format(
                    Locale.ROOT,
                    "warm-up: %.0f s, JIT %s (compile time %.3f of the wall time over the last %d"
                            + " s)",
                    waitedSeconds,
                    settled ? "idle" : "not idle",
                    lastShare,
                    WINDOW_SECONDS);
        }
    }

    /** Sleeps for a number of milliseconds. */
    interface Sleeper {
        void sleep(long ms) throws InterruptedException;
    }

    private final LongSupplier compileMs;
    private final LongSupplier nowMs;
    private final Sleeper sleeper;

    JitWarmup(LongSupplier compileMs, LongSupplier nowMs, Sleeper sleeper) {
        this.compileMs = compileMs;
        this.nowMs = nowMs;
        this.sleeper = sleeper;
    }

    /** On this JVM's compilers and clock; null when the JVM does not report compile time. */
    static JitWarmup ofThisJvm() {
        return compileMillis() < 0
                ? null
                : new JitWarmup(JitWarmup::compileMillis, System::currentTimeMillis, Thread::sleep);
    }

    /**
     * The warm-up of a benchmark on this JVM: {@link #await} on its compilers, or exactly
     * minSeconds (not settled) when the JVM does not report compile time.
     */
    static Result warmUpThisJvm(int minSeconds, int maxExtraSeconds) throws InterruptedException {
        JitWarmup jit = ofThisJvm();
        if (jit == null) {
            Thread.sleep(minSeconds * 1000L);
            return new Result(minSeconds, false, Double.NaN);
        }
        return jit.await(minSeconds, maxExtraSeconds);
    }

    /**
     * The compilers' time per wall time since compile0 (a {@link #compileMillis} reading) over
     * elapsedMs of wall time; NaN when the JVM does not report compile time.
     */
    static double shareSince(long compile0, double elapsedMs) {
        return compile0 < 0 ? Double.NaN : (compileMillis() - compile0) / elapsedMs;
    }

    /** This JVM's accumulated compile time in ms, or -1 when not reported. */
    static long compileMillis() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c == null || !c.isCompilationTimeMonitoringSupported()
                ? -1
                : c.getTotalCompilationTime();
    }

    /**
     * The warm-up: at least minSeconds, then on until the compilers are idle or maxExtraSeconds
     * more have passed (0: exactly minSeconds), sampling the compile time once a second from the
     * start. The result's waitedSeconds counts from the start, lastShare is the trailing share at
     * the end (NaN before a full window).
     */
    Result await(int minSeconds, int maxExtraSeconds) throws InterruptedException {
        long start = nowMs.getAsLong();
        long min = start + minSeconds * 1000L;
        long end = min + Math.max(0, maxExtraSeconds) * 1000L;
        int n = WINDOW_SECONDS + 1;
        long[] at = new long[n];
        long[] compiled = new long[n];
        int count = 0;
        double share = Double.NaN;
        while (true) {
            long now = nowMs.getAsLong();
            long c = compileMs.getAsLong();
            at[count % n] = now;
            compiled[count % n] = c;
            count++;
            if (count >= n) {
                int oldest = count % n; // the sample WINDOW_SECONDS samples ago
                long span = now - at[oldest];
                share = span > 0 ? (c - compiled[oldest]) / (double) span : share;
            }
            boolean idle = share < IDLE_SHARE; // false while NaN
            if (now >= min && (idle || now >= end)) {
                return new Result((now - start) / 1000.0, idle, share);
            }
            sleeper.sleep(Math.max(1, Math.min(1000, (now < min ? min : end) - now)));
        }
    }
}
