package org.edgellm.job;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness watermarks (the largest event time seen minus the out-of-orderness,
 * minus 1 ms, as Flink's own) that are also emitted at once when they cross a slot end, instead of
 * at the next periodic emission only.
 *
 * <p>Why: a slot closes when the watermark reaches its end, and that watermark used to wait for the
 * source's next periodic emission (every {@code --watermark-interval-ms}), in each of the
 * coordinators' upstream source subtasks, each on its own timer, so a slot waited for the latest of
 * them: up to a whole interval, about 6/7 of it on average with the six source subtasks of the
 * benchmark. Crossings are ten a second per split with 100-ms slots, so emitting them at once costs
 * nothing measurable; between crossings the periodic emission still advances the watermark (for the
 * timers of wake-ups and cleanings, and for idleness).
 *
 * <p>Only for aligned slots (ends at multiples of the slot length): with staggered slots every
 * domain has its own phase, and every millisecond is some domain's slot end.
 */
final class SlotBoundaryWatermarks implements WatermarkGenerator<InputEvent> {
    private final long outOfOrdernessMs;
    private final long slotMs;
    private long maxTimestamp;
    private long emitted = Long.MIN_VALUE;

    SlotBoundaryWatermarks(long outOfOrdernessMs, long slotMs) {
        if (slotMs <= 0) {
            throw new IllegalArgumentException("slotMs must be positive (got " + slotMs + ")");
        }
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.slotMs = slotMs;
        // as Flink's BoundedOutOfOrdernessWatermarks: no underflow before the first event
        this.maxTimestamp = Long.MIN_VALUE + outOfOrdernessMs + 1;
    }

    @Override
    public void onEvent(InputEvent event, long eventTimestamp, WatermarkOutput output) {
        if (eventTimestamp <= maxTimestamp) {
            return;
        }
        maxTimestamp = eventTimestamp;
        long wm = current();
        if (Math.floorDiv(wm, slotMs) > Math.floorDiv(emitted, slotMs)) {
            emit(wm, output);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        emit(current(), output);
    }

    private long current() {
        return maxTimestamp - outOfOrdernessMs - 1;
    }

    private void emit(long wm, WatermarkOutput output) {
        emitted = Math.max(emitted, wm);
        output.emitWatermark(new Watermark(wm));
    }
}
