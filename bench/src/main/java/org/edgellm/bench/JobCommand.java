package org.edgellm.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgellm.job.JobConfig;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench.jar job}: its flags, checked, into a {@link KafkaJobBenchmark.Settings}. */
@Command(
        name = "job",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "The live job end to end with Kafka in the loop, in one JVM: an in-JVM KRaft broker,"
                    + " a load generator producing Avro requests, channel states and heartbeats"
                    + " at a paced rate over D domains, the job (Kafka sources and sinks) on a"
                    + " Flink MiniCluster, and a read_committed reader of the decision topic."
                    + " Latency: the moment a decision is visible on the topic minus the moment"
                    + " its slot could close (slot end + 20 ms out-of-orderness). Input rates are"
                    + " counted at the job's sources; CPU by stage from a JFR recording of the"
                    + " measured window, and measured per thread. The window begins once the"
                    + " JIT compilers are idle (--jit-settle-seconds): on 2 cores C2 takes"
                    + " minutes to compile the broker, Flink and the job (docs/bench-job.md)."
                    + " Prints progress, then one JSON line: java -jar bench.jar job ..."
        })
final class JobCommand implements Callable<Integer> {
    private final PrintStream out;
    @Spec CommandLine.Model.CommandSpec spec;

    JobCommand(PrintStream out) {
        this.out = out;
    }

    @Mixin LoadFlags load = new LoadFlags();

    @Option(
            names = "--warmup-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Least seconds of load before the measured window (start-up, JIT).")
    int warmupSeconds = 40;

    @Mixin JitSettleFlag jitSettle = new JitSettleFlag();

    @Option(
            names = "--warmup-rate",
            paramLabel = "R",
            converter = Cli.NonNegativeInt.class,
            description =
                    "Requests/s during the warm-up (0: --rate). Below --rate, the JIT compilers"
                            + " settle at a load the machine keeps up with, then the rate rises to"
                            + " --rate for --ramp-seconds before the window: a TaskManager whose"
                            + " load rises after hours of running, not one that starts under it.")
    int warmupRate = 0;

    @Option(
            names = "--rise-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description =
                    "With --warmup-rate: after the warm-up, the rate rises linearly to --rate over"
                            + " N seconds (one step a second), then --ramp-seconds at --rate."
                            + " 0: a jump from the warm-up's rate to --rate.")
    int riseSeconds = 0;

    @Option(
            names = "--ramp-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description =
                    "With --warmup-rate: seconds at --rate before the window (the remembered ids"
                            + " grow for about half a minute after a rise, the heap and the"
                            + " checkpoints settle after it).")
    int rampSeconds = 120;

    @Option(
            names = "--spike-rate",
            paramLabel = "R",
            converter = Cli.NonNegativeInt.class,
            description =
                    "With --warmup-rate and --spike-seconds: requests/s for --spike-seconds at the"
                            + " start of the ramp (after the rise), then --rate again: does the job"
                            + " work off the backlog of a burst before the window? 0: no spike.")
    int spikeRate = 0;

    @Option(
            names = "--spike-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Seconds of the spike (--spike-rate); the ramp's seconds follow it.")
    int spikeSeconds = 0;

    @Option(
            names = "--delivery",
            paramLabel = "MODE",
            converter = Delivery.class,
            description = "at-least-once or exactly-once (the job's --delivery).")
    String delivery = "at-least-once";

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "The job's --parallelism.")
    int parallelism = 2;

    @Option(
            names = "--shape",
            paramLabel = "SHAPE",
            converter = ShapeOf.class,
            description =
                    "servable (prompts 50-249, outputs 10-49 tokens: each domain below its"
                            + " nodes' capacity) or overload (prompts 100-999, outputs 20-219:"
                            + " about twice what 2 nodes per domain serve at 50 requests/s per"
                            + " domain).")
    String shape = "servable";

    @Option(
            names = "--checkpoint-ms",
            paramLabel = "N",
            converter = Cli.NonNegativeLong.class,
            description =
                    "The job's --checkpoint-ms (-1 here: 100 in exactly-once, the goal's"
                            + " interval; in at-least-once the job's default, 10000).")
    long checkpointMs = -1;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Partitions of every topic (0: the parallelism).")
    int partitions = 0;

    @Option(
            names = "--state-backend",
            paramLabel = "NAME",
            converter = Backend.class,
            description = "hashmap, or rocksdb with incremental checkpoints.")
    String stateBackend = "hashmap";

    @Option(
            names = "--job-option",
            paramLabel = "--FLAG=VALUE",
            description =
                    "A flag of the job itself (repeatable), e.g. --job-option"
                            + " --max-pending=256 (default: the job's defaults).")
    List<String> jobOptions = new ArrayList<>();

    @Option(
            names = "--flink-option",
            paramLabel = "KEY=VALUE",
            description =
                    "A Flink configuration option of the MiniCluster (repeatable), e.g."
                            + " --flink-option execution.checkpointing.unaligned.enabled=true"
                            + " (default: none).")
    List<String> flinkOptions = new ArrayList<>();

    @Option(
            names = "--markdown",
            paramLabel = "FILE",
            description = "Also append the run's tables to FILE (default: none).")
    Path markdown;

    @Option(
            names = "--latency-csv",
            paramLabel = "FILE",
            description =
                    "Also write every decision read, warm-up included, to FILE: when it was"
                            + " seen, its slot end, its latency, whether its slot is in the"
                            + " measured window, domain, node, requests (default: none).")
    Path latencyCsv;

    @Option(
            names = "--profile-out",
            paramLabel = "FILE",
            description =
                    "Also keep the run's JFR recording (CPU samples every 10 ms, GC pauses, warm-up"
                            + " included) in FILE, for `jfr print` or JDK Mission Control; the"
                            + " stage table reads only the measured window (default: none).")
    Path profileOut;

    /** The flags as given (without the command's own name). */
    private List<String> jobArgs() {
        List<String> a = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!a.isEmpty() && a.get(0).equals("job")) {
            a.remove(0);
        }
        return a;
    }

    @Override
    public Integer call() throws Exception {
        boolean exactlyOnce = delivery.equals("exactly-once");
        long cp =
                checkpointMs >= 0
                        ? checkpointMs
                        : exactlyOnce ? 100 : JobConfig.defaultCheckpointMs(false);
        for (String o : flinkOptions) {
            if (o.indexOf('=') <= 0) {
                throw new IllegalArgumentException(
                        "--flink-option: expected KEY=VALUE (got " + o + ")");
            }
        }
        if ((spikeRate > 0) != (spikeSeconds > 0)) {
            throw new IllegalArgumentException(
                    "--spike-rate and --spike-seconds go together (got "
                            + spikeRate
                            + " and "
                            + spikeSeconds
                            + ")");
        }
        if (spikeRate > 0 && warmupRate == 0) {
            throw new IllegalArgumentException(
                    "--spike-rate: needs --warmup-rate (the spike starts the ramp after the"
                            + " warm-up)");
        }
        if (exactlyOnce && cp == 0) {
            throw new IllegalArgumentException(
                    "--checkpoint-ms: exactly-once needs checkpoints (got 0)");
        }
        KafkaJobBenchmark.run(
                new KafkaJobBenchmark.Settings(
                        load.rate,
                        load.domains,
                        load.seconds,
                        warmupSeconds,
                        jitSettle.seconds,
                        warmupRate,
                        riseSeconds,
                        rampSeconds,
                        spikeRate,
                        spikeSeconds,
                        exactlyOnce,
                        parallelism,
                        shape.equals("servable")
                                ? KafkaJobBenchmark.Shape.SERVABLE
                                : KafkaJobBenchmark.Shape.OVERLOAD,
                        cp,
                        load.nodesPerDomain,
                        partitions == 0 ? parallelism : partitions,
                        stateBackend,
                        List.copyOf(jobOptions),
                        List.copyOf(flinkOptions),
                        markdown,
                        latencyCsv,
                        profileOut,
                        "java -jar bench/target/bench.jar job " + String.join(" ", jobArgs())),
                out);
        return 0;
    }

    /** Nodes are named a..z. */
    static final class NodesPerDomain implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return Cli.intInRange(v, 1, 26);
        }
    }

    /** A value among fixed words. */
    abstract static class OneOf implements CommandLine.ITypeConverter<String> {
        private final List<String> words;

        OneOf(String... words) {
            this.words = List.of(words);
        }

        @Override
        public String convert(String v) {
            if (!words.contains(v)) {
                throw new CommandLine.TypeConversionException(
                        "expected " + String.join(" or ", words) + " but was '" + v + "'");
            }
            return v;
        }
    }

    /** --delivery. */
    static final class Delivery extends OneOf {
        Delivery() {
            super("at-least-once", "exactly-once");
        }
    }

    /** --shape. */
    static final class ShapeOf extends OneOf {
        ShapeOf() {
            super("servable", "overload");
        }
    }

    /** --state-backend. */
    static final class Backend extends OneOf {
        Backend() {
            super("hashmap", "rocksdb");
        }
    }
}
