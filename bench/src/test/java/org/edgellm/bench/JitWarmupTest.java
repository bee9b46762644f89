package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's end on a simulated clock: the compile time is a function of the time, the sleeps
 * move the clock, so every case has an answer worked out by hand.
 */
class JitWarmupTest {

    /** A clock that the warm-up's sleeps advance, and compile time as a function of it. */
    static final class Fake {
        long now;
        final LongUnaryOperator compileAt;

        Fake(LongUnaryOperator compileAt) {
            this.compileAt = compileAt;
        }

        JitWarmup warmup() {
            return new JitWarmup(() -> compileAt.applyAsLong(now), () -> now, ms -> now += ms);
        }
    }

    @Test
    void theWindowWaitsUntilTheCompilersFallIdle() throws InterruptedException {
        // compiling half of the wall time until 100 s, then nothing
        Fake f = new Fake(t -> Math.min(t, 100_000) / 2);
        JitWarmup.Result r = f.warmup().await(40, 300);
        assertTrue(r.settled());
        // the trailing 20 s hold (120 - t) s of compiling at 0.5: under 10 % once t > 116 s
        assertEquals(117.0, r.waitedSeconds(), 1e-9);
        assertEquals(3_000 / 2 / 20_000.0, r.lastShare(), 1e-9);
    }

    @Test
    void compilersThatNeverRestEndTheWarmUpAtItsLongest() throws InterruptedException {
        Fake f = new Fake(t -> t / 5); // 20 % of the time, always
        JitWarmup.Result r = f.warmup().await(40, 60);
        assertFalse(r.settled());
        assertEquals(100.0, r.waitedSeconds(), 1e-9);
        assertEquals(0.2, r.lastShare(), 1e-9);
    }

    @Test
    void idleCompilersEndItAtTheLeastWarmUp() throws InterruptedException {
        Fake f = new Fake(t -> t < 5_000 ? t : 5_000);
        JitWarmup.Result r = f.warmup().await(40, 300);
        assertTrue(r.settled());
        assertEquals(40.0, r.waitedSeconds(), 1e-9);
        assertEquals(0.0, r.lastShare(), 1e-9);
    }

    @Test
    void noExtraWaitIsTheFixedWarmUp() throws InterruptedException {
        Fake f = new Fake(t -> t / 2);
        JitWarmup.Result r = f.warmup().await(30, 0);
        assertFalse(r.settled());
        assertEquals(30.0, r.waitedSeconds(), 1e-9);
        // a window shorter than 20 s has no share yet
        Fake g = new Fake(t -> 0);
        JitWarmup.Result q = g.warmup().await(4, 0);
        assertFalse(q.settled());
        assertEquals(4.0, q.waitedSeconds(), 1e-9);
        assertTrue(Double.isNaN(q.lastShare()));
    }

    @Test
    void theReportCarriesTheWarmUpAndTheWindowsCompileTime() {
        Map<String, Object> res = new TreeMap<>();
        JobBenchReport.putWarmup(res, new JitWarmup.Result(117.4, true, 0.0751), 0.0749);
        assertEquals(117.4, res.get("warmupSeconds"));
        assertEquals(true, res.get("jitIdleAtStart"));
        assertEquals(0.075, res.get("jitShareAtStart"));
        assertEquals(0.075, res.get("jitSharePerWindowSecond"));
        assertEquals(
                " after 117 s of warm-up (JIT compilers idle at its end: compile time 0.075 of the"
                        + " wall time over its last 20 s)",
                JobBenchReport.warmupText(res));
        JobBenchReport.putWarmup(res, new JitWarmup.Result(4, false, Double.NaN), Double.NaN);
        String json = JobBenchReport.json(res);
        assertTrue(json.contains("\"jitShareAtStart\":null"), json);
        assertTrue(json.contains("\"jitSharePerWindowSecond\":null"), json);
        assertTrue(json.contains("\"jitIdleAtStart\":false"), json);
        assertEquals(
                " after 4 s of warm-up (JIT compilers not idle at its end: compile time - of the"
                        + " wall time over its last 20 s)",
                JobBenchReport.warmupText(res));
        // runs reported before the warm-up was: no words
        assertEquals("", JobBenchReport.warmupText(new TreeMap<>()));
    }
}
