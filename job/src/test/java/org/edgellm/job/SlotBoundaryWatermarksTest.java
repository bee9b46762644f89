package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class SlotBoundaryWatermarksTest {

    /** Records what a generator emits. */
    static final class Recorder implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark w) {
            emitted.add(w.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        Long last() {
            return emitted.isEmpty() ? null : emitted.get(emitted.size() - 1);
        }
    }

    @Test
    void periodicWatermarksAreFlinksAndEverySlotEndCrossedLeavesAtOnce() {
        Random rnd = new Random(42);
        for (int run = 0; run < 200; run++) {
            long ooo = rnd.nextInt(50);
            long slotMs = 1 + rnd.nextInt(200);
            SlotBoundaryWatermarks ours = new SlotBoundaryWatermarks(ooo, slotMs);
            BoundedOutOfOrdernessWatermarks<InputEvent> flinks =
                    new BoundedOutOfOrdernessWatermarks<>(Duration.ofMillis(ooo));
            Recorder onEvent = new Recorder();
            Recorder flinkOnEvent = new Recorder();
            long t = rnd.nextInt(1_000_000) - 500_000; // negative times too
            long maxTs = Long.MIN_VALUE;
            int crossings = 0;
            int slotsVisited = 0; // distinct slots the watermark was in, counted independently
            long lastSlot = Long.MIN_VALUE;
            for (int i = 0; i < 2000; i++) {
                // mostly forward, some late, some invalid (Long.MIN_VALUE, as the job's assigner)
                long ts =
                        rnd.nextInt(20) == 0
                                ? Long.MIN_VALUE
                                : t + rnd.nextInt(40) - (rnd.nextInt(5) == 0 ? 80 : 0);
                t += rnd.nextInt(7);
                Long before = onEvent.last();
                ours.onEvent(null, ts, onEvent);
                flinks.onEvent(null, ts, flinkOnEvent);
                maxTs = Math.max(maxTs, ts);
                if (maxTs == Long.MIN_VALUE) {
                    assertEquals(before, onEvent.last(), "no watermark before the first event");
                    continue;
                }
                long wm = maxTs - ooo - 1;
                Long now = onEvent.last();
                // the latest watermark out is in the slot of the generator's watermark: a
                // crossing of a slot end is never left for the periodic emission
                long slotNow = Math.floorDiv(wm, slotMs);
                if (slotNow != lastSlot) {
                    slotsVisited++;
                    lastSlot = slotNow;
                }
                if (before == null || Math.floorDiv(before, slotMs) < slotNow) {
                    assertEquals(wm, now, "a crossing leaves at once (run " + run + ")");
                    crossings++;
                } else {
                    assertEquals(before, now, "nothing leaves between crossings (run " + run + ")");
                }
                if (rnd.nextInt(10) == 0) {
                    Recorder a = new Recorder();
                    Recorder b = new Recorder();
                    ours.onPeriodicEmit(a);
                    flinks.onPeriodicEmit(b);
                    assertEquals(b.emitted, a.emitted, "periodic emission as Flink's");
                    assertEquals(wm, a.last());
                    onEvent.emitted.add(a.last()); // the latest out, for the next crossing
                }
            }
            assertTrue(flinkOnEvent.emitted.isEmpty(), "Flink's emits only periodically");
            assertEquals(slotsVisited, crossings, "one emission at once per slot entered");
            assertTrue(crossings >= 10, "crossings " + crossings);
            for (int i = 1; i < onEvent.emitted.size(); i++) {
                assertTrue(onEvent.emitted.get(i) >= onEvent.emitted.get(i - 1), "monotone");
            }
        }
    }
}
