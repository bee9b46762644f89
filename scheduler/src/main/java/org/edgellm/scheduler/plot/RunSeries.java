package org.edgellm.scheduler.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The plots of a run over time, from its outcomes: what {@code worker.jar report --plots} draws
 * from the completions and rejections of the topics, and {@code simulate --plots} from its
 * decisions (predicted) and rejections. Time is cut into bins of equal width from the run's first
 * event (x: the bin's start in seconds from there); the width is the smallest of 1, 2, 5, 10, 15,
 * 30 s, 1, 2, 5, 10, 15, 30 min, 1 h that makes at most 120 bins ({@link #binMs}).
 *
 * <ul>
 *   <li>{@code attainment}: requests of the bin that met their deadline over all that ended in it
 *       (ran or rejected); empty for a bin where none ended;
 *   <li>{@code goodput}: requests of the bin that met their deadline, per second;
 *   <li>{@code utilisation}: per node, the share of the bin its batches ran;
 *   <li>{@code rejections}: per reason, rejections of the bin per second;
 *   <li>{@code latency-cdf}: the empirical distribution of the given latencies (at most 1000
 *       points, evenly spaced in rank).
 * </ul>
 */
public final class RunSeries {
    private RunSeries() {}

    /** A request that ran (or, in a simulation, would run) and ended at timeMs. */
    public record Ran(double timeMs, boolean met) {}

    /** A request rejected at timeMs. */
    public record Rejected(double timeMs, String reason) {}

    /** A batch that ran on node from startMs to endMs. */
    public record Busy(String node, double startMs, double endMs) {}

    static final long[] WIDTHS_S = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600};
    static final int MAX_BINS = 120;
    static final int MAX_CDF_POINTS = 1000;

    /** The bin width for a run of this span. */
    public static long binMs(double spanMs) {
        for (long w : WIDTHS_S) {
            if (spanMs / (w * 1000.0) <= MAX_BINS) {
                return w * 1000;
            }
        }
        return 3_600_000L * (long) Math.ceil(spanMs / (3_600_000.0 * MAX_BINS));
    }

    /**
     * The five charts of a run.
     *
     * @param latencyMs latencies for the CDF (any order)
     * @param latencyLabel what they measure, the CDF's x label
     */
    public static List<Chart> charts(
            List<Ran> ran,
            List<Rejected> rejected,
            List<Busy> busy,
            double[] latencyMs,
            String latencyLabel) {
        double t0 = Double.POSITIVE_INFINITY;
        double t1 = Double.NEGATIVE_INFINITY;
        for (Ran r : ran) {
            t0 = Math.min(t0, r.timeMs());
            t1 = Math.max(t1, r.timeMs());
        }
        for (Rejected r : rejected) {
            t0 = Math.min(t0, r.timeMs());
            t1 = Math.max(t1, r.timeMs());
        }
        for (Busy b : busy) {
            t0 = Math.min(t0, b.startMs());
            t1 = Math.max(t1, b.endMs());
        }
        if (t0 > t1) {
            t0 = 0;
            t1 = 0;
        }
        long w = binMs(t1 - t0);
        int n = (int) Math.floor((t1 - t0) / w) + 1;
        double[] x = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = k * (w / 1000.0);
        }
        double[] met = new double[n];
        double[] ended = new double[n];
        for (Ran r : ran) {
            int k = bin(r.timeMs(), t0, w, n);
            ended[k]++;
            met[k] += r.met() ? 1 : 0;
        }
        Map<String, double[]> byReason = new TreeMap<>();
        for (Rejected r : rejected) {
            int k = bin(r.timeMs(), t0, w, n);
            ended[k]++;
            byReason.computeIfAbsent(r.reason(), q -> new double[n])[k] += 1000.0 / w;
        }
        double[] attainment = new double[n];
        double[] goodput = new double[n];
        for (int k = 0; k < n; k++) {
            attainment[k] = ended[k] == 0 ? Double.NaN : met[k] / ended[k];
            goodput[k] = met[k] * 1000.0 / w;
        }
        Map<String, double[]> util = new TreeMap<>();
        for (Busy b : busy) {
            double[] u = util.computeIfAbsent(b.node(), q -> new double[n]);
            for (int k = bin(b.startMs(), t0, w, n); k < n; k++) {
                double from = Math.max(b.startMs(), t0 + (double) k * w);
                double to = Math.min(b.endMs(), t0 + (double) (k + 1) * w);
                if (to <= from) {
                    break;
                }
                u[k] += (to - from) / w;
            }
        }
        List<Chart> out = new ArrayList<>();
        String time = "time_s";
        out.add(
                new Chart(
                        "attainment",
                        "Deadline attainment per " + w / 1000 + " s",
                        time,
                        "met / ended",
                        x,
                        List.of(new Chart.Series("attainment", attainment))));
        out.add(
                new Chart(
                        "goodput",
                        "Goodput per " + w / 1000 + " s",
                        time,
                        "requests met per second",
                        x,
                        List.of(new Chart.Series("goodput", goodput))));
        out.add(new Chart("utilisation", "Node utilisation", time, "busy share", x, lines(util)));
        out.add(
                new Chart(
                        "rejections",
                        "Rejections by reason",
                        time,
                        "rejections per second",
                        x,
                        lines(byReason)));
        out.add(cdf(latencyMs, latencyLabel));
        return out;
    }

    private static int bin(double t, double t0, long w, int n) {
        return Math.max(0, Math.min(n - 1, (int) Math.floor((t - t0) / w)));
    }

    private static List<Chart.Series> lines(Map<String, double[]> m) {
        List<Chart.Series> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new Chart.Series(k, v)));
        return out;
    }

    /** The empirical CDF: x the i-th smallest latency, y = i / n (i from 1). */
    static Chart cdf(double[] latencyMs, String label) {
        double[] sorted = latencyMs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int points = Math.min(n, MAX_CDF_POINTS);
        double[] x = new double[points];
        double[] y = new double[points];
        for (int j = 0; j < points; j++) {
            int rank = (int) Math.ceil((j + 1) * (double) n / points); // 1..n
            x[j] = sorted[rank - 1];
            y[j] = (double) rank / n;
        }
        return new Chart(
                "latency-cdf",
                "Latency distribution",
                label,
                "share of requests",
                x,
                List.of(new Chart.Series("cdf", y)));
    }
}
