package org.edgellm.scheduler;

/**
 * A limit on one search: tree nodes, wall-clock microseconds and CPU microseconds of the calling
 * thread; 0 means no limit. With a limit the search is anytime: it returns the best batch found and
 * a proven upper bound. The CPU limit counts only the time the search's own thread ran, so it does
 * not shrink when other processes share the cores (benchmarks use it on loaded machines).
 */
public record SearchBudget(long maxNodes, long maxMicros, long maxCpuMicros) {

    public static final SearchBudget UNLIMITED = new SearchBudget(0, 0, 0);

    /** Nodes and wall-clock microseconds, no CPU limit. */
    public SearchBudget(long maxNodes, long maxMicros) {
        this(maxNodes, maxMicros, 0);
    }

    public static SearchBudget micros(long micros) {
        return new SearchBudget(0, micros);
    }

    public static SearchBudget nodes(long nodes) {
        return new SearchBudget(nodes, 0);
    }

    /** CPU microseconds of the calling thread (see the class comment). */
    public static SearchBudget cpuMicros(long micros) {
        return new SearchBudget(0, 0, micros);
    }

    public boolean unlimited() {
        return maxNodes <= 0 && maxMicros <= 0 && maxCpuMicros <= 0;
    }
}
