package org.edgellm.worker;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgellm.job.replay.TraceInput;
import org.edgellm.scheduler.cli.Cli;
import org.edgellm.worker.CommandOptions.Connection;
import org.edgellm.worker.CommandOptions.RequestsTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code worker.jar feed}: hands its flags to {@link Feeder} (the trace flags are replay's and
 * simulate's, {@link TraceInput}) and prints how many records it sent.
 */
@Command(
        name = "feed",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Feeds recorded traces into Kafka in real time (scaled by --speedup): a request"
                    + " trace (Azure, Mooncake, BurstGPT or any CSV) with radio traces (Irish 5G"
                    + " or any CSV), or the project's event files."
        },
        footer = WorkerMain.KAFKA_FLAG_HELP)
final class FeedCommand implements Callable<Integer> {
    private final Map<String, String> kafka;
    private final PrintStream out;
    private final PrintStream err;

    @Spec CommandSpec spec;

    @Mixin Connection connection;

    @Mixin RequestsTopic requests;

    @Option(
            names = "--channels-topic",
            paramLabel = "TOPIC",
            description = "Topic of the channel states.")
    String channelsTopic = "channel-state";

    @Mixin TraceInput input = new TraceInput();

    @Option(
            names = "--events",
            paramLabel = "DIR",
            description =
                    "Feed the project's Avro event files (replay's OUT/events) instead of the"
                            + " traces.")
    String events;

    @Option(
            names = "--topology",
            paramLabel = "FILE",
            description = "Topology YAML (default: the bundled one).")
    String topology;

    @Option(
            names = "--minutes",
            paramLabel = "X",
            converter = Cli.NonNegativeDouble.class,
            description = "Minutes of the trace (0: all of it).")
    double minutes = 0;

    @Option(
            names = "--speedup",
            paramLabel = "X",
            converter = Cli.PositiveDouble.class,
            description = "Time compression of the trace.")
    double speedup = 1;

    @Option(
            names = "--users",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Users the requests are dealt to.")
    int users = 24;

    @Option(
            names = "--channel-period-ms",
            paramLabel = "N",
            converter = Cli.PositiveLong.class,
            description = "Period of the channel states per user and node, in ms.")
    long channelPeriodMs = 1000;

    @Option(
            names = "--domains",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description = "Use the topology's first N domains (0: all).")
    int domains = 0;

    @Option(
            names = "--seed",
            paramLabel = "N",
            converter = Cli.AnyLong.class,
            description = "Seed of the import.")
    long seed = 1;

    FeedCommand(Map<String, String> kafka, PrintStream out, PrintStream err) {
        this.kafka = kafka;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Feeder.Sent sent = Feeder.run(CommandOptions.asMap(spec), connection.kafka(kafka), err);
        out.println(
                "sent " + sent.requests() + " requests and " + sent.channels() + " channel states");
        return 0;
    }
}
