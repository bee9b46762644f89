package org.edgellm.job.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.events.ChannelState;
import org.edgellm.events.InferenceRequest;
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
 * replay [--requests FILE --requests-format azure|mooncake|burstgpt|csv] [--channels-dir DIR]
 *        [--channels-format irish|csv] [--channel-gap-fill none|hold|interpolate] [--events DIR]
 *        [--topology FILE] [--scheduler NAME] [--slot-ms N] [--speedup X] [--seed N] [--out DIR]
 *        [--users N] [--minutes X] [--channel-period-ms N] [--budget-nodes N] [any job flag]
 * </pre>
 *
 * <p>Importers ({@link TraceImport}, flags in {@link TraceInput}, docs/traces.md): the request
 * trace (Azure, Mooncake, BurstGPT or any CSV) gives the requests (arrival, prompt tokens, output
 * tokens as maximum output), each given to one of {@code --users} users (seeded) and a service
 * class drawn by the classes' shares (seeded), which fixes its latency budget and accuracy
 * tolerance; unreadable rows are counted and reported. Every user follows one radio trace of {@code
 * --channels-dir} (Irish 5G CSVs or any CSV with an SNR or throughput column, searched recursively;
 * users share traces round-robin, each starting at a seeded phase, looping when shorter), aligned
 * to the request clock by relative time. Gaps in a radio trace are filled up to {@code
 * --channel-gap-max-ms} (interpolated by default). Per node the user sees the trace's SNR minus a
 * seeded path-loss offset of 0-10 dB (uplink another 3 dB lower), mapped to spectral efficiency by
 * Shannon's formula capped at 7.4 bit/s/Hz; seconds still without a measurement produce no event,
 * so the last measurement ages. The imported events are written as Avro container files to {@code
 * OUT/events/} (replayable with {@code --events}). Without {@code --requests} the bundled sample
 * (the first 5 minutes of the conversation trace, four radio traces) is used. What the import read
 * (rows, bad rows and their line numbers, failures skipped, gaps filled) is printed on stderr and
 * written to the summary's {@code input} section.
 *
 * <p>Output in {@code --out}: {@code decisions.jsonl}, {@code rejections.jsonl}, {@code
 * slot-reports.jsonl}, {@code dead-letters.jsonl} and {@code summary.json}; the summary is printed
 * as a table. The same input, flags and seed give byte-identical files, except the {@code timing}
 * object of the summary (wall-clock solve times). OT runs with a node budget by default so that its
 * answers do not depend on the machine's speed.
 */
public final class ReplayRunner {

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
    static Setup setup(String[] args, boolean writeEvents, PrintStream err) throws IOException {
        return setup(ReplayOptions.parse(args), writeEvents, err);
    }

    /**
     * As {@link #setup(String[], boolean, PrintStream)} with parsed flags; what the import read
     * (bad rows, gap filling) is printed on err.
     */
    static Setup setup(ReplayOptions p, boolean writeEvents, PrintStream err) throws IOException {
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
        TraceImport.print(err, imp.report());
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
        return run(args, env, out, System.err);
    }

    /** Runs a replay; what the import read goes to err; returns the summary. */
    public static ObjectNode run(
            String[] args, StreamExecutionEnvironment env, PrintStream out, PrintStream err)
            throws Exception {
        Setup s = setup(args, true, err);
        JobConfig config = s.config();
        config.replay = true;
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
                        new JsonLinesSink<>(parts, "decisions", RunOutput::decisionJson),
                        new JsonLinesSink<>(parts, "rejections", RunOutput::rejectionJson),
                        new JsonLinesSink<>(parts, "slot-reports", RunOutput::reportJson),
                        new JsonLinesSink<>(parts, "dead-letters", RunOutput::deadLetterJson));
        if (config.parallelism > 0) {
            env.setParallelism(config.parallelism);
        }
        SchedulerPipeline.build(env, sources, sinks, config, s.topology());
        // the goodput bound, computed from the same events while the job runs
        CompletableFuture<GoodputBound.Result> bound =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return GoodputBound.computeOrNull(
                                        s.topology(), config.domainSettings(), Simulator.events(s));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
        long wall = System.nanoTime();
        env.execute("edge-llm-scheduler replay");
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        RunOutput.Outputs o =
                new RunOutput.Outputs(
                        read(parts, "decisions"),
                        read(parts, "rejections"),
                        read(parts, "slot-reports"),
                        read(parts, "dead-letters"));
        deleteTree(parts);
        ObjectNode summary =
                RunOutput.finish(s, s.outDir(), s.config(), o, bound.join(), wallSeconds);
        RunOutput.printTable(out, summary, s.outDir(), "Replay");
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
                        p.input.sources(),
                        p.minutes,
                        p.users,
                        p.channelPeriodMs,
                        p.seed,
                        p.speedup,
                        0),
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

    // ---- the parts the job's sinks wrote ---------------------------------------------------

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
                        all.add(RunOutput.JSON.readTree(line));
                    }
                }
            }
        }
        return all;
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
