package org.edgellm.job;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * Gauges over the domains of one coordinator subtask, so that no domain's value overwrites
 * another's: {@code pending} (pending requests of all its domains), {@code domainsPending} (domains
 * with any), {@code maxDomainPending} (the largest domain queue) and {@code certifiedRatioMin} (the
 * lowest certified ratio among its domains' latest solved slots; -1 for none or unknown). Only
 * domains with pending requests are held for these, so memory follows the active domains.
 *
 * <p>Per domain, with a cap on the label's cardinality: the first {@code maxDomainSeries} domains
 * the subtask updates get their own series, {@code domain_pending} and {@code
 * domain_certifiedRatio} labelled {@code domain} (a Flink key-value group), which stay registered
 * until the subtask stops (Flink cannot unregister a metric); the other domains count only in the
 * totals above. So a subtask exports at most 2 × maxDomainSeries per-domain series however many
 * domains it serves.
 */
final class DomainGauges {
    private final Map<String, Integer> pending = new HashMap<>();
    private final Map<String, Double> ratio = new HashMap<>();

    /** The latest certified ratio of each domain with its own series (-1 until one is known). */
    private final Map<String, Double> seriesRatio = new HashMap<>();

    private final int maxDomainSeries;
    private MetricGroup group;

    DomainGauges(int maxDomainSeries) {
        this.maxDomainSeries = maxDomainSeries;
    }

    void register(MetricGroup group) {
        this.group = group;
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
        if (!seriesRatio.containsKey(domain) && seriesRatio.size() < maxDomainSeries) {
            seriesRatio.put(domain, -1.0);
            if (group != null) {
                MetricGroup g = group.addGroup("domain", domain);
                g.gauge("pending", () -> pending.getOrDefault(domain, 0));
                g.gauge("certifiedRatio", () -> seriesRatio.get(domain));
            }
        }
        if (solved && seriesRatio.containsKey(domain)) {
            seriesRatio.put(domain, Double.isNaN(certifiedRatio) ? -1 : certifiedRatio);
        }
    }

    /** The domains that have their own series. */
    java.util.Set<String> domainsWithSeries() {
        return seriesRatio.keySet();
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
