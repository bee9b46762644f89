package org.edgellm.scheduler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.List;
import org.edgellm.scheduler.cli.SolveCommandTest.Result;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** scheduler.jar's command line: help, version, and one-line errors with status 2. */
class MainCliTest {

    static Result run(String... args) {
        return SolveCommandTest.run(InputStream.nullInputStream(), args);
    }

    /** One line on stderr, nothing on stdout, status 2, no stack trace, every fragment in it. */
    static void assertUsageError(Result r, String... fragments) {
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.isEmpty());
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }

    @Test
    void helpListsEveryFlagWithItsDefaultAndExitsZero() {
        CommandLine solve =
                Main.commandLine(InputStream.nullInputStream(), System.out, System.err)
                        .getSubcommands()
                        .get("solve");
        List<String> flags =
                solve.getCommandSpec().options().stream().map(OptionSpec::longestName).toList();
        assertTrue(
                flags.containsAll(
                        List.of(
                                "--algorithm",
                                "--budget-micros",
                                "--budget-nodes",
                                "--seed",
                                "--static-batch",
                                "--help",
                                "--version")),
                flags.toString());
        for (String[] args :
                new String[][] {{"solve", "--help"}, {"help", "solve"}, {"solve", "-h"}}) {
            Result r = run(args);
            assertEquals(0, r.status(), r.err());
            assertEquals("", r.err());
            for (String f : flags) {
                assertTrue(r.out().contains(f), f + " in " + r.out());
            }
            assertTrue(r.out().contains("Default: ot-gah") && r.out().contains("Default: 8"));
            assertTrue(r.out().contains("round-robin"), "the algorithms are listed");
        }
        Result top = run("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("solve") && top.out().contains("--version"), top.out());
    }

    @Test
    void versionIsTheProjectVersion() {
        String v = Cli.projectVersion();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), v);
        for (String[] args : new String[][] {{"--version"}, {"solve", "--version"}, {"-V"}}) {
            Result r = run(args);
            assertEquals(0, r.status());
            assertEquals("scheduler.jar " + v, r.out().strip());
        }
    }

    @Test
    void unknownFlagIsOneLineNamingIt() {
        assertUsageError(run("solve", "--no-such-flag", "x.json"), "--no-such-flag");
        assertUsageError(run("--no-such-flag"), "--no-such-flag");
        assertUsageError(run("nonsense"), "nonsense");
        assertUsageError(run(), "command");
    }

    @Test
    void badNumbersAreOneLineNamingFlagAndValue() {
        assertUsageError(run("solve", "--seed", "abc"), "--seed", "abc");
        assertUsageError(run("solve", "--budget-nodes", "-1"), "--budget-nodes", "-1");
        assertUsageError(run("solve", "--budget-micros", "1.5"), "--budget-micros", "1.5");
        // above Integer.MAX_VALUE: an error, not a wrap to a negative batch size
        assertUsageError(
                run("solve", "--static-batch", "2147483648"), "--static-batch", "2147483648");
        assertUsageError(run("solve", "--static-batch", "0"), "--static-batch", "'0'");
        assertUsageError(
                run("solve", "--seed", "99999999999999999999"), "--seed", "99999999999999999999");
        assertUsageError(run("solve", "--algorithm", "magic"), "--algorithm", "magic");
        assertUsageError(run("solve", "--seed"), "--seed");
    }

    @Test
    void flagsMayBeRepeatedAndTakeEitherSeparator() throws Exception {
        Result r = run("solve", "--seed", "3", "--seed=4", "--static-batch=2");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out(), "no instance on stdin, no result");
    }
}
