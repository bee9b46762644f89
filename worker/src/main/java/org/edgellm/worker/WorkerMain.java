package org.edgellm.worker;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code worker.jar}: the top command, wiring the commands {@code worker} ({@link WorkerCommand},
 * the edge worker of one node), {@code feed} ({@link FeedCommand}), {@code report} ({@link
 * ReportCommand}) and {@code audit} ({@link AuditCommand}); the option blocks several of them share
 * are the mixins of {@link CommandOptions}. {@code --help} on any command lists its flags with
 * their defaults; command-line mistakes print one line and exit with status 2 ({@link Cli}).
 *
 * <p>{@code --kafka.NAME VALUE} (any Kafka client setting, over {@code --kafka-properties FILE}) is
 * taken out of the arguments before picocli parses the rest, since picocli has no prefix options.
 */
@Command(
        name = "worker.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "The edge GPU worker of one node, and the tools around the topics.")
public final class WorkerMain implements Callable<Integer> {

    /** The help's line for the pass-through flags, which picocli cannot declare. */
    static final String KAFKA_FLAG_HELP =
            "      --kafka.NAME VALUE    Any Kafka client setting, repeatable; over%n"
                    + "                              --kafka-properties (e.g. --kafka.acks all).";

    private final PrintStream err;

    private WorkerMain(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> kafka = new LinkedHashMap<>();
        String[] rest;
        try {
            rest = extractKafkaFlags(args, kafka);
        } catch (IllegalArgumentException e) {
            String cmd = args.length > 0 && COMMANDS.contains(args[0]) ? " " + args[0] : "";
            err.println("worker.jar" + cmd + ": " + e.getMessage());
            return Cli.USAGE;
        }
        return Cli.execute(commandLine(kafka, out, err), rest, out, err);
    }

    /**
     * Moves every {@code --kafka.NAME VALUE} (or {@code --kafka.NAME=VALUE}) before a {@code --}
     * into {@code kafka}; returns the other arguments.
     */
    static String[] extractKafkaFlags(String[] args, Map<String, String> kafka) {
        List<String> rest = new ArrayList<>();
        boolean options = true;
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            if (a.equals("--")) {
                options = false;
            }
            if (!options || !a.startsWith("--kafka.")) {
                rest.add(a);
                continue;
            }
            String name = a.substring("--kafka.".length());
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (k + 1 < args.length) {
                value = args[++k];
            } else {
                throw new IllegalArgumentException(
                        "Missing required parameter for option '" + a + "' (VALUE)");
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        "Invalid option '" + a + "': --kafka.NAME needs a setting name");
            }
            kafka.put(name, value);
        }
        return rest.toArray(String[]::new);
    }

    /** The command tree; {@code kafka} holds the extracted {@code --kafka.*} settings. */
    static CommandLine commandLine(Map<String, String> kafka, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new WorkerMain(err));
        cl.addSubcommand(new WorkerCommand(kafka));
        cl.addSubcommand(new FeedCommand(kafka, out, err));
        cl.addSubcommand(new ReportCommand(kafka));
        cl.addSubcommand(new AuditCommand(kafka));
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    /** Every command's flags (without {@code --}, {@code --kafka.*}, help and version). */
    public static Map<String, Set<String>> flagsByCommand() {
        Map<String, Set<String>> out = new TreeMap<>();
        commandLine(Map.of(), System.out, System.err)
                .getSubcommands()
                .forEach(
                        (name, c) -> {
                            if (c.getCommandSpec().userObject()
                                    instanceof CommandLine.HelpCommand) {
                                return;
                            }
                            Set<String> fs = new TreeSet<>();
                            for (OptionSpec o : c.getCommandSpec().options()) {
                                if (!o.usageHelp() && !o.versionHelp()) {
                                    fs.add(o.longestName().substring(2));
                                }
                            }
                            out.put(name, fs);
                        });
        return out;
    }

    /** The commands. */
    public static final Set<String> COMMANDS = Set.of("worker", "feed", "report", "audit");

    /** Every flag of the commands, besides {@code --kafka.*}. */
    public static final Set<String> FLAGS =
            Set.copyOf(
                    flagsByCommand().values().stream()
                            .flatMap(Set::stream)
                            .collect(java.util.stream.Collectors.toSet()));

    @Override
    public Integer call() {
        err.println(
                "worker.jar: a command is required: worker, feed, report or audit (see worker.jar"
                        + " --help)");
        return Cli.USAGE;
    }

    /** The node's capabilities from the topology (the bundled default when null), if listed. */
    static org.edgellm.events.NodeCapabilities capabilities(
            Path topology, String domain, String node) throws java.io.IOException {
        org.edgellm.job.Topology t =
                topology != null
                        ? org.edgellm.job.Topology.load(topology)
                        : org.edgellm.job.Topology.defaults();
        org.edgellm.job.NodeSpec n = t.node(domain, node);
        if (n == null) {
            return null;
        }
        java.util.List<org.edgellm.events.VariantInfo> vs = new java.util.ArrayList<>();
        for (org.edgellm.job.NodeSpec.VariantSpec v : n.variants) {
            vs.add(
                    new org.edgellm.events.VariantInfo(
                            v.name, v.weightBits, v.activationBits, v.kvBits, v.pplIncrease));
        }
        return org.edgellm.events.NodeCapabilities.newBuilder()
                .setMemoryBytes(n.memoryBytes)
                .setReserveBytes(n.reserveBytes)
                .setMemoryBandwidth(n.memoryBandwidth)
                .setPeakFlops16(n.peakFlops16)
                .setPeakFlops8(n.peakFlops8)
                .setPeakFlops4(n.peakFlops4)
                .setEfficiency(n.efficiency)
                .setUplinkHz(n.uplinkHz)
                .setDownlinkHz(n.downlinkHz)
                .setVariants(vs)
                .build();
    }

    /**
     * The settings of {@code --kafka-properties} under the {@code --kafka.*} flags; an unreadable
     * file is an IllegalArgumentException naming it.
     */
    static Map<String, String> withFile(String file, Map<String, String> flags) {
        Map<String, String> out =
                new LinkedHashMap<>(org.edgellm.job.JobConfig.kafkaPropertiesFile(file));
        out.putAll(flags);
        return out;
    }
}
