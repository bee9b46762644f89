package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.junit.jupiter.api.Test;

/**
 * A scheduler that fails never drops a slot: FCFS decides it instead, the decisions name FCFS, the
 * slot report says so; and a configuration that would fail on every busy slot is refused at start.
 */
class SchedulerFallbackTest {

    /** Twenty servable requests and fresh channels to both nodes of d1. */
    static InputEvent[] busySlot(int n) {
        List<InputEvent> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String user = "u" + i;
            l.add(channel(user, "d1", "d1-a", 50, 5.0));
            l.add(channel(user, "d1", "d1-b", 50, 5.0));
            InputEvent r = request(String.format("r%02d", i), "d1", 50, 60_000);
            r.request.userId = user;
            r.request.promptTokens = 100;
            r.request.maxOutputTokens = 20;
            l.add(r);
        }
        return l.toArray(InputEvent[]::new);
    }

    @Test
    void aFailingAlgorithmFallsBackToFcfsForThatSlot() {
        // exact on two nodes exhausts at most 18 requests; offered 20 it throws
        DomainFixtures.Settings s = settings();
        s.scheduler = "exact";
        s.maxCandidates = 20;
        DomainFixtures.Run run = new DomainFixtures.Run(s.build());
        SlotOutcome o = run.close("d1", 100, busySlot(20));
        assertNotNull(o.report(), "the slot is reported");
        assertTrue(o.report().fallback(), "the report names the fallback");
        assertTrue(o.solved());
        assertFalse(o.decisions().isEmpty(), "FCFS decided the slot");
        Set<String> ids = new HashSet<>();
        for (Decision d : o.decisions()) {
            assertEquals("fcfs", d.algorithm(), "the decision names the algorithm that made it");
            for (Decision.Decided r : d.requests()) {
                assertTrue(ids.add(r.request().requestId), "decided once");
            }
        }
        assertEquals(o.report().assigned(), ids.size());
        assertEquals(20 - ids.size(), o.pending(), "the rest stays pending");
    }

    @Test
    void aWorkingAlgorithmDoesNotFallBack() {
        DomainFixtures.Settings s = settings();
        s.scheduler = "exact";
        s.maxCandidates = 18;
        DomainFixtures.Run run = new DomainFixtures.Run(s.build());
        SlotOutcome o = run.close("d1", 100, busySlot(20));
        assertFalse(o.report().fallback());
        for (Decision d : o.decisions()) {
            assertEquals("exact", d.algorithm());
        }
    }

    @Test
    void aConfigurationThatCannotWorkIsRefusedAtStart() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> JobConfig.parse("--scheduler", "brute-force"));
        assertTrue(
                e.getMessage().contains("--max-candidates") && e.getMessage().contains("64"),
                e.getMessage());
        var x =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> JobConfig.parse("--scheduler", "exact", "--max-candidates", "19"));
        assertTrue(x.getMessage().contains("18"), x.getMessage());
        assertEquals(
                30,
                JobConfig.parse("--scheduler", "brute-force", "--max-candidates", "30")
                        .maxCandidates);
    }
}
