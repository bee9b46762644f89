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
import java.util.List;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.bench.OtBenchmark;
import org.edgellm.scheduler.io.InstanceJson;
import org.edgellm.scheduler.io.InvalidInstanceException;
import org.edgellm.scheduler.io.ScheduleJson;

/**
 * The {@code scheduler.jar} command line.
 *
 * <pre>
 * solve [--algorithm NAME] [--budget-micros N] [--budget-nodes N] [--seed N] [--static-batch K] [FILE...]
 * bench ot [--quick] [--seed N] [--out FILE]
 * </pre>
 *
 * <p>{@code solve} reads instance JSON files (stdin when none; stdin may hold several objects) and
 * prints one result object per line, in input order. Invalid input prints one line naming the file,
 * the field and the value, and exits with status 2; nothing else is printed for it.
 */
public final class Main {

    static final String USAGE =
            "usage: scheduler.jar solve [--algorithm "
                    + String.join("|", Algorithms.NAMES)
                    + "] [--budget-micros N] [--budget-nodes N] [--seed N] [--static-batch K]"
                    + " [FILE...]\n"
                    + "       scheduler.jar bench ot [--quick] [--seed N] [--out FILE]";

    private Main() {}

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        System.out.flush();
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs a command; returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        try {
            return switch (args[0]) {
                case "solve" -> solve(tail(args), in, out, err);
                case "bench" -> OtBenchmark.run(tail(args), out, err);
                case "--help", "-h", "help" -> {
                    out.println(USAGE);
                    yield 0;
                }
                default -> {
                    err.println("unknown command: " + args[0] + "\n" + USAGE);
                    yield 2;
                }
            };
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static String[] tail(String[] a) {
        String[] t = new String[a.length - 1];
        System.arraycopy(a, 1, t, 0, t.length);
        return t;
    }

    static int solve(String[] args, InputStream in, PrintStream out, PrintStream err)
            throws UsageException {
        String algorithm = "ot-gah";
        long budgetMicros = 0;
        long budgetNodes = 0;
        long seed = 1;
        int staticBatch = 8;
        List<String> files = new ArrayList<>();
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            switch (a) {
                case "--algorithm" -> algorithm = value(args, ++k, a);
                case "--budget-micros" -> budgetMicros = longValue(args, ++k, a, 0);
                case "--budget-nodes" -> budgetNodes = longValue(args, ++k, a, 0);
                case "--seed" -> seed = longValue(args, ++k, a, Long.MIN_VALUE);
                case "--static-batch" -> staticBatch = (int) longValue(args, ++k, a, 1);
                default -> {
                    if (a.startsWith("--")) {
                        throw new UsageException("unknown option: " + a + "\n" + USAGE);
                    }
                    files.add(a);
                }
            }
        }
        Scheduler scheduler = Algorithms.byName(algorithm, seed, staticBatch);
        if (scheduler == null) {
            throw new UsageException(
                    "--algorithm: unknown algorithm \""
                            + algorithm
                            + "\"; one of "
                            + String.join(", ", Algorithms.NAMES));
        }
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

    private record Input(String name, JsonNode json) {}

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String value(String[] args, int k, String flag) throws UsageException {
        if (k >= args.length) {
            throw new UsageException(flag + ": missing value");
        }
        return args[k];
    }

    static long longValue(String[] args, int k, String flag, long min) throws UsageException {
        String v = value(args, k, flag);
        try {
            long x = Long.parseLong(v);
            if (x < min) {
                throw new UsageException(flag + ": must be at least " + min + " (got " + v + ")");
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": not an integer (got " + v + ")");
        }
    }

    /** A command-line mistake; its message is printed as is. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }
}
