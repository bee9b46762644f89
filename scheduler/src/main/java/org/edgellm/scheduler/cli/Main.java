package org.edgellm.scheduler.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.io.InstanceJson;
import org.edgellm.scheduler.io.InvalidInstanceException;
import org.edgellm.scheduler.io.ScheduleJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code scheduler.jar} command line.
 *
 * <pre>
 * solve [--algorithm NAME] [--budget-micros N] [--budget-nodes N] [--seed N] [--static-batch K] [FILE...]
 * </pre>
 *
 * <p>{@code solve} reads instance JSON files (stdin when none; stdin may hold several objects) and
 * prints one result object per line, in input order. Invalid input prints one line naming the file,
 * the field and the value, and exits with status 2; nothing else is printed for it. Every command
 * answers {@code --help} and {@code --version}; command-line mistakes follow {@link Cli}.
 */
@Command(
        name = "scheduler.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "The offline solver of the edge LLM scheduling model.",
        footer = "Benchmarks and figures: bench.jar (bench/target/bench.jar).")
public final class Main implements Callable<Integer> {

    private final PrintStream err;

    private Main(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return Cli.execute(commandLine(in, out, err), args, out, err);
    }

    /** The command tree, for {@link #run} and for tests that inspect the flags. */
    static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Main(err));
        cl.addSubcommand(new Solve(in, out, err));
        cl.addSubcommand(new CommandLine.HelpCommand());
        return cl;
    }

    /** No command: the usage, as a mistake. */
    @Override
    public Integer call() {
        err.println("scheduler.jar: a command is required (see scheduler.jar --help)");
        return Cli.USAGE;
    }

    /** {@code --algorithm}: one of {@link Algorithms#NAMES}. */
    static final class AlgorithmName implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (!Algorithms.NAMES.contains(v)) {
                throw new TypeConversionException(
                        "'" + v + "' is not one of " + String.join(", ", Algorithms.NAMES));
            }
            return v;
        }
    }

    /** The names of {@code --algorithm} for the help. */
    static final class AlgorithmNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Algorithms.NAMES.iterator();
        }
    }

    @Command(
            name = "solve",
            mixinStandardHelpOptions = true,
            versionProvider = Cli.Version.class,
            sortOptions = false,
            showDefaultValues = true,
            description = {
                "Solves instance JSON files (stdin when none; stdin may hold several objects) and"
                        + " prints one result object per line, in input order.",
                "Invalid input prints one line naming the file, the field and the value and exits"
                        + " with status 2."
            })
    static final class Solve implements Callable<Integer> {
        private final InputStream in;
        private final PrintStream out;
        private final PrintStream err;

        @Option(
                names = "--algorithm",
                paramLabel = "NAME",
                converter = AlgorithmName.class,
                completionCandidates = AlgorithmNames.class,
                description = "The scheduler: one of ${COMPLETION-CANDIDATES}.")
        String algorithm = "ot-gah";

        @Option(
                names = "--budget-micros",
                paramLabel = "N",
                converter = Cli.NonNegativeLong.class,
                description = "Time budget of the search per node, in µs (0: none).")
        long budgetMicros = 0;

        @Option(
                names = "--budget-nodes",
                paramLabel = "N",
                converter = Cli.NonNegativeLong.class,
                description = "Search-tree nodes budget per node (0: none).")
        long budgetNodes = 0;

        @Option(
                names = "--seed",
                paramLabel = "N",
                converter = Cli.AnyLong.class,
                description = "Seed of the random baseline.")
        long seed = 1;

        @Option(
                names = "--static-batch",
                paramLabel = "K",
                converter = Cli.PositiveInt.class,
                description = "Batch size K of the static baseline.")
        int staticBatch = 8;

        @Parameters(
                paramLabel = "FILE",
                arity = "0..*",
                showDefaultValue = CommandLine.Help.Visibility.NEVER,
                description =
                        "Instance JSON files, in the specification's format (stdin when none).")
        List<String> files = new ArrayList<>();

        Solve(InputStream in, PrintStream out, PrintStream err) {
            this.in = in;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            Scheduler scheduler = Algorithms.byName(algorithm, seed, staticBatch);
            SearchBudget budget = new SearchBudget(budgetNodes, budgetMicros);
            List<Input> inputs = new ArrayList<>();
            if (files.isEmpty()) {
                try {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    MappingIterator<JsonNode> it =
                            InstanceJson.MAPPER.readerFor(JsonNode.class).readValues(text);
                    int k = 0;
                    while (it.hasNextValue()) {
                        inputs.add(new Input("<stdin>#" + (++k), it.nextValue()));
                    }
                } catch (IOException | RuntimeException e) {
                    err.println("<stdin>: malformed JSON: " + oneLine(e.getMessage()));
                    return 2;
                }
            } else {
                for (String f : files) {
                    try {
                        String text = Files.readString(Path.of(f));
                        inputs.add(new Input(f, InstanceJson.MAPPER.readTree(text)));
                    } catch (NoSuchFileException e) {
                        err.println(f + ": no such file");
                        return 2;
                    } catch (IOException | RuntimeException e) {
                        err.println(f + ": malformed JSON: " + oneLine(e.getMessage()));
                        return 2;
                    }
                }
            }
            List<Instance> instances = new ArrayList<>();
            for (Input input : inputs) {
                try {
                    instances.add(InstanceJson.parse(input.json));
                } catch (InvalidInstanceException e) {
                    err.println(input.name + ": " + e.getMessage());
                    return 2;
                }
            }
            for (int k = 0; k < instances.size(); k++) {
                Schedule s;
                try {
                    s = scheduler.solve(instances.get(k), budget);
                } catch (IllegalArgumentException e) {
                    err.println(inputs.get(k).name + ": " + e.getMessage());
                    return 2;
                }
                out.println(ScheduleJson.toJson(s).toString());
            }
            return 0;
        }
    }

    private record Input(String name, JsonNode json) {}

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
