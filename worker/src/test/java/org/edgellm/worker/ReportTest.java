package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.events.Completion;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.junit.jupiter.api.Test;

class ReportTest {

    static Completion c(
            String id, String batch, double start, double predicted, double measured, boolean met) {
        return Completion.newBuilder()
                .setRequestId(id)
                .setDecisionId(batch)
                .setNodeId("n")
                .setVariant("v")
                .setStartMs(start)
                .setFinishMs(start + measured + 10)
                .setOutputTokens(100)
                .setPredictedComputeMs(predicted)
                .setMeasuredComputeMs(measured)
                .setDeadlineMet(met)
                .build();
    }

    @Test
    void attainmentGoodputAndAFallingPredictionError() {
        List<Completion> cs = new ArrayList<>();
        // the job's predictions converge toward a 1.5x slower GPU: error 50% falling to 0
        for (int k = 0; k < 8; k++) {
            double predicted = 1000 * (1.5 - 0.5 * (7 - k) / 7.0);
            cs.add(c("r" + k, "b" + k, k * 2000.0, predicted, 1500, k % 4 != 0));
        }
        List<Rejection> rs =
                List.of(
                        Rejection.newBuilder()
                                .setRequestId("x")
                                .setTime(Instant.EPOCH)
                                .setReason(RejectionReason.SHED)
                                .setDetail("")
                                .build());
        var o = Report.compute(cs, rs);
        assertEquals(8, o.get("completions").asInt());
        assertEquals(6, o.get("deadlineMet").asInt());
        assertEquals(6 / 9.0, o.get("deadlineAttainment").asDouble(), 1e-9);
        assertEquals(1, o.get("rejected").get("SHED").asInt());
        var q = o.get("predictionErrorByQuarter");
        assertTrue(q.get(0).asDouble() > q.get(3).asDouble(), q.toString());
        assertTrue(q.get(3).asDouble() < 0.05, q.toString());
        assertTrue(o.get("nodeUtilisation").get("n").asDouble() > 0.7);
    }
}
