package org.edgellm.bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the job's checkpoint gauges where the benchmark in the same
 * JVM can read them (MiniCluster only): enabled with {@code metrics.reporter.bench.factory.class}.
 */
public final class BenchMetrics implements MetricReporter, MetricReporterFactory {

    static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

    static final String[] CHECKPOINTS = {
        "numberOfCompletedCheckpoints",
        "numberOfFailedCheckpoints",
        "lastCheckpointDuration",
        "lastCheckpointSize",
        "lastCheckpointFullSize"
    };

    /** The gauge's value as a number, or NaN when the job has not registered it. */
    static double value(String name) {
        Gauge<?> g = GAUGES.get(name);
        Object v = g == null ? null : g.getValue();
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new BenchMetrics();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        for (String c : CHECKPOINTS) {
            if (c.equals(name) && metric instanceof Gauge<?> g) {
                GAUGES.put(name, g);
            }
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {}
}
