package org.edgellm.job.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Slots}: slot ends of any phase, and the staggered phases of domains. */
class SlotsTest {

    /**
     * For random times, slot lengths and phases: the slot end after t is after t, at most a slot
     * later, of the phase, and the first such end (the one before it is not after t); phase 0 is
     * the aligned arithmetic.
     */
    @Test
    void theSlotEndAfterATimeIsTheFirstEndOfThePhaseAfterIt() {
        Random rnd = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            long slotMs = 1 + rnd.nextInt(i % 2 == 0 ? 10 : 100_000);
            long phase = Math.floorMod(rnd.nextLong(), slotMs);
            long t = rnd.nextLong() % 4_000_000_000_000L; // negative times too
            long end = Slots.slotEndAfter(t, slotMs, phase);
            String at = "t " + t + ", slot " + slotMs + ", phase " + phase + ": " + end;
            assertTrue(end > t && end - t <= slotMs, at);
            assertEquals(phase, Math.floorMod(end, slotMs), at);
            assertTrue(end - slotMs <= t, at);
            assertEquals(Slots.slotEndAfter(t, slotMs), Slots.slotEndAfter(t, slotMs, 0), at);
        }
    }

    /** An event joins its own slot, or the next one of its phase once the watermark passed it. */
    @Test
    void aLateEventJoinsTheNextSlotOfItsPhase() {
        assertEquals(195, Slots.slotOf(150, 100, 100, 95)); // its own slot [95, 195) is open
        assertEquals(295, Slots.slotOf(150, 195, 100, 95)); // closed at 195: the next one
        assertEquals(395, Slots.slotOf(150, 300, 100, 95)); // the watermark is at 300
        assertEquals(200, Slots.slotOf(150, 100, 100)); // aligned
    }

    /**
     * A domain's phase is fixed by its id and the slot length, and the phases of many domains
     * spread over the slot: each fifth of a 100-ms slot (the job's default watermark interval is 20
     * ms) gets between 15 % and 25 % of 1,000 domains, and more than 95 distinct phases occur.
     */
    @Test
    void phasesAreFixedPerDomainAndSpreadOverTheSlot() {
        int[] fifths = new int[5];
        Set<Long> distinct = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String d = "dom-" + i;
            long p = Slots.staggeredPhase(d, 100);
            assertEquals(p, Slots.staggeredPhase(new String(d.toCharArray()), 100));
            fifths[(int) (p / 20)]++;
            distinct.add(p);
        }
        for (int f : fifths) {
            assertTrue(f >= 150 && f <= 250, java.util.Arrays.toString(fifths));
        }
        assertTrue(distinct.size() > 95, "distinct phases " + distinct.size());
        // the settings apply the phase only when slots are staggered
        DomainFixtures.Settings s = DomainFixtures.settings();
        assertEquals(0, s.build().slotPhaseMs("d1"));
        s.staggerSlots = true;
        assertEquals(Slots.staggeredPhase("d1", 100), s.build().slotPhaseMs("d1"));
        assertEquals(95, s.build().slotPhaseMs("d1"));
        assertEquals(8, s.build().slotPhaseMs("d2"));
    }
}
