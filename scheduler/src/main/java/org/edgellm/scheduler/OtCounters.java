package org.edgellm.scheduler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** The budget of one OT solve and what it has spent, shared by the searches of its variants. */
final class OtCounters {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    final SearchBudget budget;
    final long deadlineNanos;
    long nodes;
    long checks;
    long bounds;
    long calls;
    boolean aborted;

    final long cpuDeadlineNanos;

    OtCounters(SearchBudget budget, long deadlineNanos) {
        this.budget = budget;
        this.deadlineNanos = deadlineNanos;
        this.cpuDeadlineNanos =
                budget.maxCpuMicros() > 0
                        ? THREADS.getCurrentThreadCpuTime() + budget.maxCpuMicros() * 1000L
                        : 0;
    }

    boolean spent() {
        if (aborted) {
            return true;
        }
        if (budget.maxNodes() > 0 && nodes >= budget.maxNodes()) {
            aborted = true;
        } else if ((deadlineNanos != 0 || cpuDeadlineNanos != 0) && (++calls & 15) == 0) {
            aborted =
                    (deadlineNanos != 0 && System.nanoTime() > deadlineNanos)
                            || (cpuDeadlineNanos != 0
                                    && THREADS.getCurrentThreadCpuTime() > cpuDeadlineNanos);
        }
        return aborted;
    }
}
