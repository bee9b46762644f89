package org.edgellm.job.domain;

import java.time.Instant;

/**
 * What the log says about settled batches (re-dispatched or reported UNFINISHED by {@link
 * NodeLiveness}): the first batch settled in each second of event time in full, the others of that
 * second counted and summed up in the next line. A job that falls seconds behind its workers'
 * heartbeats settles every batch of every domain (thousands a second at 1,000 domains); one line
 * each flooded the TaskManager's log and cost it CPU while it was already behind. The counts
 * themselves are in the metrics ({@code redispatched}, {@code rejected} with reason UNFINISHED) and
 * every request in the rejections' output, so nothing is lost by the summary. Event time only: a
 * replay logs the same lines. One instance per {@link NodeLiveness} (per subtask), not thread-safe.
 */
final class SettledBatchLog {
    private static final long PERIOD_MS = 1000;

    private long periodStart = Long.MIN_VALUE;
    private int batches;
    private int redispatched;
    private int unfinished;
    private long since = Long.MIN_VALUE;

    /**
     * The line to log for a batch settled at slotEnd, or null when it is only counted: the first
     * batch of each second of event time is logged, with the batches counted since the last line.
     *
     * @param detail the batch, its node and why it was settled
     * @param again its requests re-dispatched
     * @param notAgain its requests reported UNFINISHED
     */
    String line(long slotEnd, String detail, int again, int notAgain) {
        if (periodStart != Long.MIN_VALUE && slotEnd < periodStart + PERIOD_MS) {
            if (batches == 0) {
                since = slotEnd;
            }
            batches++;
            redispatched += again;
            unfinished += notAgain;
            return null;
        }
        String line =
                "batch "
                        + detail
                        + ": "
                        + again
                        + " requests re-dispatched, "
                        + notAgain
                        + " reported UNFINISHED"
                        + (batches == 0
                                ? ""
                                : "; before it, "
                                        + batches
                                        + (batches == 1 ? " more batch" : " more batches")
                                        + " settled from "
                                        + Instant.ofEpochMilli(since)
                                        + " ("
                                        + redispatched
                                        + " requests re-dispatched, "
                                        + unfinished
                                        + " reported UNFINISHED; not logged one by one)");
        periodStart = slotEnd;
        batches = 0;
        redispatched = 0;
        unfinished = 0;
        return line;
    }
}
