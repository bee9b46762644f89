package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.edgellm.events.BatchDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease checks and the refusals the heartbeats repeat, on a real finished log. */
class LeasesTest {

    static final long T0 = 1_700_000_000_000L;

    @TempDir Path dir;

    static BatchDecision leased(String id, long slotEnd, Long leaseUntil) {
        BatchDecision d = WorkerTesting.decision(id, "n1", slotEnd, 2);
        d.setLeaseUntil(leaseUntil == null ? null : Instant.ofEpochMilli(leaseUntil));
        return d;
    }

    @Test
    void aLeaseIsOverOnlyAfterItsLastMillisecond() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        try (FinishedLog log = new FinishedLog(dir.resolve("f.log"))) {
            Leases leases = new Leases(log, clock::get);
            BatchDecision d = leased("d/1/n1", T0 - 1000, T0 + 500);
            assertFalse(leases.over(d), "before");
            clock.set(T0 + 500);
            assertFalse(leases.over(d), "at the lease's end");
            clock.set(T0 + 501);
            assertTrue(leases.over(d), "after it");
            assertFalse(leases.over(leased("d/2/n1", T0, null)), "no lease (schema v2)");
        }
    }

    @Test
    void aRefusalIsDurableAndNamedNewestFirst() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        Path file = dir.resolve("f.log");
        try (FinishedLog log = new FinishedLog(file)) {
            Leases leases = new Leases(log, clock::get);
            assertEquals(List.of(), leases.recent());
            leases.refuse(leased("d/1/n1", T0 - 2000, T0 - 1), "before its run");
            leases.refuse(leased("d/3/n1", T0 - 1000, T0 - 1), "after its run");
            leases.refuse(leased("d/2/n1", T0 - 1500, T0 - 1), "after its run");
            assertEquals(List.of("d/3/n1", "d/2/n1", "d/1/n1"), leases.recent());
            assertTrue(log.refused("d/2/n1"));
            assertTrue(log.contains("d/2/n1"), "a later copy is skipped");
            assertEquals(T0 - 1000, log.refusedThroughMs());
        }
        // a restarted worker reads them back
        try (FinishedLog log = new FinishedLog(file)) {
            Leases leases = new Leases(log, clock::get);
            assertEquals(List.of(), leases.recent(), "not before reload");
            leases.reload();
            assertEquals(List.of("d/3/n1", "d/2/n1", "d/1/n1"), leases.recent());
        }
    }

    @Test
    void refusalsAreRepeatedForTenMinutesByTheirSlotEnd() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        try (FinishedLog log = new FinishedLog(dir.resolve("f.log"))) {
            Leases leases = new Leases(log, clock::get);
            leases.refuse(leased("d/old/n1", T0 - 1000, T0 - 1), "before its run");
            leases.refuse(leased("d/new/n1", T0 + 60_000, T0 - 1), "before its run");
            clock.set(T0 - 1000 + 600_000);
            leases.reload();
            assertEquals(List.of("d/new/n1", "d/old/n1"), leases.recent(), "ten minutes: kept");
            clock.set(T0 - 1000 + 600_001);
            leases.reload();
            assertEquals(List.of("d/new/n1"), leases.recent(), "older: dropped");
        }
    }

    @Test
    void aHeartbeatCarriesAtMost256Refusals() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        try (FinishedLog log = new FinishedLog(dir.resolve("f.log"))) {
            Leases leases = new Leases(log, clock::get);
            for (int i = 0; i < 300; i++) {
                leases.refuse(leased("d/" + i + "/n1", T0 - 300 + i, T0 - 1000), "before its run");
            }
            List<String> expected = new ArrayList<>();
            for (int i = 299; i >= 44; i--) {
                expected.add("d/" + i + "/n1");
            }
            assertEquals(expected, leases.recent());
        }
    }
}
