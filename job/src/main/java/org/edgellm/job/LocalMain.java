package org.edgellm.job;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.replay.ReplayOptions;
import org.edgellm.job.replay.ReplayRunner;
import org.edgellm.job.replay.SimulatePlots;
import org.edgellm.job.replay.Simulator;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code job/target/job-local.jar}: the job on a local MiniCluster, and the simulator.
 *
 * <pre>
 * java -jar job-local.jar                    the embedded default: replay of the bundled sample
 * java -jar job-local.jar replay [flags]     recorded traces through the Flink job (MiniCluster)
 * java -jar job-local.jar simulate [flags]   the same traces through the domain scheduler alone
 *                                            (--plots DIR: its series over time as CSV files)
 * java -jar job-local.jar run [flags]        the live job against Kafka (see JobConfig)
 * </pre>
 *
 * Every command answers {@code --help} (each flag, its meaning and default) and {@code --version};
 * a mistake prints one line naming the flag and the value and exits 2.
 */
@Command(
        name = "job-local.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = {
            "The edge LLM scheduler on a local Flink MiniCluster, and its simulator.",
            "Without a command: replay of the bundled sample (5 minutes of the Azure conversation"
                    + " trace, four Irish 5G radio traces, the default three-GPU domain), output in"
                    + " ./replay-out."
        },
        subcommands = {
            LocalMain.Replay.class,
            LocalMain.Simulate.class,
            LocalMain.Run.class,
            CommandLine.HelpCommand.class
        })
public final class LocalMain implements Callable<Integer> {

    static PrintStream out = System.out;

    /** Where replay and simulate report what the import read (bad rows, gap filling). */
    static PrintStream err = System.err;

    /** The {@code --kafka.NAME VALUE} pairs, taken out before parsing and handed on. */
    static String[] kafkaArgs = new String[0];

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        out = stdout;
        err = stderr;
        String[][] split = splitKafkaFlags(args);
        kafkaArgs = split[1];
        CommandLine cl = new CommandLine(new LocalMain());
        for (String c : new String[] {"replay", "simulate"}) {
            CommandLine sub = cl.getSubcommands().get(c);
            sub.setDefaultValueProvider(ReplayOptions.defaults());
        }
        return Cli.execute(cl, split[0], stdout, stderr);
    }

    /** args without and with only the {@code --kafka.NAME VALUE} (or NAME=VALUE) pairs. */
    static String[][] splitKafkaFlags(String[] args) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        java.util.List<String> kafka = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--kafka.")) {
                kafka.add(args[i]);
                if (!args[i].contains("=") && i + 1 < args.length) {
                    kafka.add(args[++i]);
                }
            } else {
                rest.add(args[i]);
            }
        }
        return new String[][] {rest.toArray(String[]::new), kafka.toArray(String[]::new)};
    }

    /** The arguments a command was given, with the Kafka pairs back. */
    static String[] given(CommandLine.Model.CommandSpec spec) {
        java.util.List<String> all = spec.commandLine().getParseResult().originalArgs();
        int at = all.indexOf(spec.name()); // the arguments after the command's name
        java.util.List<String> l = new java.util.ArrayList<>(all.subList(at + 1, all.size()));
        l.addAll(java.util.List.of(kafkaArgs));
        return l.toArray(String[]::new);
    }

    /** No command: the embedded default. */
    @Override
    public Integer call() throws Exception {
        ReplayRunner.run(
                new String[0], StreamExecutionEnvironment.getExecutionEnvironment(), out, err);
        return 0;
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            abbreviateSynopsis = true,
            sortOptions = false,
            description = {
                "Recorded traces through the Flink job on a MiniCluster: decisions.jsonl,"
                        + " rejections.jsonl, slot-reports.jsonl, dead-letters.jsonl and"
                        + " summary.json in --out, the imported events in --out/events.",
                "Flags: those of ReplayOptions and every job flag (replay defaults shown)."
            })
    static final class Replay implements Callable<Integer> {
        @CommandLine.Mixin ReplayOptions options = new ReplayOptions();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ReplayRunner.run(
                    given(spec), StreamExecutionEnvironment.getExecutionEnvironment(), out, err);
            return 0;
        }
    }

    @Command(
            name = "simulate",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            abbreviateSynopsis = true,
            sortOptions = false,
            description = {
                "The same traces through the domain scheduler alone, in one process without"
                        + " Flink: the same flags and files as replay (decisions and rejections"
                        + " byte-identical), in a fraction of the time.",
                "--scheduler a,b,c runs each scheduler over the same events, writes each to"
                        + " --out/<name>/ and prints them side by side."
            })
    static final class Simulate implements Callable<Integer> {
        @CommandLine.Mixin ReplayOptions options = new ReplayOptions();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @CommandLine.Option(
                names = "--plots",
                paramLabel = "DIR",
                description =
                        "also write the series over time to DIR as CSV files (attainment, goodput,"
                                + " utilisation, rejections, latency-cdf; several schedulers:"
                                + " DIR/<name>/); the PNG plots need bench.jar (java -jar"
                                + " bench/target/bench.jar simulate-plots ...). Default: none")
        String plots;

        @Override
        public Integer call() throws Exception {
            String[] args = withoutPlots(given(spec));
            Simulator.run(args, out, err);
            if (plots != null) {
                List<String> typed = spec.commandLine().getParseResult().originalArgs();
                String bench =
                        "java -jar bench/target/bench.jar simulate-plots "
                                + String.join(
                                        " ",
                                        typed.subList(
                                                typed.indexOf(spec.name()) + 1, typed.size()));
                SimulatePlots.write(args, Path.of(plots), bench, out);
            }
            return 0;
        }
    }

    /** The arguments without {@code --plots DIR} (or {@code --plots=DIR}), which simulate reads. */
    static String[] withoutPlots(String[] args) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--plots")) {
                i++;
            } else if (!args[i].startsWith("--plots=")) {
                out.add(args[i]);
            }
        }
        return out.toArray(String[]::new);
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            abbreviateSynopsis = true,
            description = "The live job against Kafka, on a local MiniCluster.")
    static final class Run implements Callable<Integer> {
        @CommandLine.Mixin JobConfig job = new JobConfig();
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            // checkpoints to files, as on a cluster (deploy/local/start.sh): left to the
            // MiniCluster's default they stay in the JobManager's memory, which refuses a snapshot
            // over 5 MB, and the job then fails over, again and again, once its state grew that far
            java.nio.file.Path dir =
                    java.nio.file.Files.createTempDirectory("edge-llm-checkpoints");
            org.apache.flink.configuration.Configuration conf =
                    new org.apache.flink.configuration.Configuration();
            conf.set(
                    org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    dir.toUri().toString());
            err.println("checkpoints in " + dir);
            SchedulerJob.run(given(spec), StreamExecutionEnvironment.getExecutionEnvironment(conf));
            return 0;
        }
    }
}
