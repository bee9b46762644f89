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
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.ChannelState;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.EventValidator;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.AvroEventFileFormat;
import org.edgellm.job.io.JsonLinesSink;

/**
 * {@code replay}: the job's topology over bounded file sources, from recorded traces.
 *
 * <pre>
 * replay [--requests-csv FILE] [--channels-dir DIR] [--events DIR] [--topology FILE]
 *        [--scheduler NAME] [--slot-ms N] [--speedup X] [--seed N] [--out DIR]
 *        [--users N] [--minutes X] [--channel-period-ms N] [--budget-nodes N] [any job flag]
 * </pre>
 *
 * <p>Importers: the Azure LLM inference trace CSV gives the requests (arrival, ContextTokens as
 * prompt, GeneratedTokens as maximum output), each given to one of {@code --users} users (seeded)
 * and a service class drawn by the classes' shares (seeded), which fixes its latency budget and
 * accuracy tolerance. Every user follows one radio trace of {@code --channels-dir} (searched
 * recursively; users share traces round-robin, each starting at a seeded phase, looping when
 * shorter), aligned to the request clock by relative time. Per node the user sees the trace's SNR
 * minus a seeded path-loss offset of 0-10 dB (uplink another 3 dB lower), mapped to spectral
 * efficiency by Shannon's formula capped at 7.4 bit/s/Hz; missing SNR samples produce no event, so
 * the last measurement ages. The imported events are written as Avro container files to {@code
 * OUT/events/} (replayable with {@code --events}). Without {@code --requests-csv} the bundled
 * sample (the first 5 minutes of the conversation trace, four radio traces) is used.
 *
 * <p>Output in {@code --out}: {@code decisions.jsonl}, {@code rejections.jsonl}, {@code
 * slot-reports.jsonl}, {@code dead-letters.jsonl} and {@code summary.json}; the summary is printed
 * as a table. The same input, flags and seed give byte-identical files, except the {@code timing}
 * object of the summary (wall-clock solve times). OT runs with a node budget by default so that its
 * answers do not depend on the machine's speed.
 */
public final class ReplayRunner {

    static final ObjectMapper JSON = new ObjectMapper();

    private ReplayRunner() {}

    /**
     * What a replay or a simulation reads: the parsed flags, the imported (or given) events and
     * where the output goes.
     */
    record Setup(
            ReplayOptions options,
            JobConfig config,
            Topology topology,
            Path outDir,
            Path events,
            TraceImport.Imported imported,
            int requestCount,
            long spanStart,
            long spanEnd,
            int skipped,
            double importSeconds) {}

    /**
     * Parses the flags and imports the traces (or reads the span of {@code --events}). With
     * writeEvents the imported events are written to {@code OUT/events/} as Avro container files.
     */
    static Setup setup(String[] args, boolean writeEvents) throws IOException {
        return setup(ReplayOptions.parse(args), writeEvents);
    }

    static Setup setup(ReplayOptions p, boolean writeEvents) throws IOException {
        long started = System.nanoTime();
        JobConfig config = p.job();
        Topology topology =
                config.topologyFile == null
                        ? Topology.defaults()
                        : Topology.load(Path.of(config.topologyFile));
        Path outDir = Path.of(p.out);
        Files.createDirectories(outDir);
        if (p.events != null) {
            Path dir = Path.of(p.events);
            long[] span = span(dir.resolve("requests.avro"));
            return new Setup(
                    p,
                    config,
                    topology,
                    outDir,
                    dir,
                    null,
                    (int) span[2],
                    span[0],
                    span[1],
                    0,
                    (System.nanoTime() - started) / 1e9);
        }
        TraceImport.Imported imp = importTraces(p, topology);
        Path events = outDir.resolve("events");
        if (writeEvents) {
            Files.createDirectories(events);
            writeAvro(
                    events.resolve("requests.avro"),
                    imp.requests(),
                    InferenceRequest.getClassSchema());
            writeAvro(
                    events.resolve("channels.avro"), imp.channels(), ChannelState.getClassSchema());
        }
        return new Setup(
                p,
                config,
                topology,
                outDir,
                events,
                imp,
                imp.requests().size(),
                imp.spanStart(),
                imp.spanEnd(),
                imp.skipped(),
                (System.nanoTime() - started) / 1e9);
    }

    /** Runs a replay; returns the summary. */
    public static ObjectNode run(String[] args, StreamExecutionEnvironment env, PrintStream out)
            throws Exception {
        Setup s = setup(args, true);
        JobConfig config = s.config();
        Path events = s.events();
        Path parts = s.outDir().resolve("parts");
        deleteTree(parts);
        EventValidator v = new EventValidator(s.topology(), config);
        SchedulerPipeline.Sources sources =
                new SchedulerPipeline.Sources(
                        file(events.resolve("requests.avro"), v, EventValidator.Stream.REQUESTS),
                        file(events.resolve("channels.avro"), v, EventValidator.Stream.CHANNELS),
                        Files.exists(events.resolve("telemetry.avro"))
                                ? file(
                                        events.resolve("telemetry.avro"),
                                        v,
                                        EventValidator.Stream.TELEMETRY)
                                : null);
        SchedulerPipeline.Sinks sinks =
                new SchedulerPipeline.Sinks(
                        new JsonLinesSink<>(parts, "decisions", ReplayRunner::decisionJson),
                        new JsonLinesSink<>(parts, "rejections", ReplayRunner::rejectionJson),
                        new JsonLinesSink<>(parts, "slot-reports", ReplayRunner::reportJson),
                        new JsonLinesSink<>(parts, "dead-letters", ReplayRunner::deadLetterJson));
        if (config.parallelism > 0) {
            env.setParallelism(config.parallelism);
        }
        SchedulerPipeline.build(env, sources, sinks, config, s.topology());
        long wall = System.nanoTime();
        env.execute("edge-llm-scheduler replay");
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        Outputs o =
                new Outputs(
                        read(parts, "decisions"),
                        read(parts, "rejections"),
                        read(parts, "slot-reports"),
                        read(parts, "dead-letters"));
        deleteTree(parts);
        ObjectNode summary = finish(s, s.outDir(), s.config(), o, wallSeconds);
        printTable(out, summary, s.outDir(), "Replay");
        return summary;
    }

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
    static ObjectNode finish(Setup s, Path outDir, JobConfig config, Outputs o, double wallSeconds)
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
                        wallSeconds);
        ((ObjectNode) summary.get("timing"))
                .put("importSeconds", Math.round(s.importSeconds() * 100) / 100.0);
        Files.writeString(
                outDir.resolve("summary.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n");
        return summary;
    }

    static FileSource<org.edgellm.job.InputEvent> file(
            Path f, EventValidator v, EventValidator.Stream s) {
        return FileSource.forRecordStreamFormat(
                        new AvroEventFileFormat(v, s),
                        new org.apache.flink.core.fs.Path(f.toAbsolutePath().toUri()))
                .build();
    }

    static TraceImport.Imported importTraces(ReplayOptions p, Topology topology)
            throws IOException {
        return TraceImport.load(
                new TraceImport.Options(
                        p.requestsCsv,
                        p.channelsDir,
                        p.minutes,
                        p.users,
                        p.channelPeriodMs,
                        p.seed,
                        p.speedup),
                topology);
    }

    static <T extends SpecificRecordBase> void writeAvro(
            Path f, List<T> records, org.apache.avro.Schema schema) throws IOException {
        try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(schema))) {
            w.create(schema, f.toFile());
            for (T r : records) {
                w.append(r);
            }
        }
    }

    /** First and last arrival and the count of a requests.avro file. */
    static long[] span(Path requests) throws IOException {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        long n = 0;
        try (var r =
                new org.apache.avro.file.DataFileReader<InferenceRequest>(
                        requests.toFile(),
                        new org.apache.avro.specific.SpecificDatumReader<>(
                                InferenceRequest.class))) {
            for (InferenceRequest q : r) {
                long t = q.getArrivalTime().toEpochMilli();
                lo = Math.min(lo, t);
                hi = Math.max(hi, t);
                n++;
            }
        }
        return new long[] {lo, hi, n};
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

    // ---- merging and the summary --------------------------------------------------------------

    static List<JsonNode> read(Path parts, String prefix) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        if (!Files.isDirectory(parts)) {
            return all;
        }
        try (Stream<Path> s = Files.list(parts)) {
            for (Path f :
                    s.filter(x -> x.getFileName().toString().startsWith(prefix + "-"))
                            .sorted()
                            .toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        all.add(JSON.readTree(line));
                    }
                }
            }
        }
        return all;
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
            double wallSeconds) {
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
        s.put("slotMs", config.slotMs);
        s.put("speedup", p.speedup);
        s.put("seed", p.seed);
        s.put("requests", requests);
        s.put("skippedTraceLines", skipped);
        s.put("assigned", assigned);
        ObjectNode rj = s.putObject("rejected");
        rejected.forEach(rj::put);
        s.put("rejectedTotal", rejectedTotal);
        s.put("undecided", requests - assigned - rejectedTotal);
        s.put("deadLetters", deadLetters);
        s.put("traceSeconds", seconds);
        s.put("goodputPerSecond", onTime / seconds);
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
        return s;
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

    private static void row(PrintStream out, String k, String v) {
        out.printf("| %-30s | %14s |%n", k, v);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
