package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** The subtask's totals over its domains, and the per-domain series with their cap. */
class DomainGaugesTest {

    /** Records every gauge under "key=value/name" (or "name" at the top). */
    static final class Recording extends UnregisteredMetricsGroup {
        final Map<String, Gauge<?>> gauges;
        final String prefix;

        Recording(Map<String, Gauge<?>> gauges, String prefix) {
            this.gauges = gauges;
            this.prefix = prefix;
        }

        @Override
        public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
            if (gauges.put(prefix + name, gauge) != null) {
                throw new IllegalStateException("registered twice: " + prefix + name);
            }
            return gauge;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Recording(gauges, prefix + key + "=" + value + "/");
        }
    }

    static double value(Map<String, Gauge<?>> g, String name) {
        return ((Number) g.get(name).getValue()).doubleValue();
    }

    @Test
    void totalsAndCappedPerDomainSeries() {
        Map<String, Gauge<?>> g = new TreeMap<>();
        DomainGauges d = new DomainGauges(2);
        d.register(new Recording(g, ""));
        d.update("a", 3, true, 0.9);
        d.update("b", 5, true, Double.NaN);
        d.update("c", 7, true, 0.5); // third domain: totals only
        assertEquals(15, value(g, "pending"));
        assertEquals(3, value(g, "domainsPending"));
        assertEquals(7, value(g, "maxDomainPending"));
        assertEquals(-1, value(g, "certifiedRatioMin")); // b's ratio is unknown
        assertEquals(
                java.util.Set.of(
                        "pending",
                        "domainsPending",
                        "maxDomainPending",
                        "certifiedRatioMin",
                        "domain=a/pending",
                        "domain=a/certifiedRatio",
                        "domain=b/pending",
                        "domain=b/certifiedRatio"),
                g.keySet());
        assertEquals(3, value(g, "domain=a/pending"));
        assertEquals(0.9, value(g, "domain=a/certifiedRatio"));
        assertEquals(-1, value(g, "domain=b/certifiedRatio"));

        // a empties: its series stays and reads 0 pending, its last ratio stays; updates again
        d.update("a", 0, false, Double.NaN);
        d.update("b", 4, true, 0.75);
        d.update("a", 2, false, Double.NaN); // a slot without a solve keeps the ratio
        assertEquals(2, value(g, "domain=a/pending"));
        assertEquals(0.9, value(g, "domain=a/certifiedRatio"));
        assertEquals(4, value(g, "domain=b/pending"));
        assertEquals(0.75, value(g, "domain=b/certifiedRatio"));
        assertEquals(13, value(g, "pending"));
        assertEquals(8, g.size(), "no new series for c, nor twice for a");
    }

    @Test
    void zeroCapExportsTotalsOnly() {
        Map<String, Gauge<?>> g = new TreeMap<>();
        DomainGauges d = new DomainGauges(0);
        d.register(new Recording(g, ""));
        d.update("a", 1, true, 1.0);
        assertEquals(4, g.size());
        assertEquals(1, value(g, "pending"));
    }
}
