package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.computeMs;
import static org.edgellm.job.domain.DomainFixtures.maxTokens;
import static org.edgellm.job.domain.DomainFixtures.memoryFits;
import static org.edgellm.job.domain.DomainFixtures.minPplIncrease;
import static org.edgellm.job.domain.DomainFixtures.pendingIds;
import static org.edgellm.job.domain.DomainFixtures.progress;
import static org.edgellm.job.domain.DomainFixtures.req;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.domain.DomainFixtures.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Admission through {@link DomainScheduler#closeSlot}: one row per rejection reason, and rows that
 * must not be rejected. Each scenario starts with the slot ending at 1100 (events at 1000..1099) of
 * domain d1 and closes slots up to 2000: Admission checks every pending request at least every
 * tenth slot, so a rejection that is due shows up within them.
 */
class AdmissionTest {

    /**
     * Never a slot early, with staggered slots too: after a timer off the domain's phase (state of
     * aligned slots restored, d1's phase is 95), the next slot ends 95 ms later, not 100. For every
     * budget of a request that no node can take at the off-phase slot 1000 (both busy until 1050,
     * no look-ahead), a rejection there as unreachable implies that the domain's next slot, 1095,
     * would not have decided it either (checked by a run that first sees it at 1095). Counting from
     * 1100 instead rejected some of them early.
     */
    @Test
    void afterAnOffPhaseSlotTheNextSlotOfThePhaseIsTheHorizon() {
        DomainFixtures.Settings s = settings();
        s.staggerSlots = true;
        s.lookaheadMs = 0;
        int rejectedAtTheOffPhaseSlot = 0;
        int decidedAtTheNext = 0;
        for (int budget = 20; budget <= 2500; budget++) {
            InputEvent[] events = {
                channel("u-r", "d1", "d1-a", 980, 5.0),
                channel("u-r", "d1", "d1-b", 980, 5.0),
                busy("d1-a", 990, 1050),
                busy("d1-b", 990, 1050),
                request("r", "d1", 990, budget)
            };
            Run a = new Run(s.build());
            SlotOutcome o = a.close("d1", 1000, events);
            assertTrue(o.decisions().isEmpty(), "no node is free at 1000");
            Run b = new Run(s.build());
            boolean decidedThen = !b.close("d1", 1095, events).decisions().isEmpty();
            if (decidedThen) {
                decidedAtTheNext++;
            }
            if (!o.rejections().isEmpty()) {
                assertEquals(RejectReason.DEADLINE_UNREACHABLE, o.rejections().get(0).reason());
                rejectedAtTheOffPhaseSlot++;
                assertFalse(
                        decidedThen, "budget " + budget + ": rejected at 1000 but 1095 serves it");
            }
        }
        assertTrue(rejectedAtTheOffPhaseSlot > 0 && decidedAtTheNext > 0);
    }

    /** Slots of 100 ms judge every tenth slot at the default cadence; long slots every slot. */
    @Test
    void theCadenceCountsInEventTimeNotInSlots() {
        assertEquals(10, Admission.checkEverySlots(1000, 100));
        assertEquals(1, Admission.checkEverySlots(1000, 1000));
        assertEquals(1, Admission.checkEverySlots(1000, 5000));
        assertEquals(3, Admission.checkEverySlots(1000, 300));
        assertEquals(1, Admission.checkEverySlots(0, 100)); // 0: every slot
    }

    /**
     * The default cadence (near-deadline requests judged once a second of event time, at slots of
     * 100 ms every tenth slot) against every slot as the oracle: a request that waits (both nodes
     * busy far beyond the look-ahead, so nothing decides it) is rejected at the same slot or later,
     * never earlier, less than a second later, at a slot of the domain's cadence, and for the same
     * reason (or EXPIRED, when the later check comes after its deadline). Over budgets of 0.3 to 4
     * s, so the request enters the near-deadline band at every phase of the cadence.
     */
    @Test
    void atTheDefaultCadenceARejectionComesNeverEarlierAndWithinASecond() {
        DomainSettings everySlot = settings().build();
        DomainFixtures.Settings c = settings();
        c.admissionEveryMs = 1000;
        DomainSettings cadence = c.build();
        long nearEvery = Admission.checkEverySlots(1000, 100);
        int later = 0;
        for (int budget = 300; budget <= 4000; budget += 37) {
            InputEvent[] events = {
                channel("u-r", D, "d1-a", 980, 5.0),
                channel("u-r", D, "d1-b", 980, 5.0),
                busy("d1-a", 985, 100_000),
                busy("d1-b", 985, 100_000),
                request("r", D, 990, budget)
            };
            Rejected oracle = firstRejection(everySlot, events, 990 + budget + 2000);
            Rejected got = firstRejection(cadence, events, 990 + budget + 2000);
            String at = "budget " + budget;
            assertTrue(oracle != null && got != null, at + ": both reject it");
            assertEquals(RejectReason.DEADLINE_UNREACHABLE, oracle.reason(), at);
            assertTrue(got.time() >= oracle.time(), at + ": never earlier than every slot");
            assertTrue(got.time() < oracle.time() + 1000, at + ": within a second");
            assertEquals(0, Math.floorMod(got.time() / 100 + D.hashCode(), nearEvery), at);
            assertTrue(
                    got.reason() == RejectReason.DEADLINE_UNREACHABLE
                            || (got.reason() == RejectReason.EXPIRED && got.time() >= 990 + budget),
                    at + ": " + got.reason());
            if (got.time() > oracle.time()) {
                later++;
            }
        }
        assertTrue(later > 0, "the cadence delays some rejections (else it checks every slot)");
    }

    /** The first rejection of closing the domain's slots from 1000 to {@code until} (100 ms). */
    static Rejected firstRejection(DomainSettings s, InputEvent[] first, long until) {
        Run run = new Run(s);
        run.close(D, 1000, first);
        for (long t = 1100; t <= until; t += 100) {
            run.close(D, t);
            if (!run.rejections().isEmpty()) {
                break;
            }
        }
        assertTrue(run.decidedIds().isEmpty(), "no node is offered: nothing is decided");
        return run.rejections().isEmpty() ? null : run.rejections().get(0);
    }

    static InputEvent busy(String node, long t, long busyUntil) {
        var e = DomainFixtures.telemetry(node, "d1", t, true);
        e.busyUntil = busyUntil;
        return InputEvent.of(e);
    }

    static final String D = "d1";
    static final long FIRST = 1100;
    static final long LAST = 2000;

    /** Expected: the reason (null: not rejected), and a fragment the detail must contain. */
    record Row(
            String name,
            RejectReason reason,
            String requestId,
            String detail,
            Supplier<Run> scenario,
            Consumer<Run> then) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Closes FIRST with the events, then every later slot up to LAST without events. */
    static Run slots(DomainSettings s, InputEvent... first) {
        Run run = new Run(s);
        run.close(D, FIRST, first);
        for (long t = FIRST + 100; t <= LAST; t += 100) {
            run.close(D, t);
        }
        return run;
    }

    static InputEvent[] withChannels(RequestEvent r, InputEvent... more) {
        List<InputEvent> es = new ArrayList<>();
        es.add(channel(r.userId, D, "d1-a", 1000, 5.0));
        es.add(channel(r.userId, D, "d1-b", 1000, 5.0));
        es.add(request(r));
        es.addAll(List.of(more));
        return es.toArray(new InputEvent[0]);
    }

    static Consumer<Run> decided(String id) {
        return run -> assertTrue(run.decidedIds().contains(id), id + " decided");
    }

    static Consumer<Run> stillPending(String id) {
        return run -> {
            assertTrue(pendingIds(run.state(D).pending()).contains(id), id + " pending");
            assertTrue(run.decidedIds().isEmpty());
        };
    }

    // a request that no node can finish in time: prompt 2000, 500 output tokens, 400 ms
    static final RequestEvent TIGHT = req("tight", "u1", D, 1000, 2000, 500, 400, 0.5);
    // below the lowest dPPL of any resident variant of the domain
    static final double TOO_STRICT = minPplIncrease(TOPOLOGY, D) / 2;
    // within accuracy 0.1 only w8a16 (kv16) on d1-a: one token more than fits there
    static final long FIT_01 = maxTokens(TOPOLOGY, D, 0.1);
    static final RequestEvent HUGE =
            req("huge", "u1", D, 1000, (int) FIT_01 + 1 - 16, 16, 3_600_000, 0.1);

    static Stream<Row> rows() {
        return Stream.of(
                new Row(
                        "deadline unreachable",
                        RejectReason.DEADLINE_UNREACHABLE,
                        "tight",
                        "deadline " + (long) TIGHT.deadline,
                        () -> slots(settings().build(), withChannels(TIGHT)),
                        run -> {}),
                new Row(
                        "accuracy unsatisfiable",
                        RejectReason.ACCURACY_UNSATISFIABLE,
                        "strict",
                        "maxPplIncrease " + TOO_STRICT,
                        () ->
                                slots(
                                        settings().build(),
                                        withChannels(
                                                req(
                                                        "strict",
                                                        "u1",
                                                        D,
                                                        1000,
                                                        64,
                                                        8,
                                                        20000,
                                                        TOO_STRICT))),
                        run -> {}),
                new Row(
                        "too large",
                        RejectReason.TOO_LARGE,
                        "huge",
                        HUGE.promptTokens + "+" + HUGE.maxOutputTokens + " tokens",
                        () -> slots(settings().build(), withChannels(HUGE)),
                        run -> {}),
                new Row(
                        "no channel, and none can come before the deadline",
                        RejectReason.NO_CHANNEL,
                        "lonely",
                        "no fresh channel",
                        // deadline 1150: after this slot's t0 (1100), before the next one (1200)
                        () -> slots(settings().build(), request("lonely", D, 1000, 150)),
                        run -> {}),
                new Row(
                        "expired",
                        RejectReason.EXPIRED,
                        "old",
                        "deadline 1050",
                        () ->
                                slots(
                                        settings().build(),
                                        withChannels(req("old", "u1", D, 1000, 64, 8, 50, 0.5))),
                        run -> {}),
                new Row(
                        "shed: max-pending exceeded, the latest deadline goes",
                        RejectReason.SHED,
                        "p3",
                        "max-pending 2",
                        () -> {
                            DomainFixtures.Settings s = settings();
                            s.maxPending = 2;
                            // no channels: they wait, so the queue stays at three
                            return slots(
                                    s.build(),
                                    request("p3", D, 1000, 7000),
                                    request("p1", D, 1001, 5000),
                                    request("p2", D, 1002, 6000));
                        },
                        run ->
                                assertEquals(
                                        List.of("p1", "p2"), pendingIds(run.state(D).pending()))),
                new Row(
                        "invalid: duplicate request id",
                        RejectReason.INVALID,
                        "dup",
                        "duplicate request id (got dup)",
                        () ->
                                slots(
                                        settings().build(),
                                        request("dup", D, 1000, 20000),
                                        request("dup", D, 1050, 20000)),
                        run -> assertEquals(List.of("dup"), pendingIds(run.state(D).pending()))),
                new Row(
                        "unfinished: a node that tracks progress goes silent",
                        RejectReason.UNFINISHED,
                        "lost",
                        "on node d1-a",
                        () -> unfinishedScenario(),
                        run -> {
                            Decision d = run.decisions().get(0);
                            Rejected rej = run.rejections().get(0);
                            assertTrue(rej.detail().contains(d.decisionId()), rej.detail());
                            // not before the batch's lease is over plus a heartbeat timeout
                            assertTrue(
                                    rej.time() > d.leaseUntilMs() + 1000,
                                    "reported at " + rej.time());
                            assertTrue(rej.detail().contains("deadline has passed"));
                            assertTrue(run.state(D).node("d1-a").outstanding.isEmpty());
                        }),
                new Row(
                        "servable",
                        null,
                        "fine",
                        null,
                        () ->
                                slots(
                                        settings().build(),
                                        withChannels(
                                                req("fine", "u1", D, 1000, 64, 8, 20000, 0.5))),
                        decided("fine")),
                new Row(
                        "no channel yet, but one may still come",
                        null,
                        "waiting",
                        null,
                        () -> slots(settings().build(), request("waiting", D, 1000, 20000)),
                        stillPending("waiting")),
                new Row(
                        "accuracy exactly the lowest dPPL",
                        null,
                        "exact-ppl",
                        null,
                        () ->
                                slots(
                                        settings().build(),
                                        withChannels(
                                                req(
                                                        "exact-ppl",
                                                        "u1",
                                                        D,
                                                        1000,
                                                        64,
                                                        8,
                                                        20000,
                                                        minPplIncrease(TOPOLOGY, D)))),
                        decided("exact-ppl")),
                new Row(
                        "KV cache exactly the memory left",
                        null,
                        "fits",
                        null,
                        () ->
                                slots(
                                        settings().build(),
                                        withChannels(
                                                req(
                                                        "fits",
                                                        "u1",
                                                        D,
                                                        1000,
                                                        (int) FIT_01 - 16,
                                                        16,
                                                        3_600_000,
                                                        0.1))),
                        decided("fits")));
    }

    /**
     * d1-a and d1-b both report progress; the request can reach d1-a only, gets a batch there, then
     * d1-a goes silent while d1-b keeps its heartbeats.
     */
    static Run unfinishedScenario() {
        Run run = new Run(settings().build());
        // a deadline that passes before the batch's lease (its end + max(timeout, compute)) is
        // over plus a timeout: it cannot be re-dispatched, so it is reported
        RequestEvent r = req("lost", "u1", D, 1000, 64, 8, 2000, 0.5);
        run.close(
                D,
                FIRST,
                progress("d1-a", D, 1000, 0),
                progress("d1-b", D, 1000, 0),
                channel("u1", D, "d1-a", 1000, 5.0),
                request(r));
        assertEquals("d1-a", run.decisions().get(0).nodeId());
        for (long t = FIRST + 100; t <= 5000; t += 100) {
            run.close(D, t, progress("d1-b", D, t - 50, 0));
        }
        return run;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rejectsWithItsReasonOrNotAtAll(Row row) {
        Run run = row.scenario.get();
        List<Rejected> mine =
                run.rejections().stream()
                        .filter(r -> r.requestId().equals(row.requestId))
                        .collect(Collectors.toList());
        if (row.reason == null) {
            assertEquals(List.of(), run.rejections());
        } else {
            assertEquals(
                    1, mine.size(), "rejections of " + row.requestId + ": " + run.rejections());
            Rejected r = mine.get(0);
            assertEquals(row.reason, r.reason());
            assertEquals(row.requestId, r.requestId());
            assertEquals(D, r.domainId());
            assertTrue(r.detail().contains(row.detail), "detail: " + r.detail());
            assertEquals(1, run.rejections().size(), "only it: " + run.rejections());
            if (row.reason != RejectReason.UNFINISHED) {
                assertFalse(run.decidedIds().contains(row.requestId));
            }
            if (row.reason != RejectReason.INVALID) {
                assertFalse(pendingIds(run.state(D).pending()).contains(row.requestId));
            }
        }
        row.then.accept(run);
    }

    @Test
    void everyReasonHasARow() {
        Set<RejectReason> covered =
                rows().map(Row::reason).filter(r -> r != null).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(RejectReason.class), covered);
    }

    /** The preconditions of the rows, from the spec's formulas (not from Feasibility). */
    @Test
    void rowsMeanWhatTheySay() {
        double next = FIRST + 100; // the earliest a later slot starts (t0 = slot end here)
        for (NodeSpec n : TOPOLOGY.domains.get(D)) {
            for (NodeSpec.VariantSpec v : n.variants) {
                // alone on an idle node, compute alone already misses the tight deadline
                assertTrue(next + computeMs(TOPOLOGY, n, v, 1, 2000, 500, 1.0) >= TIGHT.deadline);
                assertTrue(v.pplIncrease > TOO_STRICT);
                if (v.pplIncrease <= 0.1) {
                    assertFalse(
                            memoryFits(TOPOLOGY, n, v, 1, HUGE.promptTokens, HUGE.maxOutputTokens));
                }
            }
        }
        // the kv8 variant (dPPL 0.4) holds twice the tokens: the limit depends on the accuracy
        assertTrue(maxTokens(TOPOLOGY, D, 0.5) > 2 * FIT_01 - 2);
    }

    /** TOO_LARGE is judged within the request's accuracy: a laxer one may use the kv8 variant. */
    @Test
    void tooLargeOnlyWithinItsAccuracy() {
        int s = (int) FIT_01 + 1 - 16;
        Run strict =
                slots(
                        settings().build(),
                        withChannels(req("x", "u1", D, 1000, s, 16, 3_600_000, 0.1)));
        assertEquals(RejectReason.TOO_LARGE, strict.rejections().get(0).reason());
        Run lax =
                slots(
                        settings().build(),
                        withChannels(req("x", "u1", D, 1000, s, 16, 3_600_000, 0.5)));
        assertEquals(List.of(), lax.rejections());
        Decision d = lax.decisions().get(0);
        assertEquals("d1-a", d.nodeId());
        assertEquals("w4a16kv8", d.variant());
    }

    /** A channel older than max-channel-age does not count. */
    @Test
    void staleChannelIsNoChannel() {
        DomainFixtures.Settings s = settings();
        s.maxChannelAgeMs = 500;
        Run run = new Run(s.build());
        // measured at 400: fresh until slot end 900, stale at 1100
        run.close(D, 500, channel("u1", D, "d1-a", 400, 5.0), channel("u1", D, "d1-b", 400, 5.0));
        run.close(D, FIRST, request(req("r", "u1", D, 1000, 64, 8, 150, 0.5)));
        assertEquals(List.of(), run.decisions());
        assertEquals(1, run.rejections().size());
        assertEquals(RejectReason.NO_CHANNEL, run.rejections().get(0).reason());
    }

    /** A waiting request is served as soon as a channel comes. */
    @Test
    void waitingRequestIsServedWhenItsChannelComes() {
        Run run = new Run(settings().build());
        run.close(D, FIRST, request("w", D, 1000, 20000));
        run.close(D, 1200);
        assertEquals(List.of(), run.decisions());
        run.close(D, 1300, channel("u-w", D, "d1-b", 1250, 5.0));
        assertEquals(List.of("w"), run.decidedIds());
        assertEquals("d1-b", run.decisions().get(0).nodeId());
        assertEquals(List.of(), run.rejections());
    }

    /** Requests that failed validation are rejected INVALID at once, with their error. */
    @Test
    void invalidRequestKeepsItsError() {
        DomainScheduler s =
                new DomainScheduler(TOPOLOGY, settings().build(), DomainFixtures.NO_CLOCK);
        InputEvent bad =
                InputEvent.invalidRequest(
                        "r9", "u9", D, "promptTokens: must be >= 1 (got 0)", 1234);
        Rejected r = s.invalid(bad);
        assertEquals(
                new Rejected(
                        "r9",
                        "u9",
                        D,
                        1234,
                        RejectReason.INVALID,
                        "promptTokens: must be >= 1 (got 0)"),
                r);
    }
}
