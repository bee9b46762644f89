package org.edgellm.worker;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.edgellm.job.replay.TraceInput;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code worker.jar}: {@code worker --node-id N --domain-id D [--bootstrap-servers B]
 * [--decisions-topic T] [--completions-topic T] [--telemetry-topic T] [--dead-letter-topic T]
 * [--state-dir DIR] [--heartbeat-ms N] [--backend simulated|openai] [--slowdown X] [--jitter X]
 * [--seed N] [--fast-forward] [--metrics-port N [--metrics-host H]] [--kafka.NAME VALUE]...};
 * {@code feed} ({@link Feeder}), {@code report} ({@link Report}) and {@code audit} ({@link Audit}).
 * {@code --help} on any command lists its flags with their defaults; command-line mistakes print
 * one line and exit with status 2 ({@link Cli}).
 *
 * <p>{@code --kafka.NAME VALUE} (any Kafka client setting, over {@code --kafka-properties FILE}) is
 * taken out of the arguments before picocli parses the rest, since picocli has no prefix options.
 */
@Command(
        name = "worker.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "The edge GPU worker of one node, and the tools around the topics.")
public final class WorkerMain implements Callable<Integer> {

    /** The help's line for the pass-through flags, which picocli cannot declare. */
    static final String KAFKA_FLAG_HELP =
            "      --kafka.NAME VALUE    Any Kafka client setting, repeatable; over%n"
                    + "                              --kafka-properties (e.g. --kafka.acks all).";

    private final PrintStream err;

    private WorkerMain(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> kafka = new LinkedHashMap<>();
        String[] rest;
        try {
            rest = extractKafkaFlags(args, kafka);
        } catch (IllegalArgumentException e) {
            String cmd = args.length > 0 && COMMANDS.contains(args[0]) ? " " + args[0] : "";
            err.println("worker.jar" + cmd + ": " + e.getMessage());
            return Cli.USAGE;
        }
        return Cli.execute(commandLine(kafka, out, err), rest, out, err);
    }

    /**
     * Moves every {@code --kafka.NAME VALUE} (or {@code --kafka.NAME=VALUE}) before a {@code --}
     * into {@code kafka}; returns the other arguments.
     */
    static String[] extractKafkaFlags(String[] args, Map<String, String> kafka) {
        List<String> rest = new ArrayList<>();
        boolean options = true;
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            if (a.equals("--")) {
                options = false;
            }
            if (!options || !a.startsWith("--kafka.")) {
                rest.add(a);
                continue;
            }
            String name = a.substring("--kafka.".length());
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (k + 1 < args.length) {
                value = args[++k];
            } else {
                throw new IllegalArgumentException(
                        "Missing required parameter for option '" + a + "' (VALUE)");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        "Invalid option '" + a + "': --kafka.NAME needs a setting name");
            }
            kafka.put(name, value);
        }
        return rest.toArray(String[]::new);
    }

    /** The command tree; {@code kafka} holds the extracted {@code --kafka.*} settings. */
    static CommandLine commandLine(Map<String, String> kafka, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new WorkerMain(err));
        cl.addSubcommand(new WorkerCommand(kafka));
        cl.addSubcommand(new Feed(kafka, out, err));
        cl.addSubcommand(new ReportCommand(kafka));
        cl.addSubcommand(new AuditCommand(kafka));
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    /** Every command's flags (without {@code --}, {@code --kafka.*}, help and version). */
    public static Map<String, Set<String>> flagsByCommand() {
        Map<String, Set<String>> out = new TreeMap<>();
        commandLine(Map.of(), System.out, System.err)
                .getSubcommands()
                .forEach(
                        (name, c) -> {
                            if (c.getCommandSpec().userObject()
                                    instanceof CommandLine.HelpCommand) {
                                return;
                            }
                            Set<String> fs = new TreeSet<>();
                            for (OptionSpec o : c.getCommandSpec().options()) {
                                if (!o.usageHelp() && !o.versionHelp()) {
                                    fs.add(o.longestName().substring(2));
                                }
                            }
                            out.put(name, fs);
                        });
        return out;
    }

    /** The commands. */
    public static final Set<String> COMMANDS = Set.of("worker", "feed", "report", "audit");

    /** Every flag of the commands, besides {@code --kafka.*}. */
    public static final Set<String> FLAGS =
            Set.copyOf(
                    flagsByCommand().values().stream()
                            .flatMap(Set::stream)
                            .collect(java.util.stream.Collectors.toSet()));

    @Override
    public Integer call() {
        err.println(
                "worker.jar: a command is required: worker, feed, report or audit (see worker.jar"
                        + " --help)");
        return Cli.USAGE;
    }

    /** The connection flags of every command. */
    static final class Connection {
        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOSTS",
                description = "Kafka bootstrap servers.")
        String bootstrapServers = "localhost:9092";

        @Option(
                names = "--kafka-properties",
                paramLabel = "FILE",
                description =
                        "Kafka client settings from a properties file (TLS, SASL), under the"
                                + " --kafka.NAME flags.")
        String kafkaProperties;

        /** The settings of {@code --kafka-properties} under the {@code --kafka.*} flags. */
        Map<String, String> kafka(Map<String, String> flags) {
            return kafkaProperties == null ? flags : withFile(kafkaProperties, flags);
        }
    }

    /**
     * Where report and audit read the outcomes (completions and rejections), and how long they try:
     * the flags both commands share.
     */
    static final class Outcomes {
        @Option(
                names = "--completions-topic",
                paramLabel = "TOPIC",
                description = "Topic of the completions.")
        String completionsTopic = "completions";

        @Option(
                names = "--rejections-topic",
                paramLabel = "TOPIC",
                description = "Topic of the rejections.")
        String rejectionsTopic = "rejections";

        @Option(
                names = "--timeout-ms",
                paramLabel = "N",
                converter = Cli.PositiveLong.class,
                description = "Give up reading after N ms.")
        long timeoutMs = 120_000;
    }

    /**
     * The flags of a command that hands them on as a map (Feeder, Report, Audit): every option with
     * a value, switches only when given, under their names without {@code --}.
     */
    static Map<String, String> asMap(CommandSpec spec) {
        Map<String, String> f = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().substring(2);
            Object v = o.getValue();
            if (o.usageHelp() || o.versionHelp() || v == null || name.equals("kafka-properties")) {
                continue;
            }
            if (v instanceof Boolean b) {
                if (b) {
                    f.put(name, "true");
                }
            } else {
                f.put(name, v.toString());
            }
        }
        return f;
    }

    /**
     * The same command under bench.jar, which draws the PNG plots too: the arguments as given
     * (those after the command's name), the values of {@code --kafka.*} flags left out (they may
     * hold secrets).
     */
    static String benchCommand(CommandSpec spec, Map<String, String> kafka) {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        StringBuilder sb = new StringBuilder("java -jar bench/target/bench.jar " + spec.name());
        for (String a : all.subList(all.indexOf(spec.name()) + 1, all.size())) {
            sb.append(' ')
                    .append(
                            a.matches("[A-Za-z0-9_./:=,@%+-]+")
                                    ? a
                                    : "'" + a.replace("'", "'\\''") + "'");
        }
        if (!kafka.isEmpty()) {
            sb.append(" (with your --kafka.* flags)");
        }
        return sb.toString();
    }

    static final class BackendName implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (!v.equals("simulated") && !v.equals("openai")) {
                throw new TypeConversionException("'" + v + "' is not one of simulated, openai");
            }
            return v;
        }
    }

    static final class MetricsPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            int p = new Cli.NonNegativeInt().convert(v);
            if (p > 65535) {
                throw new TypeConversionException("'" + v + "' is not a port (0 to 65535)");
            }
            return p;
        }
    }

    static final class BackendNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("simulated", "openai").iterator();
        }
    }

    @Command(
            name = "worker",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Executes the batches the job decides for one edge node and reports back"
                        + " (completions, heartbeats with the node's capabilities)."
            },
            footer = KAFKA_FLAG_HELP)
    static final class WorkerCommand implements Callable<Integer> {
        private final Map<String, String> kafka;

        @Option(
                names = "--node-id",
                required = true,
                paramLabel = "ID",
                description = "This node's id in the topology (required).")
        String nodeId;

        @Option(
                names = "--domain-id",
                required = true,
                paramLabel = "ID",
                description = "The node's coordination domain (required).")
        String domainId;

        @Mixin Connection connection;

        @Option(
                names = "--decisions-topic",
                paramLabel = "TOPIC",
                description = "Topic of the batch decisions.")
        String decisionsTopic = "batch-decisions";

        @Option(
                names = "--completions-topic",
                paramLabel = "TOPIC",
                description = "Topic the completions are written to.")
        String completionsTopic = "completions";

        @Option(
                names = "--telemetry-topic",
                paramLabel = "TOPIC",
                description = "Topic of the heartbeats.")
        String telemetryTopic = "node-telemetry";

        @Option(
                names = "--dead-letter-topic",
                paramLabel = "TOPIC",
                description =
                        "Topic the records keyed by this node that are no decision for it go to"
                                + " (undecodable, or for another node), with their offset and"
                                + " the error; the job's dead-letter topic.")
        String deadLetterTopic = Worker.Settings.DEFAULT_DEAD_LETTER_TOPIC;

        @Option(
                names = "--state-dir",
                paramLabel = "DIR",
                description =
                        "Where the worker keeps what it has finished and the slowdown it measured"
                                + " (restart on it; default: worker-state).")
        Path stateDir = Path.of("worker-state");

        @Option(
                names = "--heartbeat-ms",
                paramLabel = "N",
                converter = Cli.PositiveLong.class,
                description = "Heartbeat period in ms.")
        long heartbeatMs = 500;

        @Option(
                names = "--topology",
                paramLabel = "FILE",
                description =
                        "Topology YAML the heartbeat's capabilities come from (default: the bundled"
                                + " one).")
        Path topology;

        @Option(
                names = "--backend",
                paramLabel = "NAME",
                converter = BackendName.class,
                completionCandidates = BackendNames.class,
                description = "Backend: ${COMPLETION-CANDIDATES}.")
        String backend = "simulated";

        @Option(
                names = "--slowdown",
                paramLabel = "X",
                converter = Cli.PositiveDouble.class,
                description = "simulated: factor on the model's predicted compute time.")
        double slowdown = 1.0;

        @Option(
                names = "--jitter",
                paramLabel = "X",
                converter = Cli.NonNegativeDouble.class,
                description = "simulated: relative random jitter of the compute time.")
        double jitter = 0.05;

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "simulated: seed of the jitter.")
        long seed = 1;

        @Option(
                names = "--fast-forward",
                description = "simulated: a virtual clock instead of sleeping (off by default).")
        boolean fastForward;

        @Option(
                names = "--endpoint",
                paramLabel = "URL",
                description = "openai: base URL of the OpenAI-compatible server.")
        String endpoint = "http://localhost:8000";

        @Option(names = "--model", paramLabel = "NAME", description = "openai: model name.")
        String model = "default";

        @Option(
                names = "--stream",
                arity = "1",
                paramLabel = "true|false",
                description = "openai: stream the tokens (default: ${DEFAULT-VALUE}).")
        boolean stream = true;

        @Option(
                names = "--timeout-ms",
                paramLabel = "N",
                converter = Cli.PositiveLong.class,
                description = "openai: timeout of one request in ms.")
        long timeoutMs = 120_000;

        @Option(
                names = "--metrics-port",
                paramLabel = "N",
                converter = MetricsPort.class,
                description =
                        "Serve Prometheus metrics on http://HOST:N/metrics (0: off; see"
                                + " docs/metrics.md).")
        int metricsPort = 0;

        @Option(
                names = "--metrics-host",
                paramLabel = "HOST",
                description = "Address the metrics endpoint binds to.")
        String metricsHost = "127.0.0.1";

        WorkerCommand(Map<String, String> kafka) {
            this.kafka = kafka;
        }

        @Override
        public Integer call() throws Exception {
            if (nodeId.isEmpty() || domainId.isEmpty()) {
                throw new IllegalArgumentException("--node-id and --domain-id must not be empty");
            }
            Backend b =
                    backend.equals("openai")
                            ? new OpenAiBackend(
                                    endpoint, model, stream, Duration.ofMillis(timeoutMs))
                            : new SimulatedBackend(
                                    slowdown,
                                    jitter,
                                    seed,
                                    fastForward
                                            ? new SimulatedBackend.VirtualClock(
                                                    System.currentTimeMillis())
                                            : SimulatedBackend.REAL);
            Worker.Settings s =
                    new Worker.Settings(
                            connection.bootstrapServers,
                            nodeId,
                            domainId,
                            decisionsTopic,
                            completionsTopic,
                            telemetryTopic,
                            stateDir,
                            heartbeatMs,
                            connection.kafka(kafka),
                            capabilities(topology, domainId, nodeId),
                            deadLetterTopic);
            try (WorkerMetrics m = new WorkerMetrics(nodeId);
                    Worker w = new Worker(s, b, m)) {
                if (metricsPort > 0) {
                    m.serve(metricsHost, metricsPort);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(w::stop));
                w.run();
            }
            return 0;
        }
    }

    @Command(
            name = "feed",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Feeds recorded traces into Kafka in real time (scaled by --speedup): a request"
                        + " trace (Azure, Mooncake, BurstGPT or any CSV) with radio traces (Irish 5G"
                        + " or any CSV), or the project's event files."
            },
            footer = KAFKA_FLAG_HELP)
    static final class Feed implements Callable<Integer> {
        private final Map<String, String> kafka;
        private final PrintStream out;
        private final PrintStream err;

        @Spec CommandSpec spec;

        @Mixin Connection connection;

        @Option(
                names = "--requests-topic",
                paramLabel = "TOPIC",
                description = "Topic of the requests.")
        String requestsTopic = "inference-requests";

        @Option(
                names = "--channels-topic",
                paramLabel = "TOPIC",
                description = "Topic of the channel states.")
        String channelsTopic = "channel-state";

        @Mixin TraceInput input = new TraceInput();

        @Option(
                names = "--events",
                paramLabel = "DIR",
                description =
                        "Feed the project's Avro event files (replay's OUT/events) instead of the"
                                + " traces.")
        String events;

        @Option(
                names = "--topology",
                paramLabel = "FILE",
                description = "Topology YAML (default: the bundled one).")
        String topology;

        @Option(
                names = "--minutes",
                paramLabel = "X",
                converter = Cli.NonNegativeDouble.class,
                description = "Minutes of the trace (0: all of it).")
        double minutes = 0;

        @Option(
                names = "--speedup",
                paramLabel = "X",
                converter = Cli.PositiveDouble.class,
                description = "Time compression of the trace.")
        double speedup = 1;

        @Option(
                names = "--users",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Users the requests are dealt to.")
        int users = 24;

        @Option(
                names = "--channel-period-ms",
                paramLabel = "N",
                converter = Cli.PositiveLong.class,
                description = "Period of the channel states per user and node, in ms.")
        long channelPeriodMs = 1000;

        @Option(
                names = "--domains",
                paramLabel = "N",
                converter = Cli.NonNegativeInt.class,
                description = "Use the topology's first N domains (0: all).")
        int domains = 0;

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "Seed of the import.")
        long seed = 1;

        Feed(Map<String, String> kafka, PrintStream out, PrintStream err) {
            this.kafka = kafka;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            Feeder.Sent sent = Feeder.run(asMap(spec), connection.kafka(kafka), err);
            out.println(
                    "sent "
                            + sent.requests()
                            + " requests and "
                            + sent.channels()
                            + " channel states");
            return 0;
        }
    }

    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Reads the completions and rejections topics to their end and prints deadline"
                        + " attainment, goodput and the prediction error; writes them as JSON."
            },
            footer = KAFKA_FLAG_HELP)
    static final class ReportCommand implements Callable<Integer> {
        private final Map<String, String> kafka;

        @Spec CommandSpec spec;

        @Mixin Connection connection;

        @Mixin Outcomes outcomes;

        @Option(names = "--out", paramLabel = "FILE", description = "The JSON report.")
        String out = "report.json";

        @Option(
                names = "--plots",
                paramLabel = "DIR",
                description =
                        "Also write the run's series over time to DIR as CSV files (attainment,"
                                + " goodput, utilisation, rejections, latency-cdf); the PNG plots"
                                + " need bench.jar (java -jar bench/target/bench.jar report ...)."
                                + " Default: none.")
        String plots;

        ReportCommand(Map<String, String> kafka) {
            this.kafka = kafka;
        }

        @Override
        public Integer call() throws Exception {
            Report.run(asMap(spec), connection.kafka(kafka), benchCommand(spec, kafka));
            return 0;
        }
    }

    @Command(
            name = "audit",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Reads the topics to their end and checks that no decision, request or completion"
                        + " is there twice (and with --expect-all that every request was decided or"
                        + " rejected and every decided one completed or reported UNFINISHED);"
                        + " prints the result as JSON.",
                "Exit status 0 when everything holds, 1 otherwise."
            },
            footer = KAFKA_FLAG_HELP)
    static final class AuditCommand implements Callable<Integer> {
        private final Map<String, String> kafka;

        @Spec CommandSpec spec;

        @Mixin Connection connection;

        @Option(
                names = "--requests-topic",
                paramLabel = "TOPIC",
                description = "Topic of the requests.")
        String requestsTopic = "inference-requests";

        @Option(
                names = "--decisions-topic",
                paramLabel = "TOPIC",
                description = "Topic of the batch decisions.")
        String decisionsTopic = "batch-decisions";

        @Mixin Outcomes outcomes;

        @Option(
                names = "--expect-all",
                description =
                        "Also require every request decided or rejected, and every decided"
                                + " request completed or reported UNFINISHED (off by default).")
        boolean expectAll;

        @Option(
                names = "--at-least-once",
                description =
                        "The job ran at-least-once: a decision id repeated identically is not a"
                                + " duplicate (off by default).")
        boolean atLeastOnce;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "Also write the JSON result to FILE (default: printed only).")
        String out;

        AuditCommand(Map<String, String> kafka) {
            this.kafka = kafka;
        }

        @Override
        public Integer call() throws Exception {
            Audit.Result r = Audit.run(asMap(spec), connection.kafka(kafka));
            boolean ok =
                    r.noDuplicates()
                            && (!expectAll || (r.undecided().isEmpty() && r.lost().isEmpty()));
            return ok ? 0 : 1;
        }
    }

    /** The node's capabilities from the topology (the bundled default when null), if listed. */
    static org.edgellm.events.NodeCapabilities capabilities(
            Path topology, String domain, String node) throws java.io.IOException {
        org.edgellm.job.Topology t =
                topology != null
                        ? org.edgellm.job.Topology.load(topology)
                        : org.edgellm.job.Topology.defaults();
        org.edgellm.job.NodeSpec n = t.node(domain, node);
        if (n == null) {
            return null;
        }
        java.util.List<org.edgellm.events.VariantInfo> vs = new java.util.ArrayList<>();
        for (org.edgellm.job.NodeSpec.VariantSpec v : n.variants) {
            vs.add(
                    new org.edgellm.events.VariantInfo(
                            v.name, v.weightBits, v.activationBits, v.kvBits, v.pplIncrease));
        }
        return org.edgellm.events.NodeCapabilities.newBuilder()
                .setMemoryBytes(n.memoryBytes)
                .setReserveBytes(n.reserveBytes)
                .setMemoryBandwidth(n.memoryBandwidth)
                .setPeakFlops16(n.peakFlops16)
                .setPeakFlops8(n.peakFlops8)
                .setPeakFlops4(n.peakFlops4)
                .setEfficiency(n.efficiency)
                .setUplinkHz(n.uplinkHz)
                .setDownlinkHz(n.downlinkHz)
                .setVariants(vs)
                .build();
    }

    /**
     * The settings of {@code --kafka-properties} under the {@code --kafka.*} flags; an unreadable
     * file is an IllegalArgumentException naming it.
     */
    static Map<String, String> withFile(String file, Map<String, String> flags) {
        Map<String, String> out =
                new LinkedHashMap<>(org.edgellm.job.JobConfig.kafkaPropertiesFile(file));
        out.putAll(flags);
        return out;
    }
}
