package org.edgellm.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * Gauges over the domains of one coordinator subtask, so that no domain's value overwrites
 * another's: {@code pending} (pending requests of all its domains), {@code domainsPending} (domains
 * with any), {@code maxDomainPending} (the largest domain queue) and {@code certifiedRatioMin} (the
 * lowest certified ratio among its domains' latest solved slots; -1 for none or unknown). Only
 * domains with pending requests are held, so memory follows the active domains.
 */
final class DomainGauges {
    private final Map<String, Integer> pending = new HashMap<>();
    private final Map<String, Double> ratio = new HashMap<>();

    void register(MetricGroup group) {
        group.gauge("pending", this::pendingTotal);
        group.gauge("domainsPending", () -> pending.size());
        group.gauge("maxDomainPending", this::maxPending);
        group.gauge("certifiedRatioMin", this::ratioMin);
    }

    void update(String domain, int pendingNow, boolean solved, double certifiedRatio) {
        if (pendingNow > 0) {
            pending.put(domain, pendingNow);
        } else {
            pending.remove(domain);
        }
        if (solved && pendingNow > 0) {
            ratio.put(domain, Double.isNaN(certifiedRatio) ? -1 : certifiedRatio);
        } else if (pendingNow == 0) {
            ratio.remove(domain);
        }
    }

    long pendingTotal() {
        long n = 0;
        for (int x : pending.values()) {
            n += x;
        }
        return n;
    }

    int maxPending() {
        int m = 0;
        for (int x : pending.values()) {
            m = Math.max(m, x);
        }
        return m;
    }

    double ratioMin() {
        double m = Double.POSITIVE_INFINITY;
        for (double x : ratio.values()) {
            m = Math.min(m, x);
        }
        return m == Double.POSITIVE_INFINITY ? -1 : m;
    }
}
