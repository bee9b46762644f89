package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.edgellm.job.testing.PicocliWarnings;
import org.edgellm.scheduler.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** bench.jar's command line: help, version, one-line errors with status 2, and the quick ot. */
class BenchMainTest {

    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                BenchMain.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertUsageError(Result r, String... fragments) {
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }

    static final List<String> COMMANDS = List.of("paper", "ot", "trace", "job", "slot-wait");

    /** Every subcommand bench.jar has, as its command line lists them (but picocli's help). */
    static List<String> allCommands() {
        return BenchMain.commandLine(System.out, System.err).getSubcommands().keySet().stream()
                .filter(c -> !c.equals("help"))
                .toList();
    }

    @Test
    void everyCommandAnswersHelpWithEachFlagAndExitsZero() {
        Map<String, CommandLine> subs =
                BenchMain.commandLine(System.out, System.err).getSubcommands();
        assertTrue(subs.keySet().containsAll(COMMANDS), subs.keySet().toString());
        assertTrue(subs.size() >= 11, "every benchmark is a subcommand: " + subs.keySet());
        for (String c : allCommands()) {
            Result r = PicocliWarnings.none(c, () -> run(c, "--help"));
            assertEquals(0, r.status(), c + ": " + r.err());
            for (OptionSpec o : subs.get(c).getCommandSpec().options()) {
                assertTrue(r.out().contains(o.longestName()), c + " " + o.longestName());
                assertFalse(o.description().length == 0, c + " " + o.longestName() + " described");
            }
        }
        assertTrue(run("paper", "--help").out().contains("Default: 100"));
        assertTrue(run("job", "--help").out().contains("Default: 1000"));
        Result top = run("--help");
        assertEquals(0, top.status());
        for (String c : allCommands()) {
            assertTrue(top.out().contains(c), c);
        }
    }

    @Test
    void versionIsTheProjectVersion() {
        for (String[] args : new String[][] {{"--version"}, {"trace", "--version"}}) {
            Result r = run(args);
            assertEquals(0, r.status());
            assertEquals("bench.jar " + Cli.projectVersion(), r.out().strip());
        }
    }

    @Test
    void mistakesAreOneLineNamingFlagAndValue() {
        for (String c : allCommands()) {
            // the two wrappers pass their flags to the product command they run, which answers
            String who =
                    switch (c) {
                        case "report" -> "worker.jar report";
                        case "simulate-plots" -> "job-local.jar simulate";
                        default -> "bench.jar " + c;
                    };
            assertUsageError(run(c, "--no-such-flag"), who, "--no-such-flag");
        }
        assertUsageError(run("paper", "--instances", "3000000000"), "--instances", "3000000000");
        assertUsageError(run("paper", "--instances", "0"), "--instances", "'0'");
        assertUsageError(run("ot", "--seed", "x1"), "--seed", "x1");
        assertUsageError(run("trace", "--minutes", "NaN"), "--minutes", "NaN");
        assertUsageError(run("trace", "--users", "-3"), "--users", "-3");
        assertUsageError(run("job", "--rate", "2.5"), "--rate", "2.5");
        assertUsageError(run("job", "--nodes-per-domain", "27"), "--nodes-per-domain", "27");
        assertUsageError(run("job", "--warmup-seconds", "-1"), "--warmup-seconds", "-1");
        assertUsageError(run("job", "--delivery", "twice"), "--delivery", "twice");
        assertUsageError(run("job", "--shape", "huge"), "--shape", "huge");
        assertUsageError(run("job", "--state-backend", "disk"), "--state-backend", "disk");
        assertUsageError(
                run("job", "--delivery", "exactly-once", "--checkpoint-ms", "0"),
                "--checkpoint-ms",
                "0");
        assertUsageError(run("state-serializers", "--iterations", "0"), "--iterations", "'0'");
        assertUsageError(run("nonsense"), "nonsense");
        assertUsageError(run(), "command");
    }

    @Test
    void quickOtPrintsAndWritesTheTables() throws Exception {
        Path f = dir.resolve("ot.md");
        Result r = run("ot", "--quick", "--seed", "7", "--out", f.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("## OT against brute force"), r.out());
        assertEquals(r.out(), Files.readString(f));
        // on one node OT is exact: no instance where it and brute force differ
        String row = r.out().lines().filter(l -> l.startsWith("| 10 |")).findFirst().orElseThrow();
        assertTrue(row.endsWith("| 0 |"), row);
    }

    /**
     * Both serializers of each state value, with byte counts (which do not depend on timing): the
     * hand-written formats are the smaller, since they write no per-field null marks.
     */
    @Test
    void stateSerializersCompareBothSerializersOfEachValue() {
        Result r = run("state-serializers", "--iterations", "50", "--rounds", "1");
        assertEquals(0, r.status(), r.err());
        List<String[]> rows =
                r.out()
                        .lines()
                        .filter(l -> l.startsWith("| ") && !l.startsWith("| value"))
                        .map(l -> l.substring(2, l.length() - 2).split(" \\| "))
                        .toList();
        assertEquals(8, rows.size(), r.out());
        for (int i = 0; i < rows.size(); i += 2) {
            String[] pojo = rows.get(i);
            String[] hand = rows.get(i + 1);
            assertEquals("POJO", pojo[1], r.out());
            assertEquals("hand-written", hand[1], r.out());
            assertEquals(pojo[0], hand[0], r.out());
            assertTrue(
                    Integer.parseInt(hand[5]) < Integer.parseInt(pojo[5]),
                    "bytes of " + hand[0] + ": " + r.out());
        }
    }
}
