package org.edgellm.bench;

import java.util.Arrays;

/**
 * Where a slot's decisions fall: for each slot end of the window, the latency of its first and of
 * its last decision read from the topic, and their medians over the slots. The first decision of a
 * slot waits only for the path every decision takes (the watermark, the network buffers, the Kafka
 * producer, the broker and the reader); the others also wait for the domains that close before them
 * in the same watermark step on their subtask (one after another on its thread). So the median of
 * the first is the path's floor, and the median spread (last minus first) is what closing a slot of
 * every domain costs: it grows with the domains per subtask and the CPU each closing takes,
 * whatever the slot length.
 *
 * @param slots slot ends with at least one decision in the window
 * @param firstP50Ms the median over those slots of their first decision's latency
 * @param lastP50Ms the median of their last decision's latency
 * @param spreadP50Ms the median of last minus first
 */
record SlotLatencies(int slots, double firstP50Ms, double lastP50Ms, double spreadP50Ms) {

    /** No decision in the window. */
    static final SlotLatencies NONE = new SlotLatencies(0, Double.NaN, Double.NaN, Double.NaN);

    /**
     * The slots' figures from the first n decisions' slot ends and latencies (ms; any order).
     * Medians are nearest-rank (the lower middle of an even count), as the run's percentiles.
     */
    static SlotLatencies of(long[] slotEnds, long[] latencies, int n) {
        if (n == 0) {
            return NONE;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(slotEnds[a], slotEnds[b]));
        long[] first = new long[n];
        long[] last = new long[n];
        long[] spread = new long[n];
        int k = 0;
        for (int i = 0; i < n; ) {
            long slot = slotEnds[order[i]];
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (; i < n && slotEnds[order[i]] == slot; i++) {
                lo = Math.min(lo, latencies[order[i]]);
                hi = Math.max(hi, latencies[order[i]]);
            }
            first[k] = lo;
            last[k] = hi;
            spread[k++] = hi - lo;
        }
        return new SlotLatencies(k, median(first, k), median(last, k), median(spread, k));
    }

    private static double median(long[] values, int k) {
        long[] v = Arrays.copyOf(values, k);
        Arrays.sort(v);
        return JobBenchReport.pct(v, 0.5);
    }
}
