package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.EventCodec;
import org.edgellm.job.domain.Decision;
import org.junit.jupiter.api.Test;

/**
 * A decision as the Avro record of the decision topic: every field of the batch and of each decided
 * request comes from its own source field (distinct values, so that a swapped argument shows), and
 * the record survives single-object encoding and decoding unchanged.
 */
class AvroOutputsTest {

    static RequestEvent request(String id, int k, String text) {
        RequestEvent r = new RequestEvent();
        r.requestId = id;
        r.userId = "user-" + k;
        r.domainId = "d1";
        r.arrivalTime = 1_700_000_000_000L + k;
        r.promptTokens = 100 + k;
        r.maxOutputTokens = 200 + k;
        r.deadline = 1_700_000_010_000.5 + k;
        r.maxPplIncrease = 0.25 + k;
        r.promptText = text;
        return r;
    }

    @Test
    void everyFieldComesFromItsOwnSourceAndSurvivesTheWire() throws Exception {
        Decision d =
                new Decision(
                        "d1/1700000001000/edge-a",
                        "d1",
                        1_700_000_001_000L,
                        "edge-a",
                        "w4a16",
                        "ot-gah",
                        12.5,
                        1_700_000_001_100.25,
                        1_700_000_004_000.75,
                        0.875,
                        1.5,
                        1_700_000_009_000.2,
                        List.of(
                                new Decision.Decided(request("r1", 1, "hello"), 1e12 + 1, 3e5, 4e5),
                                new Decision.Decided(request("r2", 2, null), 1e12 + 2, 5e5, 6e5)));
        BatchDecision bd = AvroOutputs.decision(d);
        BatchDecision back =
                EventCodec.decodeDecision(EventCodec.encode(bd), EventCodec.DEFAULT_MAX_BYTES);
        assertEquals(bd, back);
        assertEquals("d1/1700000001000/edge-a", back.getDecisionId());
        assertEquals("edge-a", back.getNodeId());
        assertEquals("w4a16", back.getVariant());
        assertEquals("ot-gah", back.getAlgorithm());
        assertEquals(12.5, back.getUplinkMs());
        assertEquals(1_700_000_001_100.25, back.getComputeStartMs());
        assertEquals(1_700_000_004_000.75, back.getComputeEndMs());
        assertEquals(0.875, back.getCertifiedRatio());
        assertEquals(1.5, back.getAssumedSlowdown());
        // the lease rounded up to the millisecond
        assertEquals(Instant.ofEpochMilli(1_700_000_009_001L), back.getLeaseUntil());
        assertEquals(2, back.getRequests().size());
        for (int k = 1; k <= 2; k++) {
            DecidedRequest x = back.getRequests().get(k - 1);
            assertEquals("r" + k, x.getRequestId());
            assertEquals("user-" + k, x.getUserId());
            assertEquals(Instant.ofEpochMilli(1_700_000_000_000L + k), x.getArrivalTime());
            assertEquals(1_700_000_010_000.5 + k, x.getDeadlineMs());
            assertEquals(100 + k, x.getPromptTokens());
            assertEquals(200 + k, x.getMaxOutputTokens());
            assertEquals(0.25 + k, x.getMaxPplIncrease());
            assertEquals(1e12 + k, x.getPredictedFinishMs());
            assertEquals(1e5 + 2e5 * k, x.getUplinkShareHz());
            assertEquals(2e5 + 2e5 * k, x.getDownlinkShareHz());
        }
        assertEquals("hello", back.getRequests().get(0).getPromptText());
        assertNull(back.getRequests().get(1).getPromptText());
    }
}
