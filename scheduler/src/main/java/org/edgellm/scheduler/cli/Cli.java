package org.edgellm.scheduler.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What the project's command lines (scheduler.jar, worker.jar, bench.jar) share on top of picocli:
 * one-line errors with status 2, the project version, range-checked numbers.
 *
 * <p>Conventions: {@code --help} and {@code --version} print to the output stream and exit 0; a
 * mistake on the command line (unknown flag, bad or out-of-range value, missing value or required
 * flag) prints ONE line naming the command, the flag and the value to the error stream and exits 2.
 * Flags may be repeated (the last one wins) and {@code @file} arguments are not expanded, as with
 * the hand-written parsers these replace.
 */
public final class Cli {

    /** Status of a command-line mistake. */
    public static final int USAGE = 2;

    private Cli() {}

    /**
     * Configures {@code cl} (and the subcommands already added to it) and runs it on {@code args};
     * returns the exit status.
     */
    public static int execute(CommandLine cl, String[] args, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler(
                (ex, a) -> {
                    CommandLine c = ex.getCommandLine();
                    if (ex instanceof MissingParameterException
                            && !c.getUnmatchedArguments().isEmpty()) {
                        // an unknown flag first: a misspelt required flag is then also missing
                        ex = new UnmatchedArgumentException(c, c.getUnmatchedArguments());
                    }
                    c.getErr().println(oneLine(ex));
                    c.getErr().flush();
                    return USAGE;
                });
        cl.setExecutionExceptionHandler(
                (ex, c, parsed) -> {
                    if (ex instanceof IllegalArgumentException) {
                        // a value the parser let through but the command refused
                        c.getErr().println(qualifiedName(c) + ": " + firstLine(ex.getMessage()));
                        c.getErr().flush();
                        return USAGE;
                    }
                    if (ex instanceof IOException) {
                        c.getErr().println(qualifiedName(c) + ": " + firstLine(ex.toString()));
                        c.getErr().flush();
                        return 1;
                    }
                    throw ex;
                });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    /** {@code <command>: <message> (see <command> --help)}, on one line. */
    static String oneLine(ParameterException ex) {
        String name = qualifiedName(ex.getCommandLine());
        return name + ": " + firstLine(ex.getMessage()) + " (see " + name + " --help)";
    }

    static String qualifiedName(CommandLine c) {
        return c.getCommandSpec().qualifiedName();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    /**
     * The version of the build, from a resource that Maven filters (present in the jars and on the
     * test class path alike).
     */
    public static String projectVersion() {
        try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through to the manifest
        }
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** The {@code --version} text of every command. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"${ROOT-COMMAND-NAME} " + projectVersion()};
        }
    }

    /** {@code v} within [{@code min}, {@code max}]; the error names the value and the range. */
    private static long inRange(String v, long min, long max, String type) {
        long x;
        try {
            x = Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            if (!v.strip().matches("[+-]?[0-9]+")) {
                throw new TypeConversionException("'" + v + "' is not " + type);
            }
            // beyond a long: out of the range, not a wrap
            x = v.strip().startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
            if (x >= min && x <= max) {
                throw new TypeConversionException(
                        "'" + v + "' is out of range: must be between " + min + " and " + max);
            }
        }
        if (x < min && max == Long.MAX_VALUE) {
            throw new TypeConversionException(
                    "'" + v + "' is out of range: must be at least " + min);
        }
        if (x < min || x > max) {
            throw new TypeConversionException(
                    "'" + v + "' is out of range: must be between " + min + " and " + max);
        }
        return x;
    }

    private static double finite(String v) {
        double x;
        try {
            x = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + v + "' is not a number");
        }
        if (!Double.isFinite(x)) {
            throw new TypeConversionException("'" + v + "' is not a finite number");
        }
        return x;
    }

    /**
     * {@code v} as an int within [{@code min}, {@code max}], for converters of other bounds; the
     * error names the value (picocli adds the flag).
     */
    public static int intInRange(String v, int min, int max) {
        return (int) inRange(v, min, max, "an integer");
    }

    /** An int of at least 1. */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return (int) inRange(v, 1, Integer.MAX_VALUE, "an integer");
        }
    }

    /** An int of at least 0. */
    public static final class NonNegativeInt implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            return (int) inRange(v, 0, Integer.MAX_VALUE, "an integer");
        }
    }

    /** A long of at least 1. */
    public static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return inRange(v, 1, Long.MAX_VALUE, "an integer");
        }
    }

    /** A long of at least 0. */
    public static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return inRange(v, 0, Long.MAX_VALUE, "an integer");
        }
    }

    /** Any long (a seed). */
    public static final class AnyLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            return inRange(v, Long.MIN_VALUE, Long.MAX_VALUE, "an integer");
        }
    }

    /** A finite number above 0. */
    public static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            double x = finite(v);
            if (!(x > 0)) {
                throw new TypeConversionException("'" + v + "' is out of range: must be above 0");
            }
            return x;
        }
    }

    /** A finite number of at least 0. */
    public static final class NonNegativeDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String v) {
            double x = finite(v);
            if (x < 0) {
                throw new TypeConversionException(
                        "'" + v + "' is out of range: must be at least 0");
            }
            return x;
        }
    }
}
