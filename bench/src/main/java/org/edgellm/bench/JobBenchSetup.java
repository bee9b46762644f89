package org.edgellm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.testing.EmbeddedKafka;

/**
 * The set-up of one {@link KafkaJobBenchmark} run: the topology file's contents, the job's flags
 * (topics of the run on the embedded broker, slots, delivery, checkpoints, then the user's own
 * options), the topics themselves, and the MiniCluster's configuration.
 */
final class JobBenchSetup {
    static final long SLOT_MS = 100;
    static final long OOO_MS = 20;

    private JobBenchSetup() {}

    /** D domains of N A100-40GB nodes each (the same spec as the paper's experiments). */
    static String topology(int domains, int nodesPerDomain) {
        StringBuilder sb = new StringBuilder();
        sb.append("model: {layers: 32, hidden: 4096, vocab: 32000}\n");
        sb.append(
                "serviceClasses:\n  - {name: standard, latencyBudgetMs: 15000, maxPplIncrease: 0.5}\n");
        sb.append("domains:\n");
        for (int d = 0; d < domains; d++) {
            sb.append("  - id: dom-").append(d).append("\n    nodes:\n");
            for (int k = 0; k < nodesPerDomain; k++) {
                sb.append("      - {id: dom-")
                        .append(d)
                        .append('-')
                        .append((char) ('a' + k))
                        .append(
                                ", memoryBytes: 40.0e9, reserveBytes: 2.0e9, memoryBandwidth: 1555.0e9,"
                                        + " peakFlops: {\"16\": 312.0e12, \"8\": 624.0e12, \"4\": 1248.0e12}, efficiency: 0.5,"
                                        + " uplinkHz: 20.0e6, downlinkHz: 40.0e6, variants: [{name: w4a16, weightBits: 4,"
                                        + " activationBits: 16, kvBits: 16, pplIncrease: 0.31}]}\n");
            }
        }
        return sb.toString();
    }

    /**
     * The job's flags for run id {@code run}: its own topics, group and transactional ids on the
     * broker, then the settings' job options (which may override them).
     */
    static List<String> jobArgs(
            KafkaJobBenchmark.Settings s, Path topoFile, String bootstrapServers, String run) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--topology",
                                topoFile.toString(),
                                "--bootstrap-servers",
                                bootstrapServers,
                                "--requests-topic",
                                "requests-" + run,
                                "--channels-topic",
                                "channels-" + run,
                                "--telemetry-topic",
                                "telemetry-" + run,
                                "--decisions-topic",
                                "decisions-" + run,
                                "--rejections-topic",
                                "rejections-" + run,
                                "--reports-topic",
                                "reports-" + run,
                                "--dead-letter-topic",
                                "dead-letters-" + run,
                                "--group-id",
                                "job-" + run,
                                "--starting-offsets",
                                "earliest",
                                "--delivery",
                                s.exactlyOnce() ? "exactly-once" : "at-least-once",
                                "--transactional-id-prefix",
                                "tx-" + run,
                                "--checkpoint-ms",
                                Long.toString(s.checkpointMs()),
                                "--slot-ms",
                                Long.toString(SLOT_MS),
                                "--out-of-orderness-ms",
                                Long.toString(OOO_MS),
                                "--watermark-interval-ms",
                                "10",
                                "--offer-unheard-nodes",
                                "true",
                                "--parallelism",
                                Integer.toString(s.parallelism())));
        args.addAll(s.jobOptions());
        return args;
    }

    /** The job's configuration from {@link #jobArgs}, with the live job's defaults. */
    static JobConfig jobConfig(
            KafkaJobBenchmark.Settings s, Path topoFile, String bootstrapServers, String run) {
        JobConfig config =
                JobConfig.parse(jobArgs(s, topoFile, bootstrapServers, run).toArray(String[]::new));
        SchedulerJob.liveDefaults(config);
        return config;
    }

    /** Every topic the job reads or writes, with the given partitions. */
    static void createTopics(EmbeddedKafka kafka, int partitions, JobConfig config)
            throws Exception {
        kafka.createTopics(
                partitions,
                config.requestsTopic,
                config.channelsTopic,
                config.telemetryTopic,
                config.decisionsTopic,
                config.rejectionsTopic,
                config.reportsTopic,
                config.deadLetterTopic);
    }

    /**
     * The MiniCluster's configuration: the bench's metric reporter, checkpoints to files, and
     * RocksDB (incremental checkpoints) when asked for, then the settings' Flink options (which may
     * override them).
     */
    static Configuration flinkConfiguration(String stateBackend, List<String> flinkOptions)
            throws IOException {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.bench.factory.class", BenchMetrics.class.getName());
        // checkpoints go to files, as in a deployment (deploy/local/start.sh): without a
        // directory Flink keeps them in the JobManager's memory, which refuses a snapshot over
        // 5 MB; with no failed checkpoint tolerated, the job then failed over and replayed from
        // its last checkpoint, again and again, once a backlog had grown its state that far
        Path cp = Files.createTempDirectory("bench-checkpoints");
        conf.setString("execution.checkpointing.dir", cp.toUri().toString());
        if ("rocksdb".equals(stateBackend)) {
            conf.setString("state.backend.type", "rocksdb");
            conf.setString("execution.checkpointing.incremental", "true");
        }
        for (String o : flinkOptions) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--flink-option: expected KEY=VALUE (got " + o + ")");
            }
            conf.setString(o.substring(0, eq).strip(), o.substring(eq + 1).strip());
        }
        return conf;
    }
}
