package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.edgellm.events.Completion;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.scheduler.plot.Plots;
import org.junit.jupiter.api.Test;

/** The series of {@code report --plots} on a small run, checked by hand. */
class ReportPlotsTest {

    static Completion c(
            String id,
            String batch,
            String node,
            double start,
            double measured,
            boolean met,
            String error) {
        return Completion.newBuilder()
                .setRequestId(id)
                .setDecisionId(batch)
                .setNodeId(node)
                .setVariant("v")
                .setStartMs(start)
                .setFinishMs(start + measured + 10)
                .setOutputTokens(10)
                .setPredictedComputeMs(measured)
                .setMeasuredComputeMs(measured)
                .setDeadlineMet(met)
                .setError(error)
                .build();
    }

    @Test
    void seriesFromCompletionsAndRejections() {
        List<Completion> cs =
                List.of(
                        // one batch on a (slot end 0): 1.0 s to 1.5 s, finishes at 1.51 s
                        c("r1", "d/0/a", "a", 1000, 500, true, null),
                        c("r2", "d/0/a", "a", 1000, 500, false, null),
                        // one batch on b (slot end 2.0 s): 2.1 s to 2.5 s, one request failed
                        c("r3", "d/2000/b", "b", 2100, 400, true, null),
                        c("r4", "d/2000/b", "b", 2100, 400, true, "timeout"));
        List<Rejection> rs =
                List.of(
                        Rejection.newBuilder()
                                .setRequestId("r5")
                                .setDomainId("d")
                                .setUserId("u")
                                .setTime(Instant.ofEpochMilli(3000))
                                .setReason(RejectionReason.SHED)
                                .setDetail("")
                                .build());
        Map<String, String> csv = new TreeMap<>();
        Report.charts(cs, rs).forEach(ch -> csv.put(ch.name(), Plots.csv(ch)));
        // 1 s bins from 1.0 s: r1, r2 end in bin 0; r3, r4 (failed: not met) in bin 1; r5 in bin 2
        assertEquals("time_s,attainment\n0,0.5\n1,0.5\n2,0\n", csv.get("attainment"));
        assertEquals("time_s,goodput\n0,1\n1,1\n2,0\n", csv.get("goodput"));
        assertEquals("time_s,a,b\n0,0.5,0\n1,0,0.4\n2,0,0\n", csv.get("utilisation"));
        assertEquals("time_s,SHED\n0,0\n1,0\n2,1\n", csv.get("rejections"));
        // slot end to finish: r1 and r2 1510 ms, r3 510 ms (r4 failed: none)
        assertEquals(
                "slot_end_to_completion_ms,cdf\n510,0.333333\n1510,0.666667\n1510,1\n",
                csv.get("latency-cdf"));
    }

    @Test
    void slotEndFromTheDecisionId() {
        assertEquals(1_700_000_000_000L, Report.slotEndOf("domain-1/1700000000000/edge-a"));
        assertEquals(5, Report.slotEndOf("a/b/5/n")); // a domain id with a slash
        assertEquals(Long.MIN_VALUE, Report.slotEndOf("d/1/n".replace("1", "x")));
        assertEquals(Long.MIN_VALUE, Report.slotEndOf("no-slashes"));
    }
}
