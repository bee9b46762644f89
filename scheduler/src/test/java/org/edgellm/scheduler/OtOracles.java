package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

/** The oracle and the soundness check the tests of OT's long-list parts share. */
final class OtOracles {
    private OtOracles() {}

    /**
     * The plain search: one list, none of the long-list parts (no greedy, no boxes, no inherited
     * limits, no limit caps, no band sweep).
     */
    static OtSearch plain(Feasibility f, Instance inst, double[] profit) {
        OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
        s.boxLeaves = 1;
        s.useGreedy = false;
        s.levels.inheritLimits = false;
        s.levels.capByUplink = false;
        s.levels.bandInSweep = false;
        return s;
    }

    /** Asserts that the incumbent of s is feasible from scratch, distinct and worth its value. */
    static void assertSound(Feasibility f, double[] profit, OtSearch s) {
        int[] b = s.bestBatch;
        assertTrue(b.length == 0 || f.feasible(b, b.length), "a feasible batch");
        assertEquals(b.length, Arrays.stream(b).distinct().count(), "no request twice");
        double worth = 0;
        for (int x : b) {
            worth += profit[x];
        }
        assertEquals(s.bestValue, worth, 1e-9 * Math.max(1, worth), "worth its value");
    }
}
