package org.edgellm.job.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.JobConfig;

/**
 * The files of a replay or a simulation: each output record as one JSON line, the four files in
 * their canonical order, {@code summary.json} and the table printed from it. Replay and simulate
 * both write through here, so that their files can be compared byte for byte.
 */
public final class RunOutput {

    static final ObjectMapper JSON = new ObjectMapper();

    private RunOutput() {}

    /** The rendered output lines of a run, in any order. */
    record Outputs(
            List<JsonNode> decisions,
            List<JsonNode> rejections,
            List<JsonNode> reports,
            List<JsonNode> deadLetters) {}

    /**
     * Sorts the outputs into their canonical order, writes the four files and summary.json to
     * outDir, and returns the summary.
     */
    static ObjectNode finish(
            ReplayRunner.Setup s,
            Path outDir,
            JobConfig config,
            Outputs o,
            GoodputBound.Result bound,
            double wallSeconds)
            throws IOException {
        Files.createDirectories(outDir);
        List<JsonNode> decisions = new ArrayList<>(o.decisions());
        decisions.sort(
                Comparator.comparingLong((JsonNode n) -> n.get("slotEnd").asLong())
                        .thenComparing(n -> n.get("domain").asText())
                        .thenComparing(n -> n.get("node").asText()));
        List<JsonNode> rejections = new ArrayList<>(o.rejections());
        rejections.sort(
                Comparator.comparingLong((JsonNode n) -> n.get("time").asLong())
                        .thenComparing(n -> n.get("requestId").asText())
                        .thenComparing(n -> n.get("reason").asText()));
        List<JsonNode> reports = new ArrayList<>(o.reports());
        reports.sort(
                Comparator.comparingLong((JsonNode n) -> n.get("slotEnd").asLong())
                        .thenComparing(n -> n.get("domain").asText()));
        List<JsonNode> dead = new ArrayList<>(o.deadLetters());
        dead.sort(Comparator.comparing(JsonNode::toString));
        write(outDir.resolve("decisions.jsonl"), decisions);
        write(outDir.resolve("rejections.jsonl"), rejections);
        write(outDir.resolve("slot-reports.jsonl"), stripTiming(reports));
        write(outDir.resolve("dead-letters.jsonl"), dead);
        ObjectNode summary =
                summary(
                        config,
                        s.options(),
                        s.requestCount(),
                        s.skipped(),
                        s.spanStart(),
                        s.spanEnd(),
                        decisions,
                        rejections,
                        reports,
                        dead.size(),
                        bound,
                        wallSeconds,
                        s.imported() == null ? null : s.imported().report());
        ((ObjectNode) summary.get("timing"))
                .put("importSeconds", Math.round(s.importSeconds() * 100) / 100.0);
        Files.writeString(
                outDir.resolve("summary.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        return summary;
    }

    // ---- rendering ----------------------------------------------------------------------------

    static String decisionJson(BatchDecision d) {
        return decisionNode(d).toString();
    }

    static ObjectNode decisionNode(BatchDecision d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("slotEnd", d.getSlotEnd().toEpochMilli());
        o.put("domain", d.getDomainId());
        o.put("node", d.getNodeId());
        o.put("variant", d.getVariant());
        o.put("decisionId", d.getDecisionId());
        o.put("uplinkMs", d.getUplinkMs());
        o.put("computeStartMs", d.getComputeStartMs());
        o.put("computeEndMs", d.getComputeEndMs());
        o.put("certifiedRatio", d.getCertifiedRatio());
        ArrayNode rs = o.putArray("requests");
        for (DecidedRequest r : d.getRequests()) {
            ObjectNode x = rs.addObject();
            x.put("id", r.getRequestId());
            x.put("user", r.getUserId());
            x.put("arrival", r.getArrivalTime().toEpochMilli());
            x.put("deadline", r.getDeadlineMs());
            x.put("promptTokens", r.getPromptTokens());
            x.put("maxOutputTokens", r.getMaxOutputTokens());
            x.put("maxPplIncrease", r.getMaxPplIncrease());
            x.put("predictedFinishMs", r.getPredictedFinishMs());
        }
        return o;
    }

    static String rejectionJson(Rejection r) {
        return rejectionNode(r).toString();
    }

    static ObjectNode rejectionNode(Rejection r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("time", r.getTime().toEpochMilli());
        o.put("requestId", r.getRequestId());
        o.put("domain", r.getDomainId());
        o.put("reason", r.getReason().name());
        o.put("detail", r.getDetail());
        return o;
    }

    static String reportJson(SlotReport s) {
        return reportNode(s).toString();
    }

    static ObjectNode reportNode(SlotReport s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("slotEnd", s.getSlotEnd().toEpochMilli());
        o.put("domain", s.getDomainId());
        o.put("pending", s.getPending());
        o.put("assigned", s.getAssigned());
        ObjectNode rej = o.putObject("rejected");
        new TreeMap<>(s.getRejected()).forEach(rej::put);
        o.put("nodesOffered", s.getNodesOffered());
        o.put("objective", s.getObjective());
        o.put("upperBound", s.getUpperBound());
        o.put("nodesVisited", s.getNodesVisited());
        o.put("feasibilityChecks", s.getFeasibilityChecks());
        o.put("provenOptimal", s.getProvenOptimal());
        if (s.getFallback()) {
            o.put("fallback", true); // only when it happened: older files stay byte-identical
        }
        o.put("solveMicros", s.getSolveMicros());
        return o;
    }

    static String deadLetterJson(DeadLetter d) {
        return deadLetterNode(d).toString();
    }

    static ObjectNode deadLetterNode(DeadLetter d) {
        ObjectNode o = JSON.createObjectNode();
        o.put("source", d.getSource());
        o.put("offset", d.getOffset());
        o.put("error", d.getError());
        o.put("bytes", d.getPayload().remaining());
        return o;
    }

    static List<JsonNode> stripTiming(List<JsonNode> reports) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : reports) {
            ObjectNode c = n.deepCopy();
            c.remove("solveMicros");
            out.add(c);
        }
        return out;
    }

    static void write(Path f, List<JsonNode> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : lines) {
            sb.append(n.toString()).append('\n');
        }
        Files.writeString(f, sb.toString());
    }

    static ObjectNode summary(
            JobConfig config,
            ReplayOptions p,
            int requests,
            int skipped,
            long spanStart,
            long spanEnd,
            List<JsonNode> decisions,
            List<JsonNode> rejections,
            List<JsonNode> reports,
            int deadLetters,
            GoodputBound.Result bound,
            double wallSeconds,
            TraceImport.Report input) {
        double seconds = Math.max(1e-3, (spanEnd - spanStart) / 1000.0);
        int assigned = 0;
        int onTime = 0;
        long tokens = 0;
        Map<String, Double> busy = new TreeMap<>();
        double lastEnd = spanEnd;
        for (JsonNode d : decisions) {
            lastEnd = Math.max(lastEnd, d.get("computeEndMs").asDouble());
            busy.merge(
                    d.get("node").asText(),
                    d.get("computeEndMs").asDouble() - d.get("computeStartMs").asDouble(),
                    Double::sum);
            for (JsonNode r : d.get("requests")) {
                assigned++;
                tokens += r.get("maxOutputTokens").asLong();
                if (r.get("predictedFinishMs").asDouble() <= r.get("deadline").asDouble()) {
                    onTime++;
                }
            }
        }
        Map<String, Integer> rejected = new TreeMap<>();
        for (JsonNode r : rejections) {
            rejected.merge(r.get("reason").asText(), 1, Integer::sum);
        }
        int rejectedTotal = rejected.values().stream().mapToInt(Integer::intValue).sum();
        long[] solve =
                reports.stream()
                        .filter(r -> r.get("nodesOffered").asInt() > 0)
                        .mapToLong(r -> r.get("solveMicros").asLong())
                        .sorted()
                        .toArray();
        long proven = reports.stream().filter(r -> r.get("provenOptimal").asBoolean()).count();
        long fallbacks = reports.stream().filter(r -> r.path("fallback").asBoolean()).count();
        ObjectNode s = JSON.createObjectNode();
        s.put("scheduler", config.scheduler);
        s.put("policy", config.policy);
        s.put("maxCandidates", config.maxCandidates);
        s.put("largestWindow", config.domainSettings().largestWindow());
        s.put("slotMs", config.slotMs);
        s.put("slotStagger", config.slotStagger);
        s.put("speedup", p.speedup);
        s.put("seed", p.seed);
        s.put("requests", requests);
        s.put("skippedTraceLines", skipped);
        if (input != null) {
            s.set("input", inputNode(input));
        }
        s.put("assigned", assigned);
        ObjectNode rj = s.putObject("rejected");
        rejected.forEach(rj::put);
        s.put("rejectedTotal", rejectedTotal);
        s.put("undecided", requests - assigned - rejectedTotal);
        s.put("deadLetters", deadLetters);
        s.put("traceSeconds", seconds);
        s.put("goodputPerSecond", onTime / seconds);
        if (bound != null) {
            s.put("upperBoundGoodputPerSecond", bound.bound() / seconds);
            ObjectNode ub = s.putObject("upperBound");
            ub.put("requests", bound.requests());
            ub.put("servableAlone", bound.servableAlone());
            ub.put("capacityBound", bound.bound());
            ub.put("lossWindows", bound.lossWindows());
            ub.put("windowLengths", bound.windowLengths());
            ub.put("fixedPartWindows", bound.fixedPartWindows());
            ub.put("peakLoad", Math.round(bound.peakLoad() * 1000) / 1000.0);
            if (!bound.capacitySkipped().isEmpty()) {
                ArrayNode noCapacity = ub.putArray("capacitySkippedDomains");
                bound.capacitySkipped().forEach(noCapacity::add);
            }
            ub.put("seconds", seconds);
            ub.put("method", bound.method());
        }
        s.put("deadlineAttainment", requests == 0 ? 0 : (double) onTime / requests);
        s.put("tokensPerSecond", tokens / seconds);
        ObjectNode util = s.putObject("nodeUtilisation");
        double busySpan = Math.max(1e-3, (lastEnd - spanStart) / 1000.0);
        busy.forEach((k, v) -> util.put(k, v / 1000.0 / busySpan));
        s.put("slots", reports.size());
        s.put("provenOptimalShare", reports.isEmpty() ? 1.0 : (double) proven / reports.size());
        s.put("schedulerFallbacks", fallbacks);
        ObjectNode timing = s.putObject("timing");
        timing.put("solveMicrosP50", pct(solve, 50));
        timing.put("solveMicrosP99", pct(solve, 99));
        timing.put("wallSeconds", Math.round(wallSeconds * 100) / 100.0);
        if (bound != null) {
            timing.put("boundSeconds", Math.round(bound.computeSeconds() * 1000) / 1000.0);
            if (!Double.isNaN(bound.cpuSeconds())) {
                timing.put("boundCpuSeconds", Math.round(bound.cpuSeconds() * 1000) / 1000.0);
            }
        }
        return s;
    }

    /**
     * The summary's {@code input} section: what the import read from the request trace (rows kept,
     * bad rows with their first line numbers, failed requests skipped, rows out of order) and from
     * the radio traces (bad rows, gap filling).
     */
    static ObjectNode inputNode(TraceImport.Report r) {
        ObjectNode in = JSON.createObjectNode();
        RequestTraces.Stats q = r.requestStats();
        in.put("requestsFile", r.requests());
        in.put("requestsFormat", q.format());
        in.put("requestRows", q.requestRows());
        in.put("badRows", q.badRows());
        ArrayNode bl = in.putArray("badLines");
        q.badLines().forEach(bl::add);
        in.put("skippedFailures", q.skippedFailures());
        in.put("outOfOrderRows", q.outOfOrderRows());
        TraceImport.ChannelReport c = r.channels();
        ObjectNode ch = in.putObject("channels");
        ch.put("format", c.format());
        ch.put("traces", c.traces());
        ch.put("badRows", c.badRows());
        ArrayNode cbl = ch.putArray("badLines");
        c.badLines().forEach(cbl::add);
        ch.put("gapFill", c.gapFill());
        ch.put("gapMaxMs", c.gapMaxMs());
        ch.put("gapsFilled", c.gapsFilled());
        ch.put("secondsFilled", c.secondsFilled());
        ch.put("gapsLeft", c.gapsLeft());
        ch.put("eventsSynthesised", c.eventsSynthesised());
        ch.put("channelEvents", c.channelEvents());
        ArrayNode none = ch.putArray("tracesWithoutSamples");
        c.tracesWithoutSamples().forEach(none::add);
        return in;
    }

    public static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static void printTable(PrintStream out, ObjectNode s, Path outDir, String what) {
        out.println();
        out.printf(
                what + " with %s (slot %d ms, speedup %s, seed %d) -> %s%n",
                s.get("scheduler").asText(),
                s.get("slotMs").asLong(),
                s.get("speedup").asText(),
                s.get("seed").asLong(),
                outDir.toAbsolutePath());
        out.println("+--------------------------------+----------------+");
        row(out, "requests", s.get("requests").asText());
        row(out, "assigned", s.get("assigned").asText());
        s.get("rejected")
                .fields()
                .forEachRemaining(e -> row(out, "rejected " + e.getKey(), e.getValue().asText()));
        row(out, "undecided at the end", s.get("undecided").asText());
        row(out, "dead letters", s.get("deadLetters").asText());
        row(out, "trace seconds", String.format("%.1f", s.get("traceSeconds").asDouble()));
        row(out, "goodput (req/s)", String.format("%.3f", s.get("goodputPerSecond").asDouble()));
        row(
                out,
                "deadline attainment",
                String.format("%.1f%%", 100 * s.get("deadlineAttainment").asDouble()));
        if (s.has("upperBoundGoodputPerSecond")) {
            row(
                    out,
                    "upper bound (goodput/s)",
                    format(s.get("upperBoundGoodputPerSecond"), "%.3f", 1));
            row(out, "share of upper bound", shareOfBound(s));
        }
        row(out, "tokens/s", String.format("%.1f", s.get("tokensPerSecond").asDouble()));
        s.get("nodeUtilisation")
                .fields()
                .forEachRemaining(
                        e ->
                                row(
                                        out,
                                        "utilisation " + e.getKey(),
                                        String.format("%.1f%%", 100 * e.getValue().asDouble())));
        row(out, "slots", s.get("slots").asText());
        row(
                out,
                "slots proven optimal",
                String.format("%.1f%%", 100 * s.get("provenOptimalShare").asDouble()));
        row(
                out,
                "solve p50 / p99 (us)",
                s.get("timing").get("solveMicrosP50").asText()
                        + " / "
                        + s.get("timing").get("solveMicrosP99").asText());
        row(out, "wall seconds", s.get("timing").get("wallSeconds").asText());
        out.println("+--------------------------------+----------------+");
    }

    /** A number of the summary formatted after scaling, or "-" when it is missing. */
    static String format(JsonNode v, String pattern, double scale) {
        return v == null || v.isMissingNode() || v.isNull()
                ? "-"
                : String.format(pattern, scale * v.asDouble());
    }

    /** Goodput as a share of the upper bound, or "-" without a (positive) bound. */
    static String shareOfBound(JsonNode s) {
        JsonNode ub = s.path("upperBoundGoodputPerSecond");
        if (ub.isMissingNode() || !(ub.asDouble() > 0)) {
            return "-";
        }
        return String.format("%.1f%%", 100 * s.get("goodputPerSecond").asDouble() / ub.asDouble());
    }

    private static void row(PrintStream out, String k, String v) {
        out.printf("| %-30s | %14s |%n", k, v);
    }
}
