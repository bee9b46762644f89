package org.edgellm.job.replay;

import java.util.Map;
import org.edgellm.job.JobConfig;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The flags of {@code replay} and {@code simulate}: the recorded traces ({@link TraceInput}), how
 * they are imported, where the output goes, and every job flag ({@link JobConfig}) with replay
 * defaults (1 s slots, at-least-once without checkpoints, a node budget instead of a time budget so
 * that answers do not depend on the machine's speed, parallelism 1).
 */
@Command(mixinStandardHelpOptions = true, versionProvider = Cli.Version.class, sortOptions = false)
public final class ReplayOptions {

    /** Replay defaults of job flags that differ from the live job's. */
    static final Map<String, String> REPLAY_DEFAULTS =
            Map.of(
                    "--slot-ms", "1000",
                    "--delivery", "at-least-once",
                    "--checkpoint-ms", "0",
                    "--idleness-ms", "0",
                    "--budget-micros", "0",
                    "--budget-nodes", "20000",
                    "--offer-unheard-nodes", "true",
                    "--parallelism", "1");

    @Mixin TraceInput input = new TraceInput();

    @Option(
            names = "--events",
            paramLabel = "DIR",
            description =
                    "replay the project's event files instead (requests.avro, channels.avro,"
                            + " telemetry.avro), e.g. an earlier run's OUT/events")
    String events;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "replay-out",
            description = "output directory. Default: ${DEFAULT-VALUE}")
    String out = "replay-out";

    @Option(
            names = "--seed",
            defaultValue = "1",
            converter = Cli.AnyLong.class,
            description =
                    "seed of the users, service classes and radio phases. Default: ${DEFAULT-VALUE}")
    long seed = 1;

    @Option(
            names = "--speedup",
            defaultValue = "1.0",
            converter = Cli.PositiveDouble.class,
            description =
                    "arrival times divided by this (load x speedup). Default: ${DEFAULT-VALUE}")
    double speedup = 1.0;

    @Option(
            names = "--minutes",
            defaultValue = "0",
            converter = Cli.NonNegativeDouble.class,
            description = "only the first minutes of the trace (0: all). Default: ${DEFAULT-VALUE}")
    double minutes;

    @Option(
            names = "--users",
            defaultValue = "24",
            converter = Cli.PositiveInt.class,
            description = "users the requests are dealt to (seeded). Default: ${DEFAULT-VALUE}")
    int users = 24;

    @Option(
            names = "--channel-period-ms",
            defaultValue = "1000",
            converter = Cli.PositiveLong.class,
            description = "period of each user's channel measurements. Default: ${DEFAULT-VALUE}")
    long channelPeriodMs = 1000;

    @Mixin JobConfig job = new JobConfig();

    /**
     * Parses replay flags; mistakes raise {@link IllegalArgumentException} with one line naming the
     * flag and the value.
     */
    public static ReplayOptions parse(String[] args) {
        return parse(args, null);
    }

    /**
     * Parses replay flags with {@code --scheduler} replaced by one name (simulate's list: one
     * configuration per scheduler); null keeps the flag's value.
     */
    static ReplayOptions parse(String[] args, String scheduler) {
        ReplayOptions o = unchecked(args);
        if (scheduler != null) {
            o.job.scheduler = scheduler;
        }
        o.job.validate();
        o.input.sources();
        return o;
    }

    /** The flags as given, before the checks that look at several of them. */
    private static ReplayOptions unchecked(String[] args) {
        ReplayOptions o = new ReplayOptions();
        String[] rest = o.job.takeKafkaFlags(args);
        JobConfig.parseInto(commandLine(o), rest);
        return o;
    }

    /**
     * The names of {@code --scheduler} as a comma-separated list (simulate compares them), each
     * once; refuses an empty or repeated name.
     */
    public static String[] schedulers(String[] args) {
        String list = unchecked(args).job.scheduler;
        String[] names = list.split(",", -1);
        for (String n : names) {
            if (n.isBlank()) {
                throw new IllegalArgumentException(
                        "--scheduler: empty name in the list (got " + list + ")");
            }
        }
        if (java.util.Arrays.stream(names).distinct().count() != names.length) {
            throw new IllegalArgumentException(
                    "--scheduler: a name is repeated (got " + list + ")");
        }
        return names;
    }

    /** The command line of these options with the replay defaults. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setDefaultValueProvider(defaults());
        return cl;
    }

    /** The replay defaults of job flags, for a command line that has these options. */
    public static CommandLine.IDefaultValueProvider defaults() {
        return arg ->
                arg instanceof CommandLine.Model.OptionSpec o
                        ? REPLAY_DEFAULTS.get(o.longestName())
                        : null;
    }

    public JobConfig job() {
        return job;
    }
}
