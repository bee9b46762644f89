package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.UserChannels;
import org.edgellm.job.domain.DomainFixtures.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Retention}: every period ({@link Retention#PERIOD_MS}) per domain (staggered), forget ids
 * {@link Retention#ID_GRACE_MS} past their deadline and users whose channels are older than ten
 * channel ages.
 */
class RetentionTest {

    static final long PERIOD = Retention.PERIOD_MS;

    static final long GRACE = Retention.ID_GRACE_MS;

    /** A state that records the horizons it is asked to forget before. */
    static final class Spy implements DomainState {
        final MemoryDomainState inner = new MemoryDomainState();
        final List<Double> idHorizons = new ArrayList<>();
        final List<Long> channelHorizons = new ArrayList<>();

        @Override
        public PendingQueue pending() {
            return inner.pending();
        }

        @Override
        public void storePending(PendingQueue q) {
            inner.storePending(q);
        }

        @Override
        public boolean knowsId(String requestId) {
            return inner.knowsId(requestId);
        }

        @Override
        public void rememberId(String requestId, double deadline) {
            inner.rememberId(requestId, deadline);
        }

        @Override
        public void forgetIdsBefore(double horizon) {
            idHorizons.add(horizon);
            inner.forgetIdsBefore(horizon);
        }

        @Override
        public UserChannels channels(String userId) {
            return inner.channels(userId);
        }

        @Override
        public void storeChannels(String userId, UserChannels u) {
            inner.storeChannels(userId, u);
        }

        @Override
        public void forgetChannelsBefore(long horizon) {
            channelHorizons.add(horizon);
            inner.forgetChannelsBefore(horizon);
        }

        @Override
        public boolean remembersNothing() {
            return inner.remembersNothing();
        }

        @Override
        public long inputsSeen() {
            return inner.inputsSeen();
        }

        @Override
        public void storeInputsSeen(long time) {
            inner.storeInputsSeen(time);
        }

        @Override
        public boolean hasNodes() {
            return inner.hasNodes();
        }

        @Override
        public SortedMap<String, NodeRuntime> nodes() {
            return inner.nodes();
        }

        @Override
        public NodeRuntime node(String nodeId) {
            return inner.node(nodeId);
        }

        @Override
        public void storeNode(String nodeId, NodeRuntime n) {
            inner.storeNode(nodeId, n);
        }
    }

    static Stream<Arguments> rows() {
        List<Arguments> out = new ArrayList<>();
        for (String domain : List.of("d1", "d2", "edge-west-7", "", "Aa", "BB")) {
            for (long slotMs : new long[] {100, 250, 1000, 7000, 45_000}) {
                for (long k : new long[] {1, 17, 12_345, 1_700_000_000_000L / slotMs}) {
                    // aligned slots, the domain's staggered phase, and the phase's extremes
                    for (long phase :
                            new long[] {0, Slots.staggeredPhase(domain, slotMs), 1, slotMs - 1}) {
                        out.add(Arguments.of(domain, slotMs, k * slotMs + phase, phase));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * nextClean is after slotEnd, at most a period plus a slot later, a slot end, and the first
     * slot after slotEnd in which cleaning happens; the cleaning after it is between one period
     * minus a slot and a period plus a slot later (or the next slot when slots are longer than the
     * period: every slot cleans then); all of this for slots of any phase.
     */
    @ParameterizedTest(name = "domain \"{0}\", slot {1}, slot end {2}, phase {3}")
    @MethodSource("rows")
    void nextCleanIsTheFirstCleaningSlotWithinAPeriod(
            String domain, long slotMs, long slotEnd, long phase) {
        long next = Retention.nextClean(slotEnd, domain, slotMs, phase);
        assertTrue(next > slotEnd, "after the slot end: " + next);
        assertTrue(next <= slotEnd + PERIOD + slotMs, "within a period and a slot: " + next);
        assertEquals(phase, Math.floorMod(next, slotMs), "a slot end of the phase");
        long first = Long.MIN_VALUE;
        for (long t = slotEnd + slotMs; t <= slotEnd + PERIOD + slotMs; t += slotMs) {
            if (cleans(t, domain, slotMs)) {
                first = t;
                break;
            }
        }
        assertEquals(first, next, "the first slot that cleans");
        long after = Retention.nextClean(next, domain, slotMs, phase);
        if (slotMs >= PERIOD) {
            assertEquals(next + slotMs, after, "every slot cleans");
        } else {
            assertTrue(
                    after - next >= PERIOD - slotMs && after - next <= PERIOD + slotMs, "" + after);
        }
    }

    /** Whether maybeClean at t cleans, with the horizons it must use. */
    static boolean cleans(long t, String domain, long slotMs) {
        Spy s = new Spy();
        Retention.maybeClean(t, domain, slotMs, 5000, s);
        assertEquals(s.idHorizons.size(), s.channelHorizons.size());
        if (s.idHorizons.isEmpty()) {
            return false;
        }
        assertEquals(List.of(t - (double) GRACE), s.idHorizons);
        assertEquals(List.of(t - 10 * 5000L), s.channelHorizons);
        return true;
    }

    static ChannelEvent measured(String user, long at) {
        ChannelEvent c = channel(user, "d1", "d1-a", at, 5.0).channel;
        return c;
    }

    @Test
    void cleaningForgetsOldIdsAndSilentUsersAndKeepsTheRest() {
        long slotMs = 100;
        long maxAge = 2000;
        long c = Retention.nextClean(1_000_000, "d1", slotMs, 0);
        MemoryDomainState s = new MemoryDomainState();
        s.rememberId("old", c - GRACE - 1);
        s.rememberId("edge", c - GRACE);
        s.rememberId("new", c - 1);
        UserChannels silent = new UserChannels();
        silent.update(measured("silent", c - 10 * maxAge - 1));
        s.storeChannels("silent", silent);
        UserChannels mixed = new UserChannels(); // one old, one recent node: newest counts
        mixed.update(measured("mixed", c - 100 * maxAge));
        ChannelEvent recent = measured("mixed", c - 10 * maxAge);
        recent.nodeId = "d1-b";
        mixed.update(recent);
        s.storeChannels("mixed", mixed);

        // the slot before the cleaning slot does nothing
        Retention.maybeClean(c - slotMs, "d1", slotMs, maxAge, s);
        assertEquals(3, s.knownIds());
        assertEquals(2, s.channelUsers());

        Retention.maybeClean(c, "d1", slotMs, maxAge, s);
        assertFalse(s.knowsId("old"));
        assertTrue(s.knowsId("edge"));
        assertTrue(s.knowsId("new"));
        assertNull(s.channels("silent"));
        assertTrue(s.channels("mixed") != null);
    }

    /**
     * Through closeSlot: a quiet domain that remembers an id wakes at its cleanings until the id is
     * the grace past its deadline, then needs no more wake-up.
     */
    @Test
    void quietDomainWakesAtItsCleaningsUntilItForgets() {
        Run run = new Run(settings().build());
        // no channel, deadline 1150: rejected NO_CHANNEL in the first slot, the id remembered
        SlotOutcome o = run.close("d1", 1100, request("r", "d1", 1000, 150));
        assertEquals(RejectReason.NO_CHANNEL, o.rejections().get(0).reason());
        long slot = 1100;
        int wakeUps = 0;
        while (o.nextWakeUp() != SlotOutcome.NONE) {
            assertTrue(o.nextWakeUp() > slot);
            assertTrue(o.nextWakeUp() <= slot + PERIOD + 100);
            assertEquals(Retention.nextClean(slot, "d1", 100, 0), o.nextWakeUp());
            assertTrue(run.state("d1").knowsId("r"));
            slot = o.nextWakeUp();
            o = run.close("d1", slot);
            assertTrue(++wakeUps <= 3, "wake-ups " + wakeUps);
        }
        assertFalse(run.state("d1").knowsId("r"));
        assertTrue(run.state("d1").remembersNothing());
        // forgotten at the first cleaning more than the grace after the deadline
        assertTrue(slot - 1150 > GRACE, "forgotten at " + slot);
        assertTrue(slot - 1150 <= GRACE + PERIOD + 100, "forgotten at " + slot);
        // the duplicate check is gone with it: the id is a new request now
        SlotOutcome again = run.close("d1", slot + 100, request("r", "d1", slot + 50, 20_000));
        assertEquals(List.of(), again.rejections());
        assertEquals(1, again.pending());
    }

    /**
     * Why forgetting ids soon after their deadline is safe: a repeat of a forgotten request (same
     * id, same deadline, arriving late) is rejected by admission, never decided or queued.
     */
    @Test
    void aRepeatOfAForgottenRequestIsRejectedNotServed() {
        Run run = new Run(settings().build());
        long slot = 1100;
        run.close("d1", slot, channel("u-r", "d1", "d1-a", 1000, 5.0));
        SlotOutcome o = run.close("d1", slot + 100, request("r", "d1", 1000, 150));
        assertEquals(1, o.rejections().size());
        slot += 100;
        while (run.state("d1").knowsId("r")) {
            slot += 100;
            o = run.close("d1", slot);
        }
        assertTrue(slot - 1150 > GRACE, "forgotten at " + slot);
        SlotOutcome repeat = run.close("d1", slot + 100, request("r", "d1", 1000, 150));
        assertEquals(1, repeat.rejections().size(), "the repeat is rejected");
        assertTrue(
                repeat.rejections().get(0).reason() != RejectReason.INVALID,
                "by admission, not as a duplicate: " + repeat.rejections());
        assertEquals(0, repeat.pending());
        assertEquals(List.of(), repeat.decisions());
    }
}
