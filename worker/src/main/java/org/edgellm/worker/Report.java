package org.edgellm.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.edgellm.events.Completion;
import org.edgellm.events.EventCodec;
import org.edgellm.events.Rejection;
import org.edgellm.scheduler.plot.Chart;
import org.edgellm.scheduler.plot.Plots;
import org.edgellm.scheduler.plot.RunSeries;

/**
 * {@code worker.jar report}: reads completions and rejections (read_committed) up to the offsets
 * they end at when it starts, and prints deadline attainment, goodput, tokens/s, per-node
 * utilisation and the prediction error of the model (measured over predicted compute time) per
 * quarter of the run, so that its convergence shows; writes the same as {@code report.json}. With
 * {@code --plots DIR} also the series over time as CSV files (and PNGs under bench.jar): {@link
 * #charts}.
 */
public final class Report {

    private Report() {}

    /** The figures of a run. */
    public static ObjectNode compute(List<Completion> completions, List<Rejection> rejections) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        List<Completion> cs = new ArrayList<>(completions);
        cs.sort(
                Comparator.comparingDouble(Completion::getStartMs)
                        .thenComparing(Completion::getRequestId));
        int met = 0;
        int errors = 0;
        long tokens = 0;
        double first = Double.POSITIVE_INFINITY;
        double last = Double.NEGATIVE_INFINITY;
        Map<String, Double> busy = new TreeMap<>();
        Map<String, Boolean> seenBatch = new TreeMap<>();
        for (Completion c : cs) {
            if (c.getError() != null) {
                errors++;
                continue;
            }
            met += c.getDeadlineMet() ? 1 : 0;
            tokens += c.getOutputTokens();
            first = Math.min(first, c.getStartMs());
            last = Math.max(last, c.getFinishMs());
            if (seenBatch.put(c.getDecisionId(), true) == null) {
                busy.merge(c.getNodeId(), c.getMeasuredComputeMs(), Double::sum);
            }
        }
        double seconds = cs.isEmpty() ? 0 : Math.max(1e-3, (last - first) / 1000.0);
        o.put("completions", cs.size());
        o.put("errors", errors);
        o.put("deadlineMet", met);
        o.put(
                "deadlineAttainment",
                cs.isEmpty() ? 0 : (double) met / (cs.size() + rejections.size()));
        o.put("goodputPerSecond", seconds == 0 ? 0 : met / seconds);
        o.put("tokensPerSecond", seconds == 0 ? 0 : tokens / seconds);
        ObjectNode util = o.putObject("nodeUtilisation");
        double s = seconds;
        busy.forEach((k, v) -> util.put(k, s == 0 ? 0 : v / 1000.0 / s));
        ObjectNode rej = o.putObject("rejected");
        Map<String, Integer> byReason = new TreeMap<>();
        rejections.forEach(r -> byReason.merge(r.getReason().name(), 1, Integer::sum));
        byReason.forEach(rej::put);
        // prediction error per quarter of the run, one value per batch
        List<double[]> batches = new ArrayList<>();
        Map<String, Boolean> once = new TreeMap<>();
        for (Completion c : cs) {
            if (c.getError() == null && once.put(c.getDecisionId(), true) == null) {
                batches.add(
                        new double[] {
                            c.getStartMs(),
                            c.getMeasuredComputeMs() / Math.max(1e-9, c.getPredictedComputeMs()) - 1
                        });
            }
        }
        var q = o.putArray("predictionErrorByQuarter");
        for (int k = 0; k < 4; k++) {
            int from = batches.size() * k / 4;
            int to = batches.size() * (k + 1) / 4;
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += Math.abs(batches.get(i)[1]);
            }
            q.add(to > from ? sum / (to - from) : 0);
        }
        return o;
    }

    /** The figures as a text table. */
    public static String table(ObjectNode o) {
        StringBuilder sb =
                new StringBuilder("+--------------------------------+----------------+\n");
        java.util.function.BiConsumer<String, String> row =
                (k, v) -> sb.append(String.format("| %-30s | %14s |%n", k, v));
        row.accept("completions", o.get("completions").asText());
        row.accept("errors", o.get("errors").asText());
        row.accept("deadline met", o.get("deadlineMet").asText());
        row.accept(
                "deadline attainment",
                String.format("%.1f%%", 100 * o.get("deadlineAttainment").asDouble()));
        row.accept("goodput (req/s)", String.format("%.3f", o.get("goodputPerSecond").asDouble()));
        row.accept("tokens/s", String.format("%.1f", o.get("tokensPerSecond").asDouble()));
        o.get("nodeUtilisation")
                .fields()
                .forEachRemaining(
                        e ->
                                row.accept(
                                        "utilisation " + e.getKey(),
                                        String.format("%.1f%%", 100 * e.getValue().asDouble())));
        o.get("rejected")
                .fields()
                .forEachRemaining(e -> row.accept("rejected " + e.getKey(), e.getValue().asText()));
        var q = o.get("predictionErrorByQuarter");
        for (int k = 0; k < q.size(); k++) {
            row.accept(
                    "prediction error, quarter " + (k + 1),
                    String.format("%.1f%%", 100 * q.get(k).asDouble()));
        }
        sb.append("+--------------------------------+----------------+\n");
        return sb.toString();
    }

    /**
     * The plots of a run ({@link RunSeries}): a completion ended at its finish and met its deadline
     * when it says so and has no error; a rejection ended at its time; a batch (its first
     * completion) ran on its node from its start for its measured compute time; the latency is from
     * the end of the decision's slot (the slot end in its id, {@code domain/slotEnd/node}) to the
     * completion's finish, for completions without error.
     */
    public static List<Chart> charts(List<Completion> completions, List<Rejection> rejections) {
        List<Completion> cs = new ArrayList<>(completions);
        cs.sort(
                Comparator.comparingDouble(Completion::getStartMs)
                        .thenComparing(Completion::getRequestId));
        List<RunSeries.Ran> ran = new ArrayList<>();
        List<RunSeries.Busy> busy = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        Map<String, Boolean> seenBatch = new TreeMap<>();
        for (Completion c : cs) {
            boolean ok = c.getError() == null;
            ran.add(new RunSeries.Ran(c.getFinishMs(), ok && c.getDeadlineMet()));
            if (!ok) {
                continue;
            }
            if (seenBatch.put(c.getDecisionId(), true) == null) {
                busy.add(
                        new RunSeries.Busy(
                                c.getNodeId(),
                                c.getStartMs(),
                                c.getStartMs() + c.getMeasuredComputeMs()));
            }
            long slotEnd = slotEndOf(c.getDecisionId());
            if (slotEnd != Long.MIN_VALUE) {
                latency.add(c.getFinishMs() - slotEnd);
            }
        }
        List<RunSeries.Rejected> rej = new ArrayList<>();
        for (Rejection r : rejections) {
            rej.add(new RunSeries.Rejected(r.getTime().toEpochMilli(), r.getReason().name()));
        }
        return RunSeries.charts(
                ran,
                rej,
                busy,
                latency.stream().mapToDouble(Double::doubleValue).toArray(),
                "slot_end_to_completion_ms");
    }

    /** The slot end of a decision id {@code domain/slotEnd/node}; MIN_VALUE when it has none. */
    static long slotEndOf(String decisionId) {
        String[] p = decisionId.split("/");
        try {
            return p.length >= 3 ? Long.parseLong(p[p.length - 2]) : Long.MIN_VALUE;
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    public static ObjectNode run(Map<String, String> f, Map<String, String> kafka)
            throws Exception {
        return run(f, kafka, "java -jar bench/target/bench.jar report ...");
    }

    /**
     * Reads the topics, prints the table, writes the JSON and, with {@code plots}, the plots;
     * {@code benchCommand} is the command that writes their PNGs too, printed when no renderer is
     * on the class path.
     */
    public static ObjectNode run(
            Map<String, String> f, Map<String, String> kafka, String benchCommand)
            throws Exception {
        String ct = f.getOrDefault("completions-topic", "completions");
        String rt = f.getOrDefault("rejections-topic", "rejections");
        long timeout = Long.parseLong(f.getOrDefault("timeout-ms", "120000"));
        List<Completion> cs = new ArrayList<>();
        List<Rejection> rs = new ArrayList<>();
        TopicSnapshot.read(
                TopicSnapshot.consumer(f, kafka, "report"),
                List.of(ct, rt),
                timeout,
                r -> {
                    try {
                        if (r.topic().equals(ct)) {
                            cs.add(Completion.fromByteBuffer(ByteBuffer.wrap(r.value())));
                        } else {
                            rs.add(
                                    EventCodec.decodeRejection(
                                            r.value(), EventCodec.DEFAULT_MAX_BYTES));
                        }
                    } catch (EventCodec.DecodeException
                            | java.io.IOException
                            | RuntimeException e) {
                        System.err.println(
                                "skipped an undecodable record at " + r.topic() + "@" + r.offset());
                    }
                });
        ObjectNode o = compute(cs, rs);
        Files.writeString(Path.of(f.getOrDefault("out", "report.json")), o.toPrettyString() + "\n");
        System.out.print(table(o));
        String plots = f.get("plots");
        if (plots != null) {
            Plots.write(Path.of(plots), charts(cs, rs), benchCommand, System.out);
        }
        return o;
    }
}
