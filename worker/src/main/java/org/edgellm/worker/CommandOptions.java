package org.edgellm.worker;

import java.util.LinkedHashMap;
import java.util.Map;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The option blocks more than one {@code worker.jar} command declares (picocli mixins, each with
 * the same names, defaults and descriptions wherever it is mixed in), and {@link #asMap}, which
 * hands a command's flags on to {@link Feeder}, {@link Report} and {@link Audit}.
 */
final class CommandOptions {

    private CommandOptions() {}

    /** The connection flags of every command. */
    static final class Connection {
        @Option(
                names = "--bootstrap-servers",
                paramLabel = "HOSTS",
                description = "Kafka bootstrap servers.")
        String bootstrapServers = "localhost:9092";

        @Option(
                names = "--kafka-properties",
                paramLabel = "FILE",
                description =
                        "Kafka client settings from a properties file (TLS, SASL), under the"
                                + " --kafka.NAME flags.")
        String kafkaProperties;

        /** The settings of {@code --kafka-properties} under the {@code --kafka.*} flags. */
        Map<String, String> kafka(Map<String, String> flags) {
            return kafkaProperties == null ? flags : WorkerMain.withFile(kafkaProperties, flags);
        }
    }

    /** The requests topic (feed writes it, audit reads it). */
    static final class RequestsTopic {
        @Option(
                names = "--requests-topic",
                paramLabel = "TOPIC",
                description = "Topic of the requests.")
        String requestsTopic = "inference-requests";
    }

    /** The decisions topic (the worker consumes it, audit reads it). */
    static final class DecisionsTopic {
        @Option(
                names = "--decisions-topic",
                paramLabel = "TOPIC",
                description = "Topic of the batch decisions.")
        String decisionsTopic = "batch-decisions";
    }

    /**
     * Where report and audit read the outcomes (completions and rejections), and how long they try:
     * the flags both commands share.
     */
    static final class Outcomes {
        @Option(
                names = "--completions-topic",
                paramLabel = "TOPIC",
                description = "Topic of the completions.")
        String completionsTopic = "completions";

        @Option(
                names = "--rejections-topic",
                paramLabel = "TOPIC",
                description = "Topic of the rejections.")
        String rejectionsTopic = "rejections";

        @Option(
                names = "--timeout-ms",
                paramLabel = "N",
                converter = Cli.PositiveLong.class,
                description = "Give up reading after N ms.")
        long timeoutMs = 120_000;
    }

    /**
     * The flags of a command that hands them on as a map (Feeder, Report, Audit): every option with
     * a value, switches only when given, under their names without {@code --}.
     */
    static Map<String, String> asMap(CommandSpec spec) {
        Map<String, String> f = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName().substring(2);
            Object v = o.getValue();
            if (o.usageHelp() || o.versionHelp() || v == null || name.equals("kafka-properties")) {
                continue;
            }
            if (v instanceof Boolean b) {
                if (b) {
                    f.put(name, "true");
                }
            } else {
                f.put(name, v.toString());
            }
        }
        return f;
    }
}
