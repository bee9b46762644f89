package org.edgellm.job;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The live job, as submitted to a Flink cluster ({@code job/target/job.jar}): requests, channel
 * state and node telemetry from Kafka, one slot scheduler per coordination domain, decisions,
 * rejections, slot reports and dead letters to Kafka. Flags: see {@link JobConfig}; for example
 *
 * <pre>
 * flink run job/target/job.jar --bootstrap-servers broker:9092 --topology topology.yaml \
 *     --slot-ms 100 --delivery exactly-once --checkpoint-ms 1000
 * </pre>
 */
public final class SchedulerJob {

    private SchedulerJob() {}

    public static void main(String[] args) {
        int status = execute(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs job.jar's command line; returns the exit status. */
    static int execute(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        String[][] split = LocalMain.splitKafkaFlags(args);
        return Cli.execute(new CommandLine(new Submit(split[1])), split[0], out, err);
    }

    /** The command line of job.jar (flags: {@link JobConfig}). */
    @Command(
            name = "job.jar",
            mixinStandardHelpOptions = true,
            abbreviateSynopsis = true,
            versionProvider = Cli.Version.class,
            description =
                    "The live edge LLM scheduler job: requests, channel state and node telemetry"
                            + " from Kafka, decisions, rejections, slot reports and dead letters"
                            + " to Kafka. Kafka client settings: --kafka.NAME VALUE.")
    static final class Submit implements Callable<Integer> {
        @CommandLine.Mixin JobConfig job = new JobConfig();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        private final String[] kafka;

        Submit(String[] kafka) {
            this.kafka = kafka;
        }

        @Override
        public Integer call() throws Exception {
            List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
            args.addAll(List.of(kafka));
            run(args.toArray(String[]::new), StreamExecutionEnvironment.getExecutionEnvironment());
            return 0;
        }
    }

    /** Builds and executes the live job on the given environment. */
    public static void run(String[] args, StreamExecutionEnvironment env) throws Exception {
        JobConfig config = JobConfig.parse(args);
        liveDefaults(config);
        Topology topology =
                config.topologyFile == null
                        ? Topology.defaults()
                        : Topology.load(Path.of(config.topologyFile));
        configure(env, config);
        SchedulerPipeline.build(
                env, KafkaIo.sources(config, topology), KafkaIo.sinks(config), config, topology);
        env.execute("edge-llm-scheduler");
    }

    /**
     * The settings the live job derives from the delivery mode (wall-clock planning, restart grace,
     * commit delay); public so that benchmarks build the same job around other sources.
     */
    public static void liveDefaults(JobConfig config) {
        config.live = true;
        // plan late slots from the wall clock, but only with transactions: an at-least-once replay
        // after a failure must decide exactly as the first run, so that its repeated decisions
        // carry the same ids and the same requests (workers then run them once)
        config.wallClock = config.exactlyOnce;
        // the restart grace reads the wall clock: exactly-once only (at-least-once replays of a
        // slot must decide as the first time, so they judge liveness from event time alone)
        config.restartGraceMs =
                config.exactlyOnce ? 2 * config.heartbeatTimeoutMs + config.idlenessMs : 0;
        if (!config.exactlyOnce && config.commitDelayMs < 0) {
            // instead, a fixed margin for the watermark's lag behind the wall clock: an input
            // partition holds the watermark back for at most the idleness timeout
            config.commitDelayMs = config.idlenessMs;
        }
    }

    /** Checkpointing and parallelism from the flags. */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        if (config.checkpointMs > 0) {
            env.enableCheckpointing(config.checkpointMs, CheckpointingMode.EXACTLY_ONCE);
        }
        if (config.parallelism > 0) {
            env.setParallelism(config.parallelism);
        }
        env.getConfig().setAutoWatermarkInterval(config.watermarkIntervalMs);
        env.setBufferTimeout(config.bufferTimeoutMs);
    }
}
