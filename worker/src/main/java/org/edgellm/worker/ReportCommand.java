package org.edgellm.worker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import org.edgellm.worker.CommandOptions.Connection;
import org.edgellm.worker.CommandOptions.Outcomes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code worker.jar report}: hands its flags to {@link Report}, with the bench.jar command that
 * would draw the PNG plots as well.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Reads the completions and rejections topics to their end and prints deadline"
                    + " attainment, goodput and the prediction error; writes them as JSON."
        },
        footer = WorkerMain.KAFKA_FLAG_HELP)
final class ReportCommand implements Callable<Integer> {
    private final Map<String, String> kafka;

    @Spec CommandSpec spec;

    @Mixin Connection connection;

    @Mixin Outcomes outcomes;

    @Option(names = "--out", paramLabel = "FILE", description = "The JSON report.")
    String out = "report.json";

    @Option(
            names = "--plots",
            paramLabel = "DIR",
            description =
                    "Also write the run's series over time to DIR as CSV files (attainment,"
                            + " goodput, utilisation, rejections, latency-cdf); the PNG plots"
                            + " need bench.jar (java -jar bench/target/bench.jar report ...)."
                            + " Default: none.")
    String plots;

    ReportCommand(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    @Override
    public Integer call() throws Exception {
        Report.run(CommandOptions.asMap(spec), connection.kafka(kafka), benchCommand(spec, kafka));
        return 0;
    }

    /**
     * The same command under bench.jar, which draws the PNG plots too: the arguments as given
     * (those after the command's name), the values of {@code --kafka.*} flags left out (they may
     * hold secrets).
     */
    static String benchCommand(CommandSpec spec, Map<String, String> kafka) {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        StringBuilder sb = new StringBuilder("java -jar bench/target/bench.jar " + spec.name());
        for (String a : all.subList(all.indexOf(spec.name()) + 1, all.size())) {
            sb.append(' ')
                    .append(
                            a.matches("[A-Za-z0-9_./:=,@%+-]+")
                                    ? a
                                    : "'" + a.replace("'", "'\\''") + "'");
        }
        if (!kafka.isEmpty()) {
            sb.append(" (with your --kafka.* flags)");
        }
        return sb.toString();
    }
}
