package org.edgellm.job.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.job.AvroOutputs;
import org.edgellm.job.EventValidator;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.domain.Decision;
import org.edgellm.job.domain.DomainScheduler;
import org.edgellm.job.domain.EventTimeDriver;
import org.edgellm.job.domain.Rejected;
import org.edgellm.job.domain.SlotOutcome;

/**
 * {@code simulate}: the job's domain scheduler over recorded traces in one process, without Flink.
 * It takes the flags of {@code replay} and writes the same files; given the same input, flags and
 * seed, {@code decisions.jsonl} and {@code rejections.jsonl} are byte-identical to the replay's
 * (the events go through the same decoding and validation, and {@link EventTimeDriver} closes slots
 * with the job's event-time semantics). {@code --scheduler a,b,c} runs each scheduler over the same
 * imported events (in parallel, one thread each), writes each to {@code OUT/<name>/} and prints
 * them side by side.
 */
public final class Simulator {

    private Simulator() {}

    /** Runs the simulation; returns the summary of each scheduler, by name. */
    public static Map<String, ObjectNode> run(String[] args, PrintStream out) throws Exception {
        return run(args, out, System.err);
    }

    /**
     * Runs the simulation; what the import read goes to err; returns the summary of each scheduler,
     * by name.
     */
    public static Map<String, ObjectNode> run(String[] args, PrintStream out, PrintStream err)
            throws Exception {
        String[] names = ReplayOptions.schedulers(args);
        ReplayRunner.Setup setup =
                ReplayRunner.setup(ReplayOptions.parse(args, names[0]), false, err);
        List<InputEvent> events = events(setup);
        // the bound depends on the trace and the flags, not on the scheduler: computed once, on
        // another thread while the schedulers run
        CompletableFuture<GoodputBound.Result> future =
                CompletableFuture.supplyAsync(
                        () ->
                                GoodputBound.computeOrNull(
                                        setup.topology(), setup.config().domainSettings(), events));
        Supplier<GoodputBound.Result> bound = future::join;
        Map<String, ObjectNode> summaries = new LinkedHashMap<>();
        if (names.length == 1) {
            summaries.put(names[0], simulate(setup, setup.config(), events, bound, setup.outDir()));
            RunOutput.printTable(out, summaries.get(names[0]), setup.outDir(), "Simulation");
            return summaries;
        }
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        Math.min(names.length, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<ObjectNode>> runs = new ArrayList<>();
            for (String name : names) {
                JobConfig config = ReplayOptions.parse(args, name).job();
                Path dir = setup.outDir().resolve(name);
                runs.add(pool.submit(() -> simulate(setup, config, events, bound, dir)));
            }
            for (int i = 0; i < names.length; i++) {
                summaries.put(names[i], runs.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
        printSideBySide(out, summaries, setup.outDir());
        return summaries;
    }

    /**
     * Every input as the job would see it: validated by the job's validator (files of {@code
     * --events} also decoded as the job decodes them), requests, channels and telemetry merged by
     * event time.
     */
    static List<InputEvent> events(ReplayRunner.Setup s) throws IOException {
        EventValidator v = new EventValidator(s.topology(), s.config());
        List<InputEvent> events = new ArrayList<>();
        if (s.imported() != null) {
            // validated as decoded, without the encoding round trip (lossless for these records);
            // a dead letter still carries the encoded bytes, as the job's would
            for (InferenceRequest r : s.imported().requests()) {
                events.add(v.validate(r));
            }
            long i = 0;
            for (ChannelState c : s.imported().channels()) {
                InputEvent e = v.validate(c, null, "file:CHANNELS", 0, i);
                if (e.kind == InputEvent.INVALID) {
                    e = v.validate(c, EventCodec.encode(c), "file:CHANNELS", 0, i);
                }
                events.add(e);
                i++;
            }
        } else {
            read(
                    s.events().resolve("requests.avro"),
                    InferenceRequest.class,
                    v,
                    events,
                    EventValidator.Stream.REQUESTS);
            read(
                    s.events().resolve("channels.avro"),
                    ChannelState.class,
                    v,
                    events,
                    EventValidator.Stream.CHANNELS);
            Path telemetry = s.events().resolve("telemetry.avro");
            if (Files.exists(telemetry)) {
                read(telemetry, NodeTelemetry.class, v, events, EventValidator.Stream.TELEMETRY);
            }
        }
        // a stable sort: the job's sources are each in file order, and nothing is late
        events.sort((a, b) -> Long.compare(a.time, b.time));
        return events;
    }

    private static <T extends SpecificRecordBase> void read(
            Path f,
            Class<T> type,
            EventValidator v,
            List<InputEvent> into,
            EventValidator.Stream stream)
            throws IOException {
        long i = 0;
        try (DataFileReader<T> r =
                new DataFileReader<>(f.toFile(), new SpecificDatumReader<>(type))) {
            for (T rec : r) {
                into.add(v.decode(stream, EventCodec.encode(rec), "file:" + stream, 0, i++, 0));
            }
        }
    }

    /**
     * One scheduler over the events; writes its files to dir and returns its summary (with the
     * goodput bound, asked for once the simulation is done, when the supplier gives one).
     */
    static ObjectNode simulate(
            ReplayRunner.Setup s,
            JobConfig config,
            List<InputEvent> events,
            Supplier<GoodputBound.Result> bound,
            Path dir)
            throws IOException {
        long wall = System.nanoTime();
        List<JsonNode> decisions = new ArrayList<>();
        List<JsonNode> rejections = new ArrayList<>();
        List<JsonNode> reports = new ArrayList<>();
        List<JsonNode> dead = new ArrayList<>();
        // replays run no live clock: the domain never reads it
        DomainScheduler scheduler =
                new DomainScheduler(
                        s.topology(),
                        config.domainSettings(),
                        () -> {
                            throw new IllegalStateException("a replay read the wall clock");
                        });
        EventTimeDriver driver =
                new EventTimeDriver(
                        scheduler,
                        (SlotOutcome o) -> {
                            for (Decision d : o.decisions()) {
                                decisions.add((RunOutput.decisionNode(AvroOutputs.decision(d))));
                            }
                            for (Rejected r : o.rejections()) {
                                rejections.add((RunOutput.rejectionNode(AvroOutputs.rejection(r))));
                            }
                            if (o.report() != null) {
                                reports.add((RunOutput.reportNode(AvroOutputs.report(o.report()))));
                            }
                        });
        for (InputEvent e : events) {
            if (e.kind == InputEvent.INVALID) {
                dead.add((RunOutput.deadLetterNode(SchedulerPipeline.deadLetter(e))));
            } else if (e.kind == InputEvent.INVALID_REQUEST) {
                rejections.add((RunOutput.rejectionNode(SchedulerPipeline.invalidRequest(e))));
            } else {
                driver.accept(e);
            }
        }
        driver.finish();
        double wallSeconds = (System.nanoTime() - wall) / 1e9;
        return RunOutput.finish(
                s,
                dir,
                config,
                new RunOutput.Outputs(decisions, rejections, reports, dead),
                bound.get(),
                wallSeconds);
    }

    static void printSideBySide(PrintStream out, Map<String, ObjectNode> s, Path outDir) {
        out.println();
        out.println("Simulation of " + s.size() + " schedulers -> " + outDir.toAbsolutePath());
        StringBuilder head = new StringBuilder(String.format("%-24s", ""));
        for (String name : s.keySet()) {
            head.append(String.format(" %14s", name));
        }
        out.println(head);
        row(out, s, "requests", n -> n.get("requests").asText());
        row(out, s, "assigned", n -> n.get("assigned").asText());
        row(out, s, "rejected", n -> n.get("rejectedTotal").asText());
        row(out, s, "undecided", n -> n.get("undecided").asText());
        row(
                out,
                s,
                "goodput (req/s)",
                n -> String.format("%.3f", n.get("goodputPerSecond").asDouble()));
        row(
                out,
                s,
                "deadline attainment",
                n -> String.format("%.1f%%", 100 * n.get("deadlineAttainment").asDouble()));
        row(
                out,
                s,
                "upper bound (goodput/s)",
                n -> RunOutput.format(n.path("upperBoundGoodputPerSecond"), "%.3f", 1));
        row(out, s, "share of upper bound", n -> RunOutput.shareOfBound(n));
        row(out, s, "tokens/s", n -> String.format("%.1f", n.get("tokensPerSecond").asDouble()));
        row(out, s, "wall seconds", n -> n.get("timing").get("wallSeconds").asText());
    }

    private static void row(
            PrintStream out,
            Map<String, ObjectNode> s,
            String label,
            java.util.function.Function<ObjectNode, String> f) {
        StringBuilder b = new StringBuilder(String.format("%-24s", label));
        for (ObjectNode n : s.values()) {
            b.append(String.format(" %14s", f.apply(n)));
        }
        out.println(b);
    }
}
