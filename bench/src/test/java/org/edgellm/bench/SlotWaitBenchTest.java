package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench.jar slot-wait}: what it counts, and its command line. */
class SlotWaitBenchTest {

    @TempDir Path dir;

    static SlotWaitBench.Result run(String mode) {
        return SlotWaitBench.run(
                mode, 1, 50, 4, 1, "load-price", 5, 2, KafkaJobBenchmark.Shape.OVERLOAD);
    }

    /**
     * With aligned slots every domain of a subtask closes in the same watermark step (25 of the 50
     * domains dealt to two subtasks); with staggered slots the phases spread them over the five
     * 20-ms steps of a slot, so no step closes as many (the most in one step is the largest share
     * of a subtask's domains whose phases fall in one step). Every domain closes every slot in both
     * modes, and the decisions do not depend on the CPU's speed: a second run decides the same.
     */
    @Test
    void staggeredSlotsSpreadTheClosingsAndTheDecisionsAreDeterministic() {
        SlotWaitBench.Result aligned = run("aligned");
        SlotWaitBench.Result spread = run("spread");
        assertEquals(25, aligned.maxClosingsPerStep());
        int[][] perStep = new int[2][5];
        int most = 0;
        for (int d = 0; d < 50; d++) {
            int step = (int) ((SlotWaitBench.phase(d) + 19) / 20) % 5;
            most = Math.max(most, ++perStep[d % 2][step]);
        }
        assertEquals(most, spread.maxClosingsPerStep());
        assertTrue(most < 25, "the phases spread: " + most);
        // 3 s measured, 10 slots a second, 50 domains (a phase may add one slot per domain)
        assertEquals(1500, aligned.slots());
        assertTrue(spread.slots() >= 1450 && spread.slots() <= 1550, "" + spread.slots());
        assertTrue(aligned.decidedRequests() > 0 && spread.decidedRequests() > 0);
        SlotWaitBench.Result again = run("spread");
        assertEquals(spread.decidedRequests(), again.decidedRequests());
        assertEquals(spread.rejected(), again.rejected());
        assertEquals(spread.decidedSlots(), again.decidedSlots());
        assertEquals(spread.maxClosingsPerStep(), again.maxClosingsPerStep());
    }

    @Test
    void theCommandWritesItsTableAndRefusesBadFlags() throws Exception {
        Path md = dir.resolve("wait.md");
        BenchMainTest.Result r =
                BenchMainTest.run(
                        "slot-wait",
                        "--domains",
                        "4",
                        "--seconds",
                        "2",
                        "--warmup-seconds",
                        "1",
                        "--rounds",
                        "1",
                        "--markdown",
                        md.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("| aligned | 1 |"), r.out());
        assertTrue(r.out().contains("| spread | 1 |"), r.out());
        assertTrue(r.out().contains("bench.jar slot-wait --domains 4"), r.out());
        assertTrue(Files.readString(md).contains("| spread | 1 |"));
        BenchMainTest.assertUsageError(
                BenchMainTest.run("slot-wait", "--policy", "fastest"), "--policy", "fastest");
        BenchMainTest.assertUsageError(
                BenchMainTest.run("slot-wait", "--seconds", "5", "--warmup-seconds", "5"),
                "--warmup-seconds",
                "5");
    }
}
