package org.edgellm.worker;

import java.util.Map;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import org.edgellm.worker.CommandOptions.Connection;
import org.edgellm.worker.CommandOptions.DecisionsTopic;
import org.edgellm.worker.CommandOptions.Outcomes;
import org.edgellm.worker.CommandOptions.RequestsTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code worker.jar audit}: hands its flags to {@link Audit}; exits 1 when a duplicate is found, or
 * with {@code --expect-all} when a request went undecided or a decided one was lost.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Reads the topics to their end and checks that no decision, request or completion"
                    + " is there twice (and with --expect-all that every request was decided or"
                    + " rejected and every decided one completed or reported UNFINISHED);"
                    + " prints the result as JSON.",
            "Exit status 0 when everything holds, 1 otherwise."
        },
        footer = WorkerMain.KAFKA_FLAG_HELP)
final class AuditCommand implements Callable<Integer> {
    private final Map<String, String> kafka;

    @Spec CommandSpec spec;

    @Mixin Connection connection;

    @Mixin RequestsTopic requests;

    @Mixin DecisionsTopic decisions;

    @Mixin Outcomes outcomes;

    @Option(
            names = "--expect-all",
            description =
                    "Also require every request decided or rejected, and every decided"
                            + " request completed or reported UNFINISHED (off by default).")
    boolean expectAll;

    @Option(
            names = "--at-least-once",
            description =
                    "The job ran at-least-once: a decision id repeated identically is not a"
                            + " duplicate (off by default).")
    boolean atLeastOnce;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Also write the JSON result to FILE (default: printed only).")
    String out;

    AuditCommand(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    @Override
    public Integer call() throws Exception {
        Audit.Result r = Audit.run(CommandOptions.asMap(spec), connection.kafka(kafka));
        boolean ok =
                r.noDuplicates() && (!expectAll || (r.undecided().isEmpty() && r.lost().isEmpty()));
        return ok ? 0 : 1;
    }
}
