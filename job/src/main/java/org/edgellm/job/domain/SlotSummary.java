package org.edgellm.job.domain;

import java.util.Map;

/**
 * What one slot of one domain did (the slot report).
 *
 * @param considered candidates offered to the scheduler
 * @param rejected rejections of the slot by reason name, sorted
 * @param upperBound the scheduler's certified upper bound (its objective when it has none)
 * @param fallback the configured algorithm failed and FCFS decided the slot
 */
public record SlotSummary(
        String domainId,
        long slotEnd,
        int considered,
        int assigned,
        Map<String, Integer> rejected,
        int nodesOffered,
        double objective,
        double upperBound,
        long solveMicros,
        long nodesVisited,
        long feasibilityChecks,
        boolean provenOptimal,
        boolean fallback) {}
