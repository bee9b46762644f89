package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.edgellm.job.replay.GapFill.Mode;
import org.edgellm.job.replay.GapFill.Result;
import org.junit.jupiter.api.Test;

/**
 * Gap filling: hold and interpolate values, the limit (time between the measurements around a gap)
 * respected to the second, the loop's wrap-around gap, the counts.
 */
class GapFillTest {

    static final double N = Double.NaN;

    static Result fill(Mode m, long maxMs, double... snr) {
        return GapFill.fill(new Traces.Radio("t", snr), m, maxMs);
    }

    @Test
    void holdRepeatsTheMeasurementBeforeTheGap() {
        Result r = fill(Mode.HOLD, 10_000, 4, N, N, 10, 2);
        assertArrayEquals(new double[] {4, 4, 4, 10, 2}, r.radio().snrDb(), 0.0);
        assertArrayEquals(new boolean[] {false, true, true, false, false}, r.radio().filled());
        assertEquals(1, r.gapsFilled());
        assertEquals(2, r.secondsFilled());
        assertEquals(0, r.gapsLeft());
    }

    @Test
    void interpolateDrawsTheLineInDbBetweenTheMeasurementsAround() {
        Result r = fill(Mode.INTERPOLATE, 10_000, 4, N, N, 10, N, 2);
        // 4 -> 10 over 3 s: 6, 8; 10 -> 2 over 2 s: 6
        assertArrayEquals(new double[] {4, 6, 8, 10, 6, 2}, r.radio().snrDb(), 1e-9);
        assertEquals(2, r.gapsFilled());
        assertEquals(3, r.secondsFilled());
    }

    @Test
    void theLimitIsTheTimeBetweenTheMeasurementsAroundTheGap() {
        // one gap of 3 missing seconds (4 s between measurements) and one of 1 (2 s)
        double[] t = {1, N, N, N, 5, N, 7};
        Result at4 = fill(Mode.HOLD, 4_000, t);
        assertEquals(2, at4.gapsFilled());
        assertEquals(0, at4.gapsLeft());
        Result below = fill(Mode.HOLD, 3_999, t);
        assertEquals(1, below.gapsFilled(), "only the 2 s gap");
        assertEquals(1, below.secondsFilled());
        assertEquals(1, below.gapsLeft());
        assertArrayEquals(new double[] {1, N, N, N, 5, 5, 7}, below.radio().snrDb(), 0.0);
    }

    @Test
    void missingSecondsAtTheEndAndTheStartAreOneGapAcrossTheLoop() {
        // the loop: ..., 8, [N, N], then from the start [N], 2, ...: 3 missing, 4 s, 8 -> 2
        Result r = fill(Mode.INTERPOLATE, 4_000, N, 2, 5, 8, N, N);
        assertArrayEquals(new double[] {3.5, 2, 5, 8, 6.5, 5}, r.radio().snrDb(), 1e-9);
        assertEquals(1, r.gapsFilled());
        assertEquals(3, r.secondsFilled());
        Result tooLong = fill(Mode.INTERPOLATE, 3_000, N, 2, 5, 8, N, N);
        assertEquals(0, tooLong.gapsFilled());
        assertEquals(1, tooLong.gapsLeft());
    }

    @Test
    void noneLeavesEveryGapAndCountsThem() {
        Traces.Radio in = new Traces.Radio("t", new double[] {1, N, 3, N, N, 6});
        Result r = GapFill.fill(in, Mode.NONE, 1_000_000);
        assertSame(in, r.radio());
        assertEquals(0, r.gapsFilled());
        assertEquals(2, r.gapsLeft());
    }

    @Test
    void aSingleMeasurementFillsTheWholeLoopWithinTheLimit() {
        Result r = fill(Mode.INTERPOLATE, 3_000, N, 7, N);
        assertArrayEquals(new double[] {7, 7, 7}, r.radio().snrDb(), 0.0);
        assertEquals(2, r.secondsFilled());
    }

    @Test
    void aTraceWithoutMeasurementsStaysEmptyAndOneWithoutGapsUnchanged() {
        Result empty = fill(Mode.HOLD, 60_000, N, N);
        assertTrue(Double.isNaN(empty.radio().snrDb()[0]));
        assertEquals(0, empty.gapsFilled());
        Result full = fill(Mode.INTERPOLATE, 60_000, 1, 2, 3);
        assertArrayEquals(new double[] {1, 2, 3}, full.radio().snrDb(), 0.0);
        assertEquals(0, full.gapsFilled());
        assertFalse(full.radio().isFilled(1));
        assertNull(new Traces.Radio("x", new double[] {1}).filled());
    }
}
