package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link SlotLatencies}: each slot's first and last decision, and their medians, by hand. */
class SlotLatenciesTest {

    /**
     * Three slots, their decisions out of order: slot 100 has 40, 70 and 55 ms (first 40, last 70,
     * spread 30), slot 200 only 45 (45, 45, 0), slot 300 50 and 90 (50, 90, 40). Medians of three:
     * the second smallest.
     */
    @Test
    void theMediansOfEachSlotsFirstLastAndSpread() {
        long[] slots = {300, 100, 200, 100, 300, 100};
        long[] lat = {90, 40, 45, 70, 50, 55};
        SlotLatencies s = SlotLatencies.of(slots, lat, 6);
        assertEquals(new SlotLatencies(3, 45, 70, 30), s);
        // only the first n entries count: without the last two, slot 300 has 90 alone
        assertEquals(new SlotLatencies(3, 45, 70, 0), SlotLatencies.of(slots, lat, 4));
    }

    @Test
    void noDecisionNoSlot() {
        assertEquals(SlotLatencies.NONE, SlotLatencies.of(new long[0], new long[0], 0));
    }

    /**
     * Against a second computation on random decisions: for every slot the first is the least and
     * the last the largest of its latencies, whatever their order, and the spread is never negative
     * and never above the largest latency.
     */
    @Test
    void randomDecisionsAgreeWithAPlainCount() {
        Random r = new Random(27);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300);
            long[] slots = new long[n];
            long[] lat = new long[n];
            for (int i = 0; i < n; i++) {
                slots[i] = 100L * r.nextInt(12);
                lat[i] = r.nextInt(500);
            }
            java.util.TreeMap<Long, long[]> bySlot = new java.util.TreeMap<>();
            for (int i = 0; i < n; i++) {
                long[] mm = bySlot.computeIfAbsent(slots[i], k -> new long[] {Long.MAX_VALUE, -1});
                mm[0] = Math.min(mm[0], lat[i]);
                mm[1] = Math.max(mm[1], lat[i]);
            }
            long[] first = bySlot.values().stream().mapToLong(m -> m[0]).sorted().toArray();
            long[] last = bySlot.values().stream().mapToLong(m -> m[1]).sorted().toArray();
            long[] spread = bySlot.values().stream().mapToLong(m -> m[1] - m[0]).sorted().toArray();
            int mid = (bySlot.size() + 1) / 2 - 1;
            assertEquals(
                    new SlotLatencies(bySlot.size(), first[mid], last[mid], spread[mid]),
                    SlotLatencies.of(slots, lat, n),
                    "trial " + trial);
        }
    }
}
