package org.edgellm.job;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.util.ParameterTool;
import org.edgellm.scheduler.Algorithms;

/**
 * Every setting of the job, from command-line flags ({@code --name value}). Unknown values raise
 * {@link IllegalArgumentException} naming the flag and the value.
 *
 * <table>
 *   <caption>Flags</caption>
 *   <tr><td>--bootstrap-servers</td><td>Kafka bootstrap servers (live mode)</td><td>localhost:9092</td></tr>
 *   <tr><td>--requests-topic, --channels-topic, --telemetry-topic</td><td>input topics</td><td>inference-requests, channel-state, node-telemetry</td></tr>
 *   <tr><td>--decisions-topic, --rejections-topic, --reports-topic, --dead-letter-topic</td><td>output topics</td><td>batch-decisions, rejections, slot-reports, dead-letters</td></tr>
 *   <tr><td>--group-id</td><td>consumer group of the sources</td><td>edge-llm-scheduler</td></tr>
 *   <tr><td>--starting-offsets</td><td>earliest | latest | committed</td><td>committed (earliest when none)</td></tr>
 *   <tr><td>--delivery</td><td>exactly-once | at-least-once</td><td>exactly-once</td></tr>
 *   <tr><td>--transactional-id-prefix</td><td>prefix of the sink's transactional ids</td><td>edge-llm-scheduler</td></tr>
 *   <tr><td>--transaction-timeout-ms</td><td>below the broker's transaction.max.timeout.ms</td><td>600000</td></tr>
 *   <tr><td>--checkpoint-ms</td><td>checkpoint interval (0: off; exactly-once needs it)</td><td>1000</td></tr>
 *   <tr><td>--commit-delay-ms</td><td>added to the planner's t0: when decisions become visible</td><td>checkpoint-ms in exactly-once; live at-least-once: idleness-ms (the watermark lag; exactly-once plans from the wall clock instead); replay: 0</td></tr>
 *   <tr><td>--topology</td><td>topology YAML</td><td>the bundled default</td></tr>
 *   <tr><td>--scheduler</td><td>any algorithm of {@code solve}</td><td>ot-gah</td></tr>
 *   <tr><td>--budget-micros, --budget-nodes</td><td>time budget of one slot's solve (GAH shares it among its OT calls); node budget of every OT call</td><td>1000, 0</td></tr>
 *   <tr><td>--slot-ms</td><td>scheduling slot length</td><td>100</td></tr>
 *   <tr><td>--out-of-orderness-ms</td><td>watermark delay; also added to t0</td><td>200</td></tr>
 *   <tr><td>--idleness-ms</td><td>a source partition idle this long stops holding watermarks (0: never)</td><td>1000</td></tr>
 *   <tr><td>--watermark-interval-ms</td><td>how often sources emit watermarks: bounds how late a slot closes</td><td>20</td></tr>
 *   <tr><td>--buffer-timeout-ms</td><td>network buffer flush interval: slot latency versus throughput</td><td>10</td></tr>
 *   <tr><td>--max-channel-age-ms</td><td>older channel state is not used</td><td>5000</td></tr>
 *   <tr><td>--heartbeat-timeout-ms</td><td>a node heard of before and silent this long gets nothing</td><td>3000</td></tr>
 *   <tr><td>--lookahead-ms</td><td>a node is offered only while busy-until is within this of the slot end</td><td>slot-ms</td></tr>
 *   <tr><td>--max-pending</td><td>pending requests per domain; beyond, SHED (latest deadline first)</td><td>2048</td></tr>
 *   <tr><td>--max-candidates</td><td>requests offered to one slot's solver (earliest deadlines)</td><td>32</td></tr>
 *   <tr><td>--max-message-bytes</td><td>larger input records go to the dead letters undecoded</td><td>1048576</td></tr>
 *   <tr><td>--max-prompt-tokens, --max-output-tokens</td><td>larger requests are INVALID</td><td>262144, 32768</td></tr>
 *   <tr><td>--parallelism</td><td>job parallelism</td><td>the environment's</td></tr>
 *   <tr><td>--kafka.NAME VALUE</td><td>passed to every Kafka client (TLS, SASL, ...)</td><td></td></tr>
 *   <tr><td>--max-clock-skew-ms</td><td>an event whose time lies further than this from its Kafka record's timestamp is refused (dead letter)</td><td>3600000</td></tr>
 *   <tr><td>--kafka-properties FILE</td><td>client settings from a properties file (secrets stay off the command line); --kafka.* win</td><td></td></tr>
 * </table>
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Every flag {@link #from} reads, besides {@code --kafka.*} (deployment files are checked
     * against it).
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
                    "out-of-orderness-ms",
                    "idleness-ms",
                    "watermark-interval-ms",
                    "buffer-timeout-ms",
                    "max-channel-age-ms",
                    "heartbeat-timeout-ms",
                    "lookahead-ms",
                    "max-pending",
                    "max-candidates",
                    "max-message-bytes",
                    "max-prompt-tokens",
                    "max-output-tokens",
                    "kafka-properties",
                    "max-clock-skew-ms",
                    "parallelism");

    public String bootstrapServers = "localhost:9092";
    public String requestsTopic = "inference-requests";
    public String channelsTopic = "channel-state";
    public String telemetryTopic = "node-telemetry";
    public String decisionsTopic = "batch-decisions";
    public String rejectionsTopic = "rejections";
    public String reportsTopic = "slot-reports";
    public String deadLetterTopic = "dead-letters";
    public String groupId = "edge-llm-scheduler";
    public String startingOffsets = "committed";
    public boolean exactlyOnce = true;
    public String transactionalIdPrefix = "edge-llm-scheduler";
    public long transactionTimeoutMs = 600_000;
    public long checkpointMs = 1000;
    public long commitDelayMs = -1;
    public String topologyFile;
    public String scheduler = "ot-gah";
    public long budgetMicros = 1000;
    public long budgetNodes = 0;
    public long slotMs = 100;
    public long outOfOrdernessMs = 200;
    public long idlenessMs = 1000;
    public long maxClockSkewMs = 3_600_000;
    public long watermarkIntervalMs = 20;
    public long bufferTimeoutMs = 10;
    public long maxChannelAgeMs = 5000;
    public long heartbeatTimeoutMs = 3000;
    public long lookaheadMs = -1;
    public int maxPending = 2048;
    public int maxCandidates = 32;
    public int maxMessageBytes = 1 << 20;
    public int maxPromptTokens = 262_144;
    public int maxOutputTokens = 32_768;
    public int parallelism = -1;
    public Map<String, String> kafka = new LinkedHashMap<>();

    public static JobConfig from(ParameterTool p) {
        JobConfig c = new JobConfig();
        c.bootstrapServers = p.get("bootstrap-servers", c.bootstrapServers);
        c.requestsTopic = p.get("requests-topic", c.requestsTopic);
        c.channelsTopic = p.get("channels-topic", c.channelsTopic);
        c.telemetryTopic = p.get("telemetry-topic", c.telemetryTopic);
        c.decisionsTopic = p.get("decisions-topic", c.decisionsTopic);
        c.rejectionsTopic = p.get("rejections-topic", c.rejectionsTopic);
        c.reportsTopic = p.get("reports-topic", c.reportsTopic);
        c.deadLetterTopic = p.get("dead-letter-topic", c.deadLetterTopic);
        c.groupId = p.get("group-id", c.groupId);
        c.startingOffsets =
                oneOf(p, "starting-offsets", c.startingOffsets, "earliest", "latest", "committed");
        c.exactlyOnce =
                oneOf(p, "delivery", "exactly-once", "exactly-once", "at-least-once")
                        .equals("exactly-once");
        c.transactionalIdPrefix = p.get("transactional-id-prefix", c.transactionalIdPrefix);
        c.transactionTimeoutMs =
                longAtLeast(p, "transaction-timeout-ms", c.transactionTimeoutMs, 1000);
        c.checkpointMs = longAtLeast(p, "checkpoint-ms", c.checkpointMs, 0);
        c.commitDelayMs = longAtLeast(p, "commit-delay-ms", -1, -1);
        c.topologyFile = p.get("topology", null);
        c.scheduler = p.get("scheduler", c.scheduler);
        if (Algorithms.byName(c.scheduler, 1, 8) == null) {
            throw new IllegalArgumentException(
                    "--scheduler: unknown algorithm (got "
                            + c.scheduler
                            + "); one of "
                            + String.join(", ", Algorithms.NAMES));
        }
        c.budgetMicros = longAtLeast(p, "budget-micros", c.budgetMicros, 0);
        c.budgetNodes = longAtLeast(p, "budget-nodes", c.budgetNodes, 0);
        c.slotMs = longAtLeast(p, "slot-ms", c.slotMs, 1);
        c.outOfOrdernessMs = longAtLeast(p, "out-of-orderness-ms", c.outOfOrdernessMs, 0);
        c.idlenessMs = longAtLeast(p, "idleness-ms", c.idlenessMs, 0);
        c.maxClockSkewMs = longAtLeast(p, "max-clock-skew-ms", c.maxClockSkewMs, 1);
        c.watermarkIntervalMs = longAtLeast(p, "watermark-interval-ms", c.watermarkIntervalMs, 1);
        c.bufferTimeoutMs = longAtLeast(p, "buffer-timeout-ms", c.bufferTimeoutMs, 0);
        c.maxChannelAgeMs = longAtLeast(p, "max-channel-age-ms", c.maxChannelAgeMs, 1);
        c.heartbeatTimeoutMs = longAtLeast(p, "heartbeat-timeout-ms", c.heartbeatTimeoutMs, 1);
        c.lookaheadMs = longAtLeast(p, "lookahead-ms", -1, -1);
        c.maxPending = (int) longAtLeast(p, "max-pending", c.maxPending, 1);
        c.maxCandidates = (int) longAtLeast(p, "max-candidates", c.maxCandidates, 1);
        c.maxMessageBytes = (int) longAtLeast(p, "max-message-bytes", c.maxMessageBytes, 64);
        c.maxPromptTokens = (int) longAtLeast(p, "max-prompt-tokens", c.maxPromptTokens, 1);
        c.maxOutputTokens = (int) longAtLeast(p, "max-output-tokens", c.maxOutputTokens, 1);
        c.parallelism = (int) longAtLeast(p, "parallelism", -1, -1);
        String file = p.get("kafka-properties", null);
        if (file != null) {
            c.kafka.putAll(kafkaPropertiesFile(file));
        }
        for (Map.Entry<String, String> e : p.toMap().entrySet()) {
            if (e.getKey().startsWith("kafka.")) {
                c.kafka.put(e.getKey().substring("kafka.".length()), e.getValue());
            }
        }
        if (c.exactlyOnce && c.checkpointMs == 0) {
            throw new IllegalArgumentException(
                    "--checkpoint-ms: exactly-once delivery needs checkpoints (got 0)");
        }
        return c;
    }

    /**
     * Live runs (set by {@link SchedulerJob}, not a flag): a slot that closes late (the watermark
     * lags the wall clock) is planned from the wall clock, since its decisions cannot reach the
     * workers before then. Replays plan from event time only, so that they stay deterministic.
     */
    public boolean wallClock;

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
                scheduler,
                budgetNodes,
                budgetMicros);
    }

    /** When decisions become visible after the slot closes. */
    public long commitDelay() {
        if (commitDelayMs >= 0) {
            return commitDelayMs;
        }
        return exactlyOnce ? checkpointMs : 0;
    }

    public long lookahead() {
        return lookaheadMs >= 0 ? lookaheadMs : slotMs;
    }

    /** Client properties passed through to every Kafka client (security settings and the like). */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafka);
        return p;
    }

    private static String oneOf(ParameterTool p, String key, String dflt, String... allowed) {
        String v = p.get(key, dflt);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "--" + key + ": must be one of " + String.join(", ", allowed) + " (got " + v + ")");
    }

    private static long longAtLeast(ParameterTool p, String key, long dflt, long min) {
        String v = p.get(key, null);
        if (v == null) {
            return dflt;
        }
        try {
            long x = Long.parseLong(v.trim());
            if (x < min) {
                throw new IllegalArgumentException(
                        "--" + key + ": must be at least " + min + " (got " + v + ")");
            }
            return x;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": not an integer (got " + v + ")");
        }
    }
}
