package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;
import org.junit.jupiter.api.Test;

class SimulatedBackendTest {

    static BatchDecision decision(double start, double end, double... deadlines) {
        List<DecidedRequest> rs = new java.util.ArrayList<>();
        for (int i = 0; i < deadlines.length; i++) {
            rs.add(
                    DecidedRequest.newBuilder()
                            .setRequestId("r" + i)
                            .setUserId("u")
                            .setArrivalTime(Instant.EPOCH)
                            .setDeadlineMs(deadlines[i])
                            .setPromptTokens(300)
                            .setMaxOutputTokens(100)
                            .setMaxPplIncrease(1)
                            .setPredictedFinishMs(end + 50)
                            .setUplinkShareHz(1)
                            .setDownlinkShareHz(1)
                            .build());
        }
        return BatchDecision.newBuilder()
                .setDecisionId("d/1/n")
                .setDomainId("d")
                .setSlotEnd(Instant.EPOCH)
                .setNodeId("n")
                .setVariant("fp16")
                .setAlgorithm("ot-gah")
                .setUplinkMs(5)
                .setComputeStartMs(start)
                .setComputeEndMs(end)
                .setCertifiedRatio(1)
                .setRequests(rs)
                .build();
    }

    @Test
    void aSlowerGpuTakesLongerAndMissesTightDeadlines() throws Exception {
        long t0 = System.currentTimeMillis() + 60_000;
        SimulatedBackend.VirtualClock clock = new SimulatedBackend.VirtualClock(t0);
        SimulatedBackend slow = new SimulatedBackend(1.5, 0.0, 1, clock);
        List<Completion> cs = slow.run(decision(t0 + 1000, t0 + 3000, t0 + 3100, t0 + 10_000));
        assertEquals(2, cs.size());
        Completion a = cs.get(0);
        assertEquals(2000, a.getPredictedComputeMs(), 1e-9);
        assertEquals(3000, a.getMeasuredComputeMs(), 1e-9);
        assertEquals(t0 + 1000, a.getStartMs(), 1e-9, "starts at the planned compute start");
        assertEquals(t0 + 1000 + 3000 + 50, a.getFinishMs(), 1e-9, "plus the predicted download");
        assertTrue(a.getFirstTokenMs() > a.getStartMs() && a.getFirstTokenMs() < a.getFinishMs());
        assertFalse(a.getDeadlineMet(), "3,100 ms was enough only at predicted speed");
        assertTrue(cs.get(1).getDeadlineMet());
        assertTrue(clock.now() >= t0 + 4000, "the virtual clock advanced");
    }
}
