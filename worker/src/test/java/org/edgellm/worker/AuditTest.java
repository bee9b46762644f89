package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.junit.jupiter.api.Test;

class AuditTest {

    static BatchDecision decision(String id, String... requests) {
        BatchDecision d = SimulatedBackendTest.decision(0, 10, new double[requests.length]);
        d.setDecisionId(id);
        for (int i = 0; i < requests.length; i++) {
            d.getRequests().get(i).setRequestId(requests[i]);
        }
        return d;
    }

    static Rejection rejection(String id) {
        return rejection(id, RejectionReason.EXPIRED);
    }

    static Rejection rejection(String id, RejectionReason reason) {
        return Rejection.newBuilder()
                .setRequestId(id)
                .setTime(Instant.EPOCH)
                .setReason(reason)
                .setDetail("")
                .build();
    }

    static Completion completion(String id) {
        return ReportTest.c(id, "d/1/x", 0, 100, 100, true);
    }

    @Test
    void aCleanRunPasses() {
        var r =
                Audit.check(
                        List.of("a", "b", "c", "d"),
                        List.of(decision("d/1/x", "a", "b"), decision("d/1/y", "c")),
                        List.of(rejection("d"), rejection("c", RejectionReason.UNFINISHED)),
                        List.of(completion("a"), completion("b")),
                        0,
                        false);
        assertTrue(r.noDuplicates(), r.toJson().toString());
        assertEquals(0, r.undecided().size());
        assertEquals(3, r.decidedRequests());
        assertEquals(2, r.decisions());
        assertEquals(1, r.unfinished(), "c: decided, then its node was lost: reported, no error");
        assertEquals(List.of(), r.lost(), "every decided request completed or reported");
    }

    /** A decision of slot slotEnd with a lease until leaseUntil (epoch ms). */
    static BatchDecision leased(String id, long slotEnd, long leaseUntil, String... requests) {
        BatchDecision d = decision(id, requests);
        d.setSlotEnd(Instant.ofEpochMilli(slotEnd));
        d.setLeaseUntil(Instant.ofEpochMilli(leaseUntil));
        return d;
    }

    static Completion completion(String id, String decisionId) {
        return ReportTest.c(id, decisionId, 0, 100, 100, true);
    }

    @Test
    void aRequestRedispatchedAfterTheLeaseIsOneOutcomeNotADuplicate() {
        // a: d/1/x's lease ended at 5000; re-decided in the slot of 6000 on y, completed there.
        // b: re-dispatched the same way, then found unservable: rejected, never completed.
        var r =
                Audit.check(
                        List.of("a", "b"),
                        List.of(
                                leased("d/1000/x", 1000, 5000, "a", "b"),
                                leased("d/6000/y", 6000, 9000, "a"),
                                leased("d/6000/z", 6000, 9000, "b")),
                        List.of(rejection("b", RejectionReason.DEADLINE_UNREACHABLE)),
                        List.of(completion("a", "d/6000/y")),
                        0,
                        false);
        assertTrue(r.noDuplicates(), r.toJson().toString());
        assertEquals(2, r.redispatched());
        assertEquals(List.of(), r.lost());
        assertEquals(2, r.toJson().get("redispatched").asInt());
    }

    @Test
    void aRequestCompletedAndReportedUnfinishedHasTwoOutcomes() {
        var r =
                Audit.check(
                        List.of("a"),
                        List.of(leased("d/1000/x", 1000, 5000, "a")),
                        List.of(rejection("a", RejectionReason.UNFINISHED)),
                        List.of(completion("a", "d/1000/x")),
                        0,
                        false);
        assertFalse(r.noDuplicates());
        assertEquals(List.of("a"), r.completedAndReported());
    }

    @Test
    void aSecondDecisionBeforeTheLeaseEndedIsADuplicate() {
        var r =
                Audit.check(
                        List.of("a"),
                        List.of(
                                leased("d/1000/x", 1000, 5000, "a"),
                                leased("d/5000/y", 5000, 9000, "a")),
                        List.of(),
                        List.of(completion("a", "d/5000/y")),
                        0,
                        false);
        assertFalse(r.noDuplicates());
        assertEquals(List.of("a"), r.requestsDecidedTwice());
        assertEquals(0, r.redispatched());
    }

    @Test
    void aCompletionFromARevokedDecisionBreaksFencing() {
        // the old worker ran the batch after its lease although the request went elsewhere
        var r =
                Audit.check(
                        List.of("a"),
                        List.of(
                                leased("d/1000/x", 1000, 5000, "a"),
                                leased("d/6000/y", 6000, 9000, "a")),
                        List.of(),
                        List.of(completion("a", "d/1000/x")),
                        0,
                        false);
        assertFalse(r.noDuplicates());
        assertEquals(List.of("a by d/1000/x"), r.completedByRevokedDecision());
    }

    @Test
    void decidedThenRejectedIsWrongWithoutALeaseOrWithACompletion() {
        var noLease =
                Audit.check(
                        List.of("a"),
                        List.of(decision("d/1/x", "a")),
                        List.of(rejection("a", RejectionReason.SHED)),
                        List.of(),
                        0,
                        false);
        assertEquals(List.of("a"), noLease.requestsDecidedAndRejected());
        var completed =
                Audit.check(
                        List.of("a"),
                        List.of(leased("d/1000/x", 1000, 5000, "a")),
                        List.of(rejection("a", RejectionReason.SHED)),
                        List.of(completion("a", "d/1000/x")),
                        0,
                        false);
        assertEquals(List.of("a"), completed.requestsDecidedAndRejected());
        var revoked =
                Audit.check(
                        List.of("a"),
                        List.of(leased("d/1000/x", 1000, 5000, "a")),
                        List.of(rejection("a", RejectionReason.SHED)),
                        List.of(),
                        0,
                        false);
        assertTrue(revoked.noDuplicates(), "re-dispatched, then shed: one outcome");
        assertEquals(List.of(), revoked.lost());
    }

    @Test
    void aDecidedRequestWithNeitherCompletionNorReportIsLost() {
        // b was decided; its worker never ran it and nothing reported it: the audit must see it
        var r =
                Audit.check(
                        List.of("a", "b", "c"),
                        List.of(decision("d/1/x", "a", "b"), decision("d/1/y", "c")),
                        List.of(rejection("c", RejectionReason.UNFINISHED)),
                        List.of(completion("a")),
                        0,
                        false);
        assertTrue(r.noDuplicates());
        assertEquals(List.of("b"), r.lost());
        assertEquals(1, r.toJson().get("lost").asInt());
        assertEquals("b", r.toJson().get("lostSample").get(0).asText());
    }

    @Test
    void everyKindOfDuplicateIsFound() {
        var r =
                Audit.check(
                        List.of("a", "b", "c", "d", "e", "f"),
                        List.of(
                                decision("d/1/x", "a", "b"),
                                decision("d/1/x", "a", "b"),
                                decision("d/2/x", "c"),
                                decision("d/3/y", "c", "d")),
                        List.of(
                                rejection("d"),
                                rejection("e"),
                                rejection("e"),
                                rejection("f", RejectionReason.UNFINISHED)),
                        List.of(completion("a"), completion("a")),
                        1,
                        false);
        assertFalse(r.noDuplicates());
        assertEquals(List.of("d/1/x"), r.duplicateDecisionIds());
        assertEquals(List.of("a", "b", "c"), r.requestsDecidedTwice());
        assertEquals(List.of("d"), r.requestsDecidedAndRejected());
        assertEquals(
                List.of("e", "f"),
                r.requestsRejectedTwice(),
                "f was reported unfinished but never decided");
        assertEquals(List.of("a"), r.requestsCompletedTwice());
        assertEquals(List.of("f"), r.undecided());
        assertEquals(1, r.toJson().get("undecodable").asInt());
    }

    @Test
    void atLeastOnceAllowsIdenticalReplaysOnly() {
        var replay =
                Audit.check(
                        List.of("a", "b", "c"),
                        List.of(decision("d/1/x", "a", "b"), decision("d/1/x", "b", "a")),
                        List.of(rejection("c"), rejection("c")),
                        List.of(completion("a"), completion("b")),
                        0,
                        true);
        assertTrue(replay.noDuplicates(), replay.toJson().toString());
        assertEquals(2, replay.replayed());
        var conflict =
                Audit.check(
                        List.of("a", "b", "c"),
                        List.of(decision("d/1/x", "a", "b"), decision("d/1/x", "a", "c")),
                        List.of(),
                        List.of(),
                        0,
                        true);
        assertEquals(List.of("d/1/x"), conflict.duplicateDecisionIds());
        assertEquals(List.of("a"), conflict.requestsDecidedTwice());
        assertFalse(
                Audit.check(
                                List.of("a"),
                                List.of(decision("d/1/x", "a"), decision("d/1/x", "a")),
                                List.of(),
                                List.of(),
                                0,
                                false)
                        .noDuplicates(),
                "exactly-once: a repeated decision is an error");
    }
}
