package org.edgellm.bench;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench.jar slot-wait}: {@link SlotWaitBench}, aligned and staggered slots alternating. */
@Command(
        name = "slot-wait",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        description =
                "How long a slot's outcome waits on its subtask's thread behind the other"
                        + " domains' closings, with aligned and with staggered slot ends"
                        + " (--slot-stagger), in the Flink-free domain core under bench.jar job's"
                        + " load, without Kafka or Flink (thread CPU time; deterministic"
                        + " decisions). Runs aligned and spread alternately and prints a Markdown"
                        + " table.")
final class SlotWaitCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--domains",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Domains of two A100-40GB nodes (as bench.jar job). Default: 20.")
    int domains = 20;

    @Option(
            names = "--rate-per-domain",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Requests per second per domain. Default: 50.")
    int ratePerDomain = 50;

    @Option(
            names = "--shape",
            paramLabel = "SHAPE",
            converter = JobCommand.ShapeOf.class,
            description = "servable or overload (the sizes of bench.jar job). Default: overload.")
    String shape = "overload";

    @Option(
            names = "--seconds",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Event time simulated, warm-up included. Default: 30.")
    int seconds = 30;

    @Option(
            names = "--warmup-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Event time not measured at the start. Default: 10.")
    int warmupSeconds = 10;

    @Option(
            names = "--subtasks",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Subtasks the domains are dealt to (index modulo N). Default: 2.")
    int subtasks = 2;

    @Option(
            names = "--policy",
            paramLabel = "NAME",
            converter = PolicyOf.class,
            description =
                    "The job's --policy: per-slot, throughput-rate, padding-rate or load-price."
                            + " Default: load-price.")
    String policy = "load-price";

    @Option(
            names = "--rounds",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description =
                    "Pairs of runs (aligned then spread, spread then aligned, ...). Default: 2.")
    int rounds = 2;

    @Option(
            names = "--markdown",
            paramLabel = "FILE",
            description = "Also append the table to FILE (default: none).")
    Path markdown;

    SlotWaitCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (warmupSeconds >= seconds) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--warmup-seconds: must be below --seconds ("
                            + seconds
                            + "), got "
                            + warmupSeconds);
        }
        double before = JobBenchReport.loadAverage();
        List<SlotWaitBench.Result> runs = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            // aligned first in odd rounds, spread first in even ones (the first run pays the JIT)
            for (String mode :
                    r % 2 == 1 ? List.of("aligned", "spread") : List.of("spread", "aligned")) {
                runs.add(
                        SlotWaitBench.run(
                                mode,
                                r,
                                domains,
                                seconds,
                                warmupSeconds,
                                policy,
                                ratePerDomain,
                                subtasks,
                                shape.equals("servable")
                                        ? KafkaJobBenchmark.Shape.SERVABLE
                                        : KafkaJobBenchmark.Shape.OVERLOAD));
            }
        }
        String md =
                SlotWaitBench.markdown(
                        runs, BenchMain.commandText(spec), before, JobBenchReport.loadAverage());
        out.print(md);
        if (markdown != null) {
            Files.writeString(
                    markdown, "\n" + md, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        return 0;
    }

    /** --policy. */
    static final class PolicyOf extends JobCommand.OneOf {
        PolicyOf() {
            super("per-slot", "throughput-rate", "padding-rate", "load-price");
        }
    }
}
