package org.edgellm.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Every setting of the job, from command-line flags ({@code --name value}), parsed with picocli: an
 * instance is the options of the job's commands (a picocli mixin), and {@code --help} of those
 * commands lists every flag with its meaning and default. Kafka client settings pass through as
 * {@code --kafka.NAME VALUE}. Mistakes raise {@link IllegalArgumentException} with one line naming
 * the flag and the value.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Every flag of the job, besides {@code --kafka.*} (deployment files are checked against it,
     * and a test checks it against the options below).
     */
    public static final java.util.Set<String> FLAGS =
            java.util.Set.of(
                    "bootstrap-servers",
                    "requests-topic",
                    "channels-topic",
                    "telemetry-topic",
                    "decisions-topic",
                    "rejections-topic",
                    "reports-topic",
                    "dead-letter-topic",
                    "group-id",
                    "starting-offsets",
                    "delivery",
                    "transactional-id-prefix",
                    "transaction-timeout-ms",
                    "checkpoint-ms",
                    "commit-delay-ms",
                    "topology",
                    "scheduler",
                    "budget-micros",
                    "budget-nodes",
                    "slot-ms",
                    "slot-stagger",
                    "out-of-orderness-ms",
                    "idleness-ms",
                    "max-source-drift-ms",
                    "watermark-interval-ms",
                    "buffer-timeout-ms",
                    "max-channel-age-ms",
                    "heartbeat-timeout-ms",
                    "lookahead-ms",
                    "max-pending",
                    "max-candidates",
                    "candidate-share",
                    "candidate-cap",
                    "admission-every-ms",
                    "policy",
                    "urgency-tie-break",
                    "fastest-variant",
                    "max-message-bytes",
                    "max-prompt-tokens",
                    "max-output-tokens",
                    "kafka-properties",
                    "max-clock-skew-ms",
                    "offer-unheard-nodes",
                    "metrics-domains",
                    "parallelism");

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (live mode). Default: ${DEFAULT-VALUE}")
    public String bootstrapServers = "localhost:9092";

    @Option(
            names = "--requests-topic",
            defaultValue = "inference-requests",
            description = "input topic of inference requests. Default: ${DEFAULT-VALUE}")
    public String requestsTopic = "inference-requests";

    @Option(
            names = "--channels-topic",
            defaultValue = "channel-state",
            description = "input topic of channel states. Default: ${DEFAULT-VALUE}")
    public String channelsTopic = "channel-state";

    @Option(
            names = "--telemetry-topic",
            defaultValue = "node-telemetry",
            description = "input topic of node heartbeats. Default: ${DEFAULT-VALUE}")
    public String telemetryTopic = "node-telemetry";

    @Option(
            names = "--decisions-topic",
            defaultValue = "batch-decisions",
            description = "output topic of batch decisions. Default: ${DEFAULT-VALUE}")
    public String decisionsTopic = "batch-decisions";

    @Option(
            names = "--rejections-topic",
            defaultValue = "rejections",
            description = "output topic of rejections. Default: ${DEFAULT-VALUE}")
    public String rejectionsTopic = "rejections";

    @Option(
            names = "--reports-topic",
            defaultValue = "slot-reports",
            description = "output topic of slot reports. Default: ${DEFAULT-VALUE}")
    public String reportsTopic = "slot-reports";

    @Option(
            names = "--dead-letter-topic",
            defaultValue = "dead-letters",
            description = "output topic of undecodable or invalid input. Default: ${DEFAULT-VALUE}")
    public String deadLetterTopic = "dead-letters";

    @Option(
            names = "--group-id",
            defaultValue = "edge-llm-scheduler",
            description = "consumer group of the sources. Default: ${DEFAULT-VALUE}")
    public String groupId = "edge-llm-scheduler";

    @Option(
            names = "--starting-offsets",
            defaultValue = "committed",
            description =
                    "earliest | latest | committed (earliest when none is committed). Default:"
                            + " ${DEFAULT-VALUE}")
    public String startingOffsets = "committed";

    @Option(
            names = "--delivery",
            defaultValue = "exactly-once",
            description = "exactly-once | at-least-once. Default: ${DEFAULT-VALUE}")
    String delivery = "exactly-once";

    public boolean exactlyOnce = true;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "edge-llm-scheduler",
            description = "prefix of the sink's transactional ids. Default: ${DEFAULT-VALUE}")
    public String transactionalIdPrefix = "edge-llm-scheduler";

    @Option(
            names = "--transaction-timeout-ms",
            defaultValue = "600000",
            converter = AtLeast1000.class,
            description =
                    "sink transaction timeout; keep it below the broker's"
                            + " transaction.max.timeout.ms (at least 1000). Default:"
                            + " ${DEFAULT-VALUE}")
    public long transactionTimeoutMs = 600_000;

    @Option(
            names = "--checkpoint-ms",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "checkpoint interval (0: off; exactly-once needs checkpoints; -1: 1000 in"
                            + " exactly-once, where decisions become visible at each checkpoint,"
                            + " and 10000 in at-least-once, where it only bounds what a restart"
                            + " replays). Default: ${DEFAULT-VALUE}")
    public long checkpointMs = -1;

    @Option(
            names = "--commit-delay-ms",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "added to the planner's t0: when decisions become visible (-1: checkpoint-ms"
                            + " in exactly-once, idleness-ms in live at-least-once, 0 in"
                            + " replay). Default: ${DEFAULT-VALUE}")
    public long commitDelayMs = -1;

    @Option(
            names = "--topology",
            description = "topology YAML (default: the bundled three-GPU domain)")
    public String topologyFile;

    @Option(
            names = "--scheduler",
            defaultValue = "ot-gah",
            description =
                    "the slot algorithm, any of solve's (${COMPLETION-CANDIDATES}). Default: ${DEFAULT-VALUE}",
            completionCandidates = Schedulers.class)
    public String scheduler = "ot-gah";

    @Option(
            names = "--budget-micros",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "time budget of each solve (GAH shares it among its OT calls; load-price solves"
                            + " up to seven times per slot, each with this budget) (0: none;"
                            + " -1: 1000 in exactly-once, none in at-least-once, whose replays"
                            + " must decide the same whatever the machine's speed). Default:"
                            + " ${DEFAULT-VALUE}")
    public long budgetMicros = -1;

    @Option(
            names = "--budget-nodes",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "node budget of every OT call (0: none; deterministic; -1: none in"
                            + " exactly-once, 20000 in at-least-once). Default: ${DEFAULT-VALUE}")
    public long budgetNodes = -1;

    @Option(
            names = "--offer-unheard-nodes",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            description =
                    "offer work to topology nodes never heard from (deployments without"
                            + " heartbeats, and replays of traces without telemetry); off, a node"
                            + " gets work only after a heartbeat of its worker. Default:"
                            + " ${DEFAULT-VALUE}")
    public boolean offerUnheardNodes;

    @Option(
            names = "--slot-ms",
            defaultValue = "100",
            converter = Cli.PositiveLong.class,
            description = "scheduling slot length. Default: ${DEFAULT-VALUE}")
    public long slotMs = 100;

    @Option(
            names = "--out-of-orderness-ms",
            defaultValue = "200",
            converter = Cli.NonNegativeLong.class,
            description = "watermark delay; also added to t0. Default: ${DEFAULT-VALUE}")
    public long outOfOrdernessMs = 200;

    @Option(
            names = "--idleness-ms",
            defaultValue = "1000",
            converter = Cli.NonNegativeLong.class,
            description =
                    "a source partition idle this long stops holding watermarks (0: never)."
                            + " Default: ${DEFAULT-VALUE}")
    public long idlenessMs = 1000;

    @Option(
            names = "--max-source-drift-ms",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "watermark alignment of the input topics' sources: a source whose event time"
                            + " runs further ahead of the slowest one than this pauses until that"
                            + " one catches up, so that the coordinators do not hold the faster"
                            + " topic's events in their state while they wait for the slower"
                            + " one's watermark (0: off; -1: 1000). Replays, which read files"
                            + " whose splits cannot pause, are never aligned. Default:"
                            + " ${DEFAULT-VALUE}")
    public long maxSourceDriftMs = -1;

    @Option(
            names = "--max-clock-skew-ms",
            defaultValue = "3600000",
            converter = Cli.PositiveLong.class,
            description =
                    "an event whose time lies further than this from its Kafka record's"
                            + " timestamp is refused (dead letter). Default: ${DEFAULT-VALUE}")
    public long maxClockSkewMs = 3_600_000;

    @Option(
            names = "--watermark-interval-ms",
            defaultValue = "20",
            converter = Cli.PositiveLong.class,
            description =
                    "how often sources emit watermarks: bounds how late a slot closes. Default:"
                            + " ${DEFAULT-VALUE}")
    public long watermarkIntervalMs = 20;

    @Option(
            names = "--buffer-timeout-ms",
            defaultValue = "10",
            converter = Cli.NonNegativeLong.class,
            description =
                    "network buffer flush interval: slot latency versus throughput. Default:"
                            + " ${DEFAULT-VALUE}")
    public long bufferTimeoutMs = 10;

    @Option(
            names = "--max-channel-age-ms",
            defaultValue = "5000",
            converter = Cli.PositiveLong.class,
            description = "older channel state is not used. Default: ${DEFAULT-VALUE}")
    public long maxChannelAgeMs = 5000;

    @Option(
            names = "--heartbeat-timeout-ms",
            defaultValue = "3000",
            converter = Cli.PositiveLong.class,
            description =
                    "a node heard of before and silent this long gets nothing. Default:"
                            + " ${DEFAULT-VALUE}")
    public long heartbeatTimeoutMs = 3000;

    @Option(
            names = "--lookahead-ms",
            defaultValue = "-1",
            converter = AtLeastMinusOne.class,
            description =
                    "a node is offered only while its busy-until is within this of the slot end"
                            + " (-1: slot-ms plus the commit delay: a batch starts no earlier than"
                            + " t0, the slot end plus the out-of-orderness and the commit delay, so"
                            + " a node that frees before then is as good as idle). Default:"
                            + " ${DEFAULT-VALUE}")
    public long lookaheadMs = -1;

    @Option(
            names = "--admission-every-ms",
            defaultValue = "1000",
            converter = Cli.NonNegativeLong.class,
            description =
                    "how often, in event time, the pending requests near their deadline are"
                            + " judged (all of them ten times less often); slots longer than this"
                            + " judge every slot; 0: every slot. Default: ${DEFAULT-VALUE}")
    public long admissionEveryMs = 1000;

    @Option(
            names = "--max-pending",
            defaultValue = "2048",
            converter = Cli.PositiveInt.class,
            description =
                    "pending requests per domain; beyond, SHED (latest deadline first). Default:"
                            + " ${DEFAULT-VALUE}")
    public int maxPending = 2048;

    @Option(
            names = "--max-candidates",
            defaultValue = "64",
            converter = Cli.PositiveInt.class,
            description =
                    "requests offered to one slot's solver (earliest deadlines; the paper's"
                            + " setting is 32). Default: ${DEFAULT-VALUE}")
    public int maxCandidates = 64;

    @Option(
            names = "--candidate-share",
            defaultValue = "0.25",
            converter = Cli.NonNegativeDouble.class,
            description =
                    "under the rate policies (every --policy but per-slot): when a domain holds"
                            + " more pending requests than --max-candidates divided by this share,"
                            + " the slot offers its solver this share of them instead (the earliest"
                            + " deadlines, at most --candidate-cap): an overloaded domain's earliest"
                            + " deadlines are mostly requests about to expire, and the wider window"
                            + " reaches cheaper ones behind them. 0: a fixed window. Between 0 and 1;"
                            + " see docs/policies.md. Default: ${DEFAULT-VALUE}")
    public double candidateShare = 0.25;

    @Option(
            names = "--candidate-cap",
            defaultValue = "512",
            converter = Cli.PositiveInt.class,
            description =
                    "the largest window --candidate-share grows to (never below"
                            + " --max-candidates; brute-force and exact stay within their own"
                            + " limits). Default: ${DEFAULT-VALUE}")
    public int candidateCap = 512;

    @Option(
            names = "--policy",
            defaultValue = "load-price",
            description =
                    "how a slot's batches are chosen: per-slot (the paper's: the most requests in"
                            + " this slot), throughput-rate (also solves for the candidates"
                            + " with the shortest outputs, at three cut-offs, and keeps the"
                            + " schedule with the most requests per second of GPU time: less"
                            + " padding), padding-rate (throughput-rate plus three cut-offs by"
                            + " prompt length) or load-price (padding-rate's schedules, chosen by"
                            + " the requests served minus those whose deadlines they make"
                            + " unreachable, less a price of node time rising with the load);"
                            + " see docs/policies.md. Default: ${DEFAULT-VALUE}")
    public String policy = "load-price";

    @Option(
            names = "--urgency-tie-break",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            description =
                    "under load-price with the requests objective, while a domain holds at most 32"
                            + " pending requests whose times to their deadlines differ (the"
                            + " longest at least 1.25 times the shortest, times under 5 s counted as"
                            + " 5 s): among batches that serve as many requests, the solver prefers those whose"
                            + " requests are closer to their deadlines (each request's weight times"
                            + " 1 + 0.01 min(1, 5 s / time to its deadline)); it never serves fewer"
                            + " requests for it. About +0.5 to 0.6%% goodput on the Azure hour at 1x,"
                            + " for about a third more search nodes in the slots where it acts; false"
                            + " keeps the weights as they are. See docs/policies.md. Default:"
                            + " ${DEFAULT-VALUE}")
    public boolean urgencyTieBreak = true;

    @Option(
            names = "--fastest-variant",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "true",
            description =
                    "under load-price: each batch of the slot's chosen schedule runs on the"
                            + " resident variant of its node where it ends first, among those on"
                            + " which it stays feasible (every member's perplexity tolerance"
                            + " included); the same requests are served and the node frees sooner."
                            + " false keeps the variant the solver found. See docs/policies.md."
                            + " Default: ${DEFAULT-VALUE}")
    public boolean fastestVariant = true;

    @Option(
            names = "--slot-stagger",
            defaultValue = "aligned",
            description =
                    "where each domain's slots end: aligned (every domain at multiples of"
                            + " --slot-ms) or spread (each domain at its own phase, a hash of its"
                            + " id: a task's domains then close one after another instead of all"
                            + " at the same watermark, as Flink's window stagger; less waiting"
                            + " behind other domains' solves, but decisions leave in more, smaller"
                            + " Kafka batches); see docs/job.md. Default: ${DEFAULT-VALUE}")
    public String slotStagger = "aligned";

    @Option(
            names = "--metrics-domains",
            defaultValue = "16",
            converter = Cli.NonNegativeInt.class,
            description =
                    "per-domain metric series (domain_pending, domain_certifiedRatio) for at most"
                            + " this many domains per coordinator subtask, the first it sees; the"
                            + " others only in its totals (0: none). Default: ${DEFAULT-VALUE}")
    public int metricsDomains = 16;

    @Option(
            names = "--max-message-bytes",
            defaultValue = "1048576",
            converter = AtLeast64.class,
            description =
                    "larger input records go to the dead letters undecoded (at least 64)."
                            + " Default: ${DEFAULT-VALUE}")
    public int maxMessageBytes = 1 << 20;

    @Option(
            names = "--max-prompt-tokens",
            defaultValue = "262144",
            converter = Cli.PositiveInt.class,
            description = "larger prompts are INVALID. Default: ${DEFAULT-VALUE}")
    public int maxPromptTokens = 262_144;

    @Option(
            names = "--max-output-tokens",
            defaultValue = "32768",
            converter = Cli.PositiveInt.class,
            description = "larger outputs are INVALID. Default: ${DEFAULT-VALUE}")
    public int maxOutputTokens = 32_768;

    @Option(
            names = "--parallelism",
            defaultValue = "-1",
            converter = IntAtLeastMinusOne.class,
            description = "job parallelism (-1: the environment's). Default: ${DEFAULT-VALUE}")
    public int parallelism = -1;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client settings from a properties file (secrets stay off the command"
                            + " line); --kafka.NAME VALUE pass single settings and win over it")
    String kafkaPropertiesFile;

    /** Kafka client settings: {@code --kafka.NAME VALUE} and {@code --kafka-properties}. */
    public Map<String, String> kafka = new LinkedHashMap<>();

    /** The configuration of these flags. */
    public static JobConfig parse(String... args) {
        JobConfig c = new JobConfig();
        String[] rest = c.takeKafkaFlags(args);
        parseInto(new CommandLine(c), rest);
        c.validate();
        return c;
    }

    /** The configuration of these flags ({@code name -> value}, without the dashes). */
    public static JobConfig from(Map<String, String> flags) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : flags.entrySet()) {
            args.add("--" + e.getKey());
            args.add(e.getValue());
        }
        return parse(args.toArray(String[]::new));
    }

    /**
     * Parses args into a command's options, refusing unknown flags and bad values with one line
     * naming the flag and the value.
     */
    public static void parseInto(CommandLine cl, String[] args) {
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().strip();
            int nl = m.indexOf('\n');
            throw new IllegalArgumentException(nl < 0 ? m : m.substring(0, nl).strip());
        }
    }

    /**
     * Takes the {@code --kafka.NAME VALUE} (or {@code --kafka.NAME=VALUE}) pairs out of args into
     * {@link #kafka}; returns the other arguments.
     */
    public String[] takeKafkaFlags(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--kafka.")) {
                int eq = a.indexOf('=');
                if (eq > 0) {
                    kafka.put(a.substring("--kafka.".length(), eq), a.substring(eq + 1));
                } else if (i + 1 < args.length) {
                    kafka.put(a.substring("--kafka.".length()), args[++i]);
                } else {
                    throw new IllegalArgumentException(a + ": needs a value");
                }
            } else {
                rest.add(a);
            }
        }
        return rest.toArray(String[]::new);
    }

    /** Checks what the parser cannot, and resolves delivery and the properties file. */
    public void validate() {
        if (!startingOffsets.equals("earliest")
                && !startingOffsets.equals("latest")
                && !startingOffsets.equals("committed")) {
            throw new IllegalArgumentException(
                    "--starting-offsets: must be one of earliest, latest, committed (got "
                            + startingOffsets
                            + ")");
        }
        if (!slotStagger.equals("aligned") && !slotStagger.equals("spread")) {
            throw new IllegalArgumentException(
                    "--slot-stagger: must be one of aligned, spread (got " + slotStagger + ")");
        }
        if (!policy.equals("per-slot")
                && !policy.equals("throughput-rate")
                && !policy.equals("padding-rate")
                && !policy.equals("load-price")) {
            throw new IllegalArgumentException(
                    "--policy: must be one of per-slot, throughput-rate, padding-rate, load-price"
                            + " (got "
                            + policy
                            + ")");
        }
        if (!delivery.equals("exactly-once") && !delivery.equals("at-least-once")) {
            throw new IllegalArgumentException(
                    "--delivery: must be one of exactly-once, at-least-once (got "
                            + delivery
                            + ")");
        }
        exactlyOnce = delivery.equals("exactly-once");
        if (budgetMicros < 0) {
            budgetMicros = exactlyOnce ? 1000 : 0;
        }
        if (budgetNodes < 0) {
            budgetNodes = exactlyOnce ? 0 : 20_000;
        }
        if (checkpointMs < 0) {
            checkpointMs = defaultCheckpointMs(exactlyOnce);
        }
        checkScheduler(scheduler);
        checkCandidates(scheduler, maxCandidates);
        if (!(candidateShare >= 0 && candidateShare <= 1)) {
            throw new IllegalArgumentException(
                    "--candidate-share: must be between 0 and 1 (got " + candidateShare + ")");
        }
        if (kafkaPropertiesFile != null) {
            Map<String, String> merged =
                    new LinkedHashMap<>(kafkaPropertiesFile(kafkaPropertiesFile));
            merged.putAll(kafka); // --kafka.* win
            kafka = merged;
            kafkaPropertiesFile = null;
        }
        if (exactlyOnce && checkpointMs == 0) {
            throw new IllegalArgumentException(
                    "--checkpoint-ms: exactly-once delivery needs checkpoints (got 0)");
        }
    }

    /**
     * The checkpoint interval of {@code --checkpoint-ms -1}: 1 s in exactly-once, where decisions
     * become visible at each checkpoint; 10 s in at-least-once, where the interval only bounds what
     * a restart replays and each checkpoint copies and writes every domain's state (at 15,000
     * requests/s a 1-s interval cost 0.37 cores more than 10 s: docs/bench-job.md).
     */
    public static long defaultCheckpointMs(boolean exactlyOnce) {
        return exactlyOnce ? 1000 : 10_000;
    }

    /** Refuses an unknown algorithm name, naming the flag, the value and the choices. */
    public static void checkScheduler(String name) {
        if (Algorithms.byName(name, 1, 8) == null) {
            throw new IllegalArgumentException(
                    "--scheduler: unknown algorithm (got "
                            + name
                            + "); one of "
                            + String.join(", ", Algorithms.NAMES));
        }
    }

    /**
     * Refuses an exponential algorithm offered more candidates than it accepts: it would throw on
     * every busy slot (each such slot then falls back to FCFS).
     */
    public static void checkCandidates(String scheduler, int maxCandidates) {
        int limit = candidateLimit(scheduler);
        if (maxCandidates > limit) {
            throw new IllegalArgumentException(
                    "--max-candidates: "
                            + scheduler
                            + " takes at most "
                            + limit
                            + " requests per slot (got --max-candidates "
                            + maxCandidates
                            + "; set --max-candidates "
                            + limit
                            + " or less)");
        }
    }

    /** The most requests the algorithm takes in one slot (exponential ones have a limit). */
    static int candidateLimit(String scheduler) {
        return switch (scheduler) {
            case "brute-force" -> org.edgellm.scheduler.BruteForce.MAX_REQUESTS;
            case "exact" -> org.edgellm.scheduler.ExhaustiveOptimum.MAX_REQUESTS;
            default -> Integer.MAX_VALUE;
        };
    }

    /** The algorithm names, for --help. */
    static final class Schedulers extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Schedulers() {
            super(Algorithms.NAMES);
        }
    }

    /** At least -1 (-1: derived from other settings). */
    static final class AtLeastMinusOne implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return (long) Cli.intInRange(v, -1, Integer.MAX_VALUE);
        }
    }

    /** An int of at least -1. */
    static final class IntAtLeastMinusOne implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return Cli.intInRange(v, -1, Integer.MAX_VALUE);
        }
    }

    /** At least 1000. */
    static final class AtLeast1000 implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return (long) Cli.intInRange(v, 1000, Integer.MAX_VALUE);
        }
    }

    /** At least 64. */
    static final class AtLeast64 implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return Cli.intInRange(v, 64, Integer.MAX_VALUE);
        }
    }

    /**
     * Live runs (set by {@link SchedulerJob}, not a flag): a slot that closes late (the watermark
     * lags the wall clock) is planned from the wall clock, since its decisions cannot reach the
     * workers before then. Replays plan from event time only, so that they stay deterministic.
     */
    public boolean wallClock;

    /**
     * Live runs (set by {@link SchedulerJob}, not a flag): event time is the producers' wall clock,
     * so the coordinator records its decision latency ({@code decisionLatencyMs}: wall clock at
     * emission minus the moment the slot could close). Replays run on the traces' time.
     */
    public boolean live;

    /** Replays (set by the replay runner, not a flag): the inputs are files. */
    public boolean replay;

    /**
     * The watermark alignment's largest drift between the input sources ({@code
     * --max-source-drift-ms}): none in replays (Flink's file source cannot pause its splits), else
     * the flag, 1000 ms by default.
     */
    public long sourceDrift() {
        return replay ? 0 : maxSourceDriftMs >= 0 ? maxSourceDriftMs : 1000;
    }

    /**
     * Live runs (set by {@link SchedulerJob}, not a flag): after the coordinator (re)starts, no
     * batch is reported UNFINISHED for this long of wall-clock time, while the heartbeats that
     * arrived during the outage are replayed (an input partition marked idle lets slots close
     * before them). Zero in replays.
     */
    public long restartGraceMs;

    /**
     * Kafka client settings (TLS, SASL) from a properties file ({@code --kafka-properties}, for the
     * job and worker.jar), so that secrets stay off the command line, where every user of the
     * machine can read them.
     *
     * @throws IllegalArgumentException naming the flag and the file when it cannot be read
     */
    public static Map<String, String> kafkaPropertiesFile(String file) {
        Properties fromFile = new Properties();
        try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
            fromFile.load(in);
        } catch (java.io.IOException | RuntimeException ex) {
            throw new IllegalArgumentException(
                    "--kafka-properties: cannot read " + file + " (" + ex.getMessage() + ")");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        fromFile.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    /** The settings the domain logic reads. */
    public org.edgellm.job.domain.DomainSettings domainSettings() {
        return new org.edgellm.job.domain.DomainSettings(
                slotMs,
                outOfOrdernessMs,
                commitDelay(),
                wallClock,
                restartGraceMs,
                maxChannelAgeMs,
                heartbeatTimeoutMs,
                lookahead(),
                maxPending,
                maxCandidates,
                candidateShare,
                Math.min(candidateCap, candidateLimit(scheduler)),
                policy,
                urgencyTieBreak,
                fastestVariant,
                scheduler,
                Math.max(0, budgetNodes),
                Math.max(0, budgetMicros),
                offerUnheardNodes,
                staggerSlots(),
                admissionEveryMs);
    }

    /** Whether domains' slots are staggered (--slot-stagger spread). */
    public boolean staggerSlots() {
        return slotStagger.equals("spread");
    }

    /** When decisions become visible after the slot closes. */
    public long commitDelay() {
        if (commitDelayMs >= 0) {
            return commitDelayMs;
        }
        return exactlyOnce ? checkpointMs : 0;
    }

    /**
     * The look-ahead: a node is offered while its busy time ends within this of the slot end. By
     * default a slot plus the commit delay: the slot's batches start no earlier than t0 (the slot
     * end plus the out-of-orderness and the commit delay), so a node that frees before t0 is as
     * good as idle, and one that frees within the slot after it gets its next batch queued instead
     * of waiting a whole cycle. In replays (no commit delay) this is one slot, as it always was; in
     * the live job the commit delay is 1 s by default (the idleness timeout in at-least-once, the
     * checkpoint interval in exactly-once), where a look-ahead of one slot left every node idle for
     * about a second before each batch (docs/bench-job.md, twenty-fifth session).
     */
    public long lookahead() {
        return lookaheadMs >= 0 ? lookaheadMs : slotMs + commitDelay();
    }

    /** Client properties passed through to every Kafka client (security settings and the like). */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafka);
        return p;
    }
}
