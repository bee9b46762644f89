package org.edgellm.scheduler;

/**
 * A limit on one search: tree nodes and wall-clock microseconds; 0 means no limit. With a limit the
 * search is anytime: it returns the best batch found and a proven upper bound.
 */
public record SearchBudget(long maxNodes, long maxMicros) {

    public static final SearchBudget UNLIMITED = new SearchBudget(0, 0);

    public static SearchBudget micros(long micros) {
        return new SearchBudget(0, micros);
    }

    public static SearchBudget nodes(long nodes) {
        return new SearchBudget(nodes, 0);
    }

    public boolean unlimited() {
        return maxNodes <= 0 && maxMicros <= 0;
    }
}
