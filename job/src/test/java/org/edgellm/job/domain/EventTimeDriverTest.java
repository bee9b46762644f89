package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.NO_CLOCK;
import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.heartbeat;
import static org.edgellm.job.domain.DomainFixtures.progress;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.edgellm.job.InputEvent;
import org.junit.jupiter.api.Test;

/** {@link EventTimeDriver}: Flink's event-time semantics over domain schedulers. */
class EventTimeDriverTest {

    /** Records every outcome; fails the run when the timers never end. */
    static final class Recorder implements EventTimeDriver.Listener {
        final List<SlotOutcome> outcomes = new ArrayList<>();
        final int limit;

        Recorder(int limit) {
            this.limit = limit;
        }

        @Override
        public void slotClosed(SlotOutcome o) {
            outcomes.add(o);
            if (outcomes.size() > limit) {
                throw new AssertionError("more than " + limit + " slots closed: timers never end");
            }
        }

        List<Rejected> rejections(String domain) {
            return outcomes.stream()
                    .flatMap(o -> o.rejections().stream())
                    .filter(r -> r.domainId().equals(domain))
                    .collect(Collectors.toList());
        }

        List<String> decisions(String domain) {
            return outcomes.stream()
                    .flatMap(o -> o.decisions().stream())
                    .filter(d -> d.domainId().equals(domain))
                    .map(
                            d ->
                                    d.decisionId()
                                            + " "
                                            + d.variant()
                                            + " "
                                            + d.requests().stream()
                                                    .map(x -> x.request().requestId)
                                                    .collect(Collectors.toList())
                                            + " "
                                            + d.computeStartMs()
                                            + ".."
                                            + d.computeEndMs())
                    .collect(Collectors.toList());
        }
    }

    static EventTimeDriver driver(DomainSettings s, Recorder rec) {
        return new EventTimeDriver(new DomainScheduler(TOPOLOGY, s, NO_CLOCK), rec);
    }

    @Test
    void slotClosesWhenTheWatermarkReachesItsEnd() {
        DomainFixtures.Settings s = settings();
        s.outOfOrdernessMs = 30;
        Recorder rec = new Recorder(1000);
        EventTimeDriver drv = driver(s.build(), rec);
        drv.accept(heartbeat("d1-a", "d1", 1050, true));
        // the watermark trails the latest event by out-of-orderness + 1 ms
        drv.accept(heartbeat("d1-a", "d1", 1130, true)); // watermark 1099
        assertEquals(0, drv.slotsClosed());
        assertEquals(2, drv.buffered());
        drv.accept(heartbeat("d1-a", "d1", 1131, true)); // watermark 1100
        assertEquals(1, drv.slotsClosed());
        assertEquals(2, drv.buffered()); // the slot 1200 events wait
        assertEquals(1050, drv.state("d1").node("d1-a").lastHeartbeat);
    }

    /**
     * With staggered slots each domain's slots end at its own phase (d1 at 95 ms past each 100 ms,
     * d2 at 8): its request is decided in the slot of that phase that the request falls in, and the
     * other domain's slot closing in between does not decide it.
     */
    @Test
    void staggeredDomainsCloseTheirSlotsAtTheirOwnPhase() {
        DomainFixtures.Settings s = settings();
        s.staggerSlots = true;
        Recorder rec = new Recorder(10_000);
        EventTimeDriver drv = driver(s.build(), rec);
        drv.accept(channel("u-r1", "d1", "d1-a", 1000, 5.0));
        drv.accept(channel("u-r2", "d2", "d2-a", 1000, 5.0));
        drv.accept(request("r1", "d1", 1010, 20_000)); // d1's slot [995, 1095)
        drv.accept(request("r2", "d2", 1010, 20_000)); // d2's slot [1008, 1108)
        drv.accept(heartbeat("d1-b", "d1", 1095, true)); // watermark 1094
        assertEquals(List.of(), rec.decisions("d1"));
        drv.accept(heartbeat("d1-b", "d1", 1096, true)); // watermark 1095: d1's slot closes
        assertEquals(1, rec.decisions("d1").size(), rec.decisions("d1").toString());
        assertEquals(List.of(), rec.decisions("d2"));
        drv.accept(heartbeat("d2-b", "d2", 1109, true)); // watermark 1108: d2's slot closes
        assertEquals(1, rec.decisions("d2").size(), rec.decisions("d2").toString());
        List<Long> ends = new ArrayList<>();
        for (SlotOutcome o : rec.outcomes) {
            for (Decision d : o.decisions()) {
                ends.add(d.slotEnd());
            }
        }
        assertEquals(List.of(1095L, 1108L), ends);
        // every slot closed so far lies on its domain's phase
        for (SlotOutcome o : rec.outcomes) {
            if (o.report() != null) {
                long phase = o.report().domainId().equals("d1") ? 95 : 8;
                assertEquals(phase, Math.floorMod(o.report().slotEnd(), 100), "" + o.report());
            }
        }
    }

    /**
     * A timer off the domain's phase (state restored from a release with aligned slots, or the
     * stagger switched on) moves the domain to its phase: the wake-up after an aligned slot with a
     * request pending is the next end of the phase, not a slot later.
     */
    @Test
    void aWakeUpAfterAnAlignedSlotMovesTheDomainToItsPhase() {
        DomainFixtures.Settings s = settings();
        s.staggerSlots = true;
        DomainFixtures.Run run = new DomainFixtures.Run(s.build());
        SlotOutcome o = run.close("d1", 1000, request("w", "d1", 950, 20_000)); // no channel: waits
        assertEquals(1095, o.nextWakeUp());
        o = run.close("d1", 1095);
        assertEquals(1195, o.nextWakeUp());
        o = run.close("d2", 1000, request("v", "d2", 950, 20_000));
        assertEquals(1008, o.nextWakeUp());
        s.staggerSlots = false;
        o = new DomainFixtures.Run(s.build()).close("d1", 1000, request("w", "d1", 950, 20_000));
        assertEquals(1100, o.nextWakeUp());
    }

    @Test
    void lateEventJoinsTheNextSlotToClose() {
        Recorder rec = new Recorder(10_000);
        EventTimeDriver drv = driver(settings().build(), rec);
        drv.accept(request("dup", "d1", 1050, 20_000)); // no channel: it waits
        // watermark 1249: slot 1100 closes, then 1200 (its wake-up: a request is pending)
        drv.accept(heartbeat("d1-a", "d1", 1250, true));
        assertEquals(2, drv.slotsClosed());
        assertTrue(drv.state("d1").knowsId("dup"));
        // late: its own slot (1100) closed, it joins slot 1300 (the next to close)
        drv.accept(request("dup", "d1", 1020, 20_000));
        assertEquals(2, drv.buffered());
        drv.accept(heartbeat("d1-a", "d1", 1300, true)); // watermark 1299
        assertEquals(2, drv.slotsClosed());
        assertEquals(3, drv.buffered()); // the late one waits for slot 1300
        assertEquals(List.of(), rec.rejections("d1"));
        drv.accept(heartbeat("d1-a", "d1", 1301, true)); // watermark 1300: slot 1300 closes
        List<Rejected> rs = rec.rejections("d1");
        assertEquals(1, rs.size());
        assertEquals(RejectReason.INVALID, rs.get(0).reason());
        assertEquals(1300, rs.get(0).time());
        assertEquals(1300, rec.outcomes.get(rec.outcomes.size() - 1).report().slotEnd());
    }

    @Test
    void oneTimerPerDomainAndTime() {
        Recorder rec = new Recorder(1000);
        EventTimeDriver drv = driver(settings().build(), rec);
        // heartbeats only: no pending requests, no ids, no channels, so no wake-ups
        for (int i = 0; i < 5; i++) {
            drv.accept(heartbeat("d1-a", "d1", 1010 + 10 * i, true));
        }
        for (int i = 0; i < 3; i++) {
            drv.accept(heartbeat("d2-a", "d2", 1060 + 10 * i, true));
        }
        drv.accept(heartbeat("d1-a", "d1", 1090, true)); // slot 1100 again
        assertEquals(0, drv.slotsClosed());
        drv.accept(heartbeat("d1-b", "d1", 1150, true));
        drv.accept(heartbeat("d1-b", "d1", 1160, true));
        assertEquals(2, drv.slotsClosed()); // watermark 1159: d1 and d2 at 1100
        drv.finish();
        assertEquals(3, drv.slotsClosed()); // d1 at 1200
        assertEquals(3, rec.outcomes.size());
        assertEquals(1090, drv.state("d1").node("d1-a").lastHeartbeat);
        assertEquals(1160, drv.state("d1").node("d1-b").lastHeartbeat);
        assertEquals(1080, drv.state("d2").node("d2-a").lastHeartbeat);
    }

    /** d1's events, and the same interleaved with a busy d2 (each domain its own random). */
    static List<InputEvent> events(boolean withD2) {
        Map<String, Random> rnds = Map.of("d1", new Random(7), "d2", new Random(8));
        List<InputEvent> out = new ArrayList<>();
        for (long t = 1000; t < 4000; t += 37) {
            for (String d : withD2 ? List.of("d1", "d2") : List.of("d1")) {
                Random rnd = rnds.get(d);
                String id = d + "-r" + t;
                String user = d + "-u" + rnd.nextInt(5);
                out.add(channel(user, d, d + "-a", t, 2 + rnd.nextInt(5)));
                if (rnd.nextBoolean()) {
                    out.add(channel(user, d, d + "-b", t, 2 + rnd.nextInt(5)));
                }
                InputEvent r = request(id, d, t, 300 + rnd.nextInt(3000));
                r.request.userId = user;
                r.request.promptTokens = 64 + rnd.nextInt(1000);
                r.request.maxOutputTokens = 8 + rnd.nextInt(200);
                out.add(r);
                if (d.equals("d2") && t % 3 == 0) {
                    out.add(heartbeat("d2-a", "d2", t, rnd.nextBoolean()));
                }
            }
        }
        return out;
    }

    @Test
    void domainsAreIndependent() {
        Recorder alone = new Recorder(100_000);
        EventTimeDriver a = driver(settings().build(), alone);
        events(false).forEach(a::accept);
        a.finish();
        Recorder together = new Recorder(100_000);
        EventTimeDriver b = driver(settings().build(), together);
        events(true).forEach(b::accept);
        b.finish();
        assertFalse(alone.decisions("d1").isEmpty());
        assertFalse(together.decisions("d2").isEmpty());
        assertEquals(alone.decisions("d1"), together.decisions("d1"));
        assertEquals(alone.rejections("d1").toString(), together.rejections("d1").toString());
        assertFalse(together.rejections("d2").isEmpty());
    }

    @Test
    void finishFiresEveryTimerAndLeavesNothingBuffered() {
        Recorder rec = new Recorder(100_000);
        EventTimeDriver drv = driver(settings().build(), rec);
        events(true).forEach(drv::accept);
        drv.accept(request("waits", "d2", 4000, 10_000)); // no channel: waits, then NO_CHANNEL
        assertTrue(drv.buffered() > 0);
        drv.finish();
        assertEquals(0, drv.buffered());
        for (String d : List.of("d1", "d2")) {
            MemoryDomainState s = drv.state(d);
            assertEquals(0, s.pending().size, d + " pending");
            assertEquals(0, s.knownIds(), d + " ids"); // every cleaning ran
            assertEquals(0, s.channelUsers(), d + " channels");
        }
        assertEquals(
                RejectReason.NO_CHANNEL,
                rec.rejections("d2").stream()
                        .filter(r -> r.requestId().equals("waits"))
                        .findFirst()
                        .orElseThrow()
                        .reason());
        int closed = drv.slotsClosed();
        drv.finish(); // nothing left
        assertEquals(closed, drv.slotsClosed());
    }

    /**
     * A node that tracks progress gets a batch and the input ends with every node heard together:
     * at the end of the input nothing more can come, so the batch is reported UNFINISHED and
     * finish() ends (it used to wait for telemetry forever).
     */
    @Test
    void finishEndsWithAWatchedBatchAtTheEndOfTheInput() {
        Recorder rec = new Recorder(10_000);
        EventTimeDriver drv = driver(settings().build(), rec);
        drv.accept(progress("d1-a", "d1", 1000, 0));
        drv.accept(progress("d1-b", "d1", 1000, 0));
        drv.accept(channel("u1", "d1", "d1-a", 1000, 5.0));
        InputEvent r = request("r1", "d1", 1000, 20_000);
        r.request.userId = "u1";
        drv.accept(r);
        drv.finish(); // the recorder throws after 10,000 slots
        assertTrue(rec.outcomes.stream().anyMatch(o -> !o.decisions().isEmpty()));
        List<Rejected> rs = rec.rejections("d1");
        assertEquals(1, rs.size(), rs.toString());
        assertEquals(RejectReason.UNFINISHED, rs.get(0).reason());
        assertEquals(0, drv.buffered());
    }

    /**
     * The same with the second node still heard later: the batch is reported (its user reaches no
     * other node, so it is not re-dispatched), finish() ends.
     */
    @Test
    void finishEndsOnceTheSilentNodesBatchIsReported() {
        Recorder rec = new Recorder(10_000);
        EventTimeDriver drv = driver(settings().build(), rec);
        drv.accept(progress("d1-a", "d1", 1000, 0));
        drv.accept(progress("d1-b", "d1", 1000, 0));
        drv.accept(channel("u1", "d1", "d1-a", 1000, 5.0));
        InputEvent r = request("r1", "d1", 1000, 20_000);
        r.request.userId = "u1";
        drv.accept(r);
        for (long t = 1100; t <= 4000; t += 100) {
            drv.accept(progress("d1-b", "d1", t, 0));
        }
        drv.finish();
        List<Rejected> rs = rec.rejections("d1");
        assertEquals(1, rs.size());
        assertEquals(RejectReason.UNFINISHED, rs.get(0).reason());
        assertEquals("r1", rs.get(0).requestId());
        assertEquals(0, drv.buffered());
    }

    /** A replay configuration (no wall-clock planning, no grace) never reads the wall clock. */
    @Test
    void replayNeverReadsTheWallClock() {
        DomainFixtures.Settings s = settings();
        s.outOfOrdernessMs = 50;
        s.commitDelayMs = 20;
        Recorder rec = new Recorder(100_000);
        EventTimeDriver drv = driver(s.build(), rec); // NO_CLOCK throws when read
        events(true).forEach(drv::accept);
        drv.finish();
        assertFalse(rec.decisions("d1").isEmpty());
        assertFalse(rec.rejections("d1").isEmpty());
    }
}
