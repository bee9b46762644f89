package org.edgellm.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench.jar kafka-floor}: its flags, checked, into a {@link KafkaFloorBenchmark.Settings}.
 */
@Command(
        name = "kafka-floor",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "What the Kafka part of `job` costs without the job, in one JVM: the same in-JVM"
                    + " KRaft broker and load generator (requests, a channel state before each,"
                    + " heartbeats of every node) at the same rate over the same domains, read by"
                    + " plain consumers with the job's source settings (read_committed, batched"
                    + " fetches) that decode every record and do nothing else. Any job on the same"
                    + " machine reads and decodes at least this much, so the rate these readers"
                    + " keep up with bounds the job's, and their latency (decoded minus stamped)"
                    + " is a floor for the input part of the decision latency. Prints one JSON"
                    + " line. java -jar bench.jar kafka-floor ..."
        })
final class KafkaFloorCommand implements Callable<Integer> {
    private final PrintStream out;
    @Spec CommandLine.Model.CommandSpec spec;

    KafkaFloorCommand(PrintStream out) {
        this.out = out;
    }

    @Mixin LoadFlags load = new LoadFlags();

    @Option(
            names = "--warmup-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Seconds of load before the measured window.")
    int warmupSeconds = 20;

    @Mixin JitSettleFlag jitSettle = new JitSettleFlag();

    @Option(
            names = "--readers",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Consumers in the group (the job's parallelism in `job`).")
    int readers = 2;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Partitions of every topic (0: the readers).")
    int partitions = 0;

    @Option(
            names = "--markdown",
            paramLabel = "FILE",
            description = "Also append the run's tables to FILE (default: none).")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        List<String> a = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!a.isEmpty() && a.get(0).equals("kafka-floor")) {
            a.remove(0);
        }
        KafkaFloorBenchmark.run(
                new KafkaFloorBenchmark.Settings(
                        load.rate,
                        load.domains,
                        load.nodesPerDomain,
                        load.seconds,
                        warmupSeconds,
                        jitSettle.seconds,
                        readers,
                        partitions == 0 ? readers : partitions,
                        markdown,
                        "java -jar bench/target/bench.jar kafka-floor " + String.join(" ", a)),
                out);
        return 0;
    }
}
