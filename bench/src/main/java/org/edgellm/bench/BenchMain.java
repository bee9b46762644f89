package org.edgellm.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench/target/bench.jar}: the benchmarks and figures, out of the product jars.
 *
 * <pre>
 * paper [--out DIR] [--instances N] [--seed S] [--quick]     figures on random instances (PaperBench)
 * ot [--quick] [--seed N] [--out FILE]                       the core benchmark (OtBenchmark)
 * trace [--out DIR] [--requests-csv F] [--channels-dir D] ... the Azure trace through the job (TraceBench)
 * job [--rate N] [--domains N] [--seconds N] [--delivery M]  the job end to end with Kafka (KafkaJobBenchmark)
 * kafka-floor [--rate N] [--domains N] [--readers N]        broker, generator and decoding readers alone
 * simulate [--runs N] [--out FILE]                           simulate's speed beside replay's (SimulateSpeed)
 * state-serializers [--iterations N] [--rounds N]            the coordinator's state serializers, POJO and hand-written
 * slot-wait [--domains N] [--rate-per-domain N] ...           a slot's wait behind other domains, aligned and staggered
 * report [worker.jar report flags] --plots DIR                worker.jar report, with PNG plots
 * simulate-plots [job-local.jar simulate flags] --plots DIR   job-local.jar simulate, with PNG plots
 * </pre>
 *
 * Every command answers {@code --help} and {@code --version}; command-line mistakes follow {@link
 * Cli} (one line, status 2).
 */
@Command(
        name = "bench.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Benchmarks and figures of the edge LLM scheduler.")
public final class BenchMain implements Callable<Integer> {

    private final PrintStream err;

    private BenchMain(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        // Flink's and Kafka's threads may outlive a benchmark: end the JVM either way
        System.exit(status);
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return Cli.execute(commandLine(out, err), args, out, err);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new BenchMain(err));
        cl.addSubcommand(new Paper(out, err));
        cl.addSubcommand(new Ot(out, err));
        cl.addSubcommand(new Trace(out));
        cl.addSubcommand(new JobCommand(out));
        cl.addSubcommand(new KafkaFloorCommand(out));
        cl.addSubcommand(new Simulate(out));
        cl.addSubcommand(new Report(out, err));
        cl.addSubcommand(new SimulatePlots(out, err));
        cl.addSubcommand(new Policies(out));
        cl.addSubcommand(new StateSerializers(out));
        cl.addSubcommand(new SlotWaitCommand(out));
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    @Override
    public Integer call() {
        err.println(
                "bench.jar: a command is required: paper, ot, trace, job, kafka-floor, simulate,"
                        + " policies, report, simulate-plots, state-serializers or slot-wait (see"
                        + " bench.jar --help)");
        return Cli.USAGE;
    }

    @Command(
            name = "report",
            description = {
                "worker.jar report with this jar's plot renderer: with --plots DIR the CSV files"
                        + " and a PNG of each. Takes the flags of worker.jar report (see"
                        + " bench.jar report --help)."
            })
    static final class Report implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @CommandLine.Unmatched List<String> args = new ArrayList<>();

        Report(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            List<String> a = new ArrayList<>(List.of("report"));
            a.addAll(args);
            return org.edgellm.worker.WorkerMain.run(a.toArray(String[]::new), out, err);
        }
    }

    @Command(
            name = "simulate-plots",
            description = {
                "job-local.jar simulate with this jar's plot renderer: with --plots DIR the CSV"
                        + " files and a PNG of each. Takes the flags of job-local.jar simulate (see"
                        + " bench.jar simulate-plots --help)."
            })
    static final class SimulatePlots implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @CommandLine.Unmatched List<String> args = new ArrayList<>();

        SimulatePlots(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            List<String> a = new ArrayList<>(List.of("simulate"));
            a.addAll(args);
            return org.edgellm.job.LocalMain.run(a.toArray(String[]::new), out, err);
        }
    }

    @Command(
            name = "policies",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Goodput of the batch-selection policies over a trace through simulate: the"
                        + " simple schedulers and the paper's per-slot OT-GAH (window 32) and the"
                        + " job's default policy, per speedup and seed, against the trace's upper"
                        + " bound; writes a Markdown page (means with 95%% intervals) and PNG"
                        + " plots. Other flags (--requests-csv, --requests, --channels-dir,"
                        + " --minutes, ...) go to simulate."
            })
    static final class Policies implements Callable<Integer> {
        private final PrintStream out;

        @Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--speedups",
                split = ",",
                defaultValue = "1,2,4,8",
                description = "load multipliers")
        List<Double> speedups;

        @Option(names = "--seeds", split = ",", defaultValue = "1,2,3,4,5", description = "seeds")
        List<Long> seeds;

        @Option(
                names = "--markdown",
                defaultValue = "docs/results-trace.md",
                description = "the page's file")
        Path markdown;

        @Option(
                names = "--plots",
                defaultValue = "docs/results",
                description = "directory of the PNG plots (trace-goodput.png, trace-share.png)")
        Path plots;

        @CommandLine.Unmatched List<String> traceFlags = new ArrayList<>();

        Policies(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            PolicyBench.run(traceFlags, speedups, seeds, markdown, plots, commandText(spec), out);
            return 0;
        }
    }

    @Command(
            name = "state-serializers",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            description =
                    "The coordinator's keyed state values (pending queue, channels, node runtime,"
                            + " slot buffer) through Flink's POJO serializer and through the"
                            + " hand-written ones: CPU time of the thread per copy, serialize and"
                            + " deserialize, and bytes (StateSerializerBench). Prints a Markdown"
                            + " table.")
    static final class StateSerializers implements Callable<Integer> {
        private final PrintStream out;

        @Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--iterations",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Operations per value, serializer and round. Default: 200000.")
        int iterations = 200_000;

        @Option(
                names = "--rounds",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Rounds; the last is reported, the others warm up. Default: 3.")
        int rounds = 3;

        StateSerializers(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            out.print(
                    StateSerializerBench.markdown(
                            StateSerializerBench.run(iterations, rounds), commandText(spec)));
            return 0;
        }
    }

    /** The command line as typed, for the Markdown the benchmarks write. */
    static String commandText(CommandLine.Model.CommandSpec spec) {
        List<String> a = spec.commandLine().getParseResult().originalArgs();
        return "java -jar bench/target/bench.jar " + String.join(" ", a);
    }

    @Command(
            name = "paper",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "The figures that reproduce the paper's claims, on seeded random instances: one CSV"
                        + " and one PNG per figure in --out, and results.md beside that directory.",
                "Every point is the mean over --instances instances with a 95%% confidence interval."
            })
    static final class Paper implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "Directory of the CSV and PNG files (results.md goes beside it).")
        Path dir = Path.of("docs/results");

        @Option(
                names = "--instances",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Random instances per point (at most 4 with --quick).")
        int instances = 100;

        @Option(
                names = "--seed",
                paramLabel = "S",
                converter = Cli.AnyLong.class,
                description = "Seed; every point derives its own from it.")
        long seed = 2024;

        @Option(
                names = "--quick",
                description = "A small version in seconds (fewer points and instances).")
        boolean quick;

        Paper(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return PaperBench.run(dir, instances, seed, quick, out, err);
        }
    }

    @Command(
            name = "ot",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "The core benchmark: OT against brute force on one node, OT alone on large"
                        + " instances, GAH against the exhaustive optimum; prints Markdown tables."
            })
    static final class Ot implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Option(
                names = "--quick",
                description = "A small version in seconds (fewer instances, no N = 25).")
        boolean quick;

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "Seed of the random instances.")
        long seed = 42;

        @Option(
                names = "--out",
                paramLabel = "FILE",
                description = "Also write the tables to FILE (default: printed only).")
        Path file;

        Ot(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return OtBenchmark.run(quick, seed, file, out, err);
        }
    }

    @Command(
            name = "trace",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "The trace-driven comparison of schedulers: replays the Azure conversation trace"
                        + " with the 5G radio traces through the job (job-local.jar replay) for each"
                        + " scheduler, as the load is scaled (speedup 1x..8x) and as nodes are added;"
                        + " writes CSV and PNG files to --out and results-trace-job.md beside it."
            })
    static final class Trace implements Callable<Integer> {
        private final PrintStream out;

        @Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description =
                        "Directory of the CSV and PNG files (results-trace-job.md goes beside it).")
        Path dir = Path.of("docs/results");

        @Option(
                names = "--requests-csv",
                paramLabel = "FILE",
                description =
                        "Azure LLM inference trace CSV (default: the bundled sample, the first 5"
                                + " minutes of the conversation trace).")
        String requestsCsv;

        @Option(
                names = "--channels-dir",
                paramLabel = "DIR",
                description = "Directory of 5G radio traces (default: the four bundled ones).")
        String channelsDir;

        @Option(
                names = "--minutes",
                paramLabel = "X",
                converter = Cli.NonNegativeDouble.class,
                description =
                        "Minutes of the trace to replay (default: all of it; 0.5 with --quick).")
        Double minutes;

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "Seed of every replay.")
        long seed = 1;

        @Option(
                names = "--users",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Users the requests are dealt to.")
        int users = 24;

        @Option(
                names = "--quick",
                description = "Two schedulers, two load points, two node counts, 0.5 minutes.")
        boolean quick;

        Trace(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            List<String> flags = new ArrayList<>();
            if (requestsCsv != null) {
                flags.addAll(List.of("--requests-csv", requestsCsv));
            }
            if (channelsDir != null) {
                flags.addAll(List.of("--channels-dir", channelsDir));
            }
            if (minutes != null) {
                flags.addAll(List.of("--minutes", minutes.toString()));
            }
            flags.addAll(
                    List.of("--seed", Long.toString(seed), "--users", Integer.toString(users)));
            TraceBench.run(
                    new TraceBench.Settings(dir, flags, seed, quick, commandText(spec)), out);
            return 0;
        }
    }

    @Command(
            name = "simulate",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "The wall time of job-local.jar simulate (one scheduler, and five in one call)"
                        + " beside replay on one trace, each a separate process with its JVM"
                        + " start; writes a Markdown table to --out."
            })
    static final class Simulate implements Callable<Integer> {
        private final PrintStream out;

        @Spec CommandLine.Model.CommandSpec spec;

        @Option(names = "--job-local-jar", paramLabel = "FILE", description = "job-local.jar.")
        Path jar = Path.of("job/target/job-local.jar");

        @Option(
                names = "--requests-csv",
                paramLabel = "FILE",
                description = "Azure-format trace (default: the full conversation hour).")
        Path requestsCsv =
                Path.of("job/src/test/resources/traces/azure-full/AzureLLMInferenceTrace_conv.csv");

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "Seed of simulate's and replay's runs. Default: 42.")
        long seed = 42;

        @Option(
                names = "--runs",
                paramLabel = "N",
                converter = Cli.PositiveInt.class,
                description = "Runs of each command (median and fastest are reported).")
        int runs = 3;

        @Option(names = "--out", paramLabel = "FILE", description = "The Markdown table.")
        Path file = Path.of("docs/bench-simulate.md");

        @Option(names = "--work", paramLabel = "DIR", description = "Scratch directory.")
        Path work = Path.of("target/bench-simulate");

        Simulate(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (!java.nio.file.Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(
                        "--job-local-jar: no such file (got " + jar + "); build it first");
            }
            String md =
                    new SimulateSpeed(jar, requestsCsv, seed, runs, work, out)
                            .run(commandText(spec));
            java.nio.file.Files.writeString(file, md);
            out.print(md);
            return 0;
        }
    }
}
