package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.pendingIds;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.edgellm.job.InputEvent;
import org.edgellm.job.domain.DomainFixtures.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The candidate window that grows with the queue ({@link DomainSettings#window}): its size, and
 * what it lets a slot decide that a fixed window cannot.
 */
class CandidateWindowTest {

    static final String D = SlotPlannerTest.D;
    static final long SLOT_END = SlotPlannerTest.SLOT_END;

    static DomainSettings with(String policy, int max, double share, int cap) {
        DomainFixtures.Settings s = settings();
        s.policy = policy;
        s.maxCandidates = max;
        s.candidateShare = share;
        s.candidateCap = cap;
        return s.build();
    }

    @Test
    void theWindowIsTheShareOfTheQueueBetweenMaxCandidatesAndTheCap() {
        DomainSettings s = with("load-price", 64, 0.25, 512);
        assertEquals(64, s.window(0));
        assertEquals(64, s.window(256)); // a quarter of 256 is 64
        assertEquals(65, s.window(257)); // rounded up
        assertEquals(100, s.window(400));
        assertEquals(512, s.window(2048));
        assertEquals(512, s.window(100_000));
        assertEquals(512, s.largestWindow());
        // a cap below max-candidates never shrinks the window
        DomainSettings low = with("load-price", 64, 0.25, 16);
        assertEquals(64, low.window(100_000));
        assertEquals(64, low.largestWindow());
        // a share of 0 and the paper's per-slot policy keep the window fixed
        for (DomainSettings fixed :
                List.of(with("load-price", 64, 0, 512), with("per-slot", 64, 0.25, 512))) {
            assertEquals(64, fixed.window(100_000));
            assertEquals(64, fixed.largestWindow());
        }
        assertEquals(512, with("throughput-rate", 64, 0.25, 512).window(4000));
        assertEquals(300, with("padding-rate", 32, 1.0, 512).window(300));
    }

    /**
     * The random four-slot run of {@link SlotPlannerTest#feasibleRun} with a window of 2 that grows
     * to the whole queue, under the default policy and its options: every batch passes the
     * independent re-check of C1-C5, no request is decided twice, and some slot offered more than
     * max-candidates.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ot-gah", "gah", "smallest-kv", "fcfs"})
    void everyDecisionIsFeasibleWithAWindowThatGrows(String algorithm) {
        int widest =
                new SlotPlannerTest()
                        .feasibleRun(
                                algorithm,
                                "load-price",
                                true,
                                true,
                                s -> {
                                    s.maxCandidates = 2;
                                    s.candidateShare = 1;
                                });
        assertTrue(widest > 2, algorithm + ": the widest window offered " + widest);
    }

    /**
     * Six requests with 1,500-token answers and early deadlines, six with 16-token answers due
     * later, one node, max-candidates 4. A fixed window holds only long ones (padding-rate's wide
     * draw of twice the window reaches two short ones); a window of the whole queue reaches all six
     * short ones, and the rate policies serve them together, a batch larger than max-candidates.
     * Every batch passes the independent re-check of C1-C5, and a second run decides the same.
     */
    @ParameterizedTest
    @ValueSource(strings = {"throughput-rate", "padding-rate"})
    void aWindowOfTheQueueReachesTheShortRequestsBehindTheLongOnes(String policy) {
        List<String> shorts = List.of("s0", "s1", "s2", "s3", "s4", "s5");
        for (double share : new double[] {0, 1}) {
            List<List<String>> runs = new ArrayList<>();
            for (int again = 0; again < 2; again++) {
                DomainSettings settings = with(policy, 4, share, 512);
                Run run = new Run(settings);
                List<InputEvent> events =
                        SlotPlannerTest.longThenShort(6, 6, i -> (i < 6 ? "l" : "s") + (i % 6));
                SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
                assertEquals(1, o.decisions().size(), policy);
                Decision d = o.decisions().get(0);
                SlotPlannerTest.recheck(
                        d, D, SLOT_END, SLOT_END, Double.NEGATIVE_INFINITY, run.state(D), settings);
                List<String> ids = new ArrayList<>();
                d.requests().forEach(r -> ids.add(r.request().requestId));
                ids.sort(null);
                runs.add(ids);
                int window = settings.window(12);
                assertEquals(share == 0 ? 4 : 12, window);
                assertEquals(window, o.report().considered(), "candidates offered");
                if (share == 0) {
                    assertTrue(ids.size() <= 4, policy + " fixed window decided " + ids);
                    assertTrue(
                            pendingIds(run.state(D).pending()).containsAll(shorts.subList(2, 6)),
                            "the short requests beyond the wide draw wait: "
                                    + pendingIds(run.state(D).pending()));
                } else {
                    assertEquals(shorts, ids, policy + " with the window of the queue");
                }
            }
            assertEquals(runs.get(0), runs.get(1), "deterministic: " + policy + ", share " + share);
        }
    }
}
