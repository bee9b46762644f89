package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.scheduler.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** worker.jar's command line: help, version, one-line errors with status 2, --kafka.* flags. */
class WorkerMainCliTest {

    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                WorkerMain.run(
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
        assertFalse(err.isEmpty());
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "'" + f + "' in: " + err);
        }
    }

    @Test
    void everyCommandAnswersHelpWithEachFlagAndItsDefault() {
        Map<String, Set<String>> flags = WorkerMain.flagsByCommand();
        assertEquals(Set.of("worker", "feed", "report", "audit"), flags.keySet());
        for (Map.Entry<String, Set<String>> e : flags.entrySet()) {
            Result r = run(e.getKey(), "--help");
            assertEquals(0, r.status(), e.getKey() + ": " + r.err());
            assertEquals("", r.err());
            for (String f : e.getValue()) {
                assertTrue(r.out().contains("--" + f), e.getKey() + " --" + f + ":\n" + r.out());
            }
            assertTrue(r.out().contains("--kafka.NAME VALUE"), e.getKey());
            assertTrue(r.out().contains("Default: localhost:9092"), e.getKey());
        }
        String worker = run("worker", "--help").out();
        for (String d :
                List.of(
                        "Default: batch-decisions",
                        "Default: 500",
                        "Default: simulated",
                        "Default: 0.05",
                        "Default: worker-state")) {
            assertTrue(worker.contains(d), d);
        }
        assertTrue(run("report", "--help").out().contains("Default: report.json"));
        assertTrue(run("feed", "--help").out().contains("Default: inference-requests"));
        Result top = run("--help");
        assertEquals(0, top.status());
        for (String c : flags.keySet()) {
            assertTrue(top.out().contains(c), c);
        }
        assertEquals(0, run("help", "audit").status());
    }

    @Test
    void versionIsTheProjectVersion() {
        for (String[] args : new String[][] {{"--version"}, {"feed", "--version"}}) {
            Result r = run(args);
            assertEquals(0, r.status());
            assertEquals("worker.jar " + Cli.projectVersion(), r.out().strip());
        }
    }

    @Test
    void unknownFlagsAndCommandsAreOneLineNamingThem() {
        for (String c : List.of("worker", "feed", "report", "audit")) {
            assertUsageError(run(c, "--no-such-flag", "1"), "worker.jar " + c, "--no-such-flag");
        }
        // a flag of another command is unknown here
        assertUsageError(run("report", "--expect-all"), "--expect-all");
        assertUsageError(run("dance"), "dance");
        assertUsageError(run(), "command");
        assertUsageError(run("worker", "--domain-id", "d"), "--node-id");
    }

    @Test
    void badValuesAreOneLineNamingFlagAndValue() {
        String[] ids = {"worker", "--node-id", "n", "--domain-id", "d"};
        assertUsageError(run(with(ids, "--heartbeat-ms", "0")), "--heartbeat-ms", "'0'");
        assertUsageError(run(with(ids, "--heartbeat-ms", "fast")), "--heartbeat-ms", "fast");
        assertUsageError(run(with(ids, "--slowdown", "NaN")), "--slowdown", "NaN");
        assertUsageError(run(with(ids, "--jitter", "-0.1")), "--jitter", "-0.1");
        assertUsageError(run(with(ids, "--seed", "1.5")), "--seed", "1.5");
        assertUsageError(run(with(ids, "--backend", "gpu")), "--backend", "gpu");
        assertUsageError(run(with(ids, "--stream", "maybe")), "--stream", "maybe");
        assertUsageError(
                run(with(ids, "--timeout-ms", "99999999999999999999")),
                "--timeout-ms",
                "99999999999999999999");
        // above Integer.MAX_VALUE: an error naming the flag, not a wrap
        assertUsageError(run("feed", "--users", "2147483648"), "--users", "2147483648");
        assertUsageError(run("feed", "--speedup", "0"), "--speedup", "'0'");
        assertUsageError(run("feed", "--domains", "-1"), "--domains", "-1");
        assertUsageError(run("audit", "--timeout-ms", "-5"), "--timeout-ms", "-5");
        assertUsageError(run("report", "--timeout-ms"), "--timeout-ms");
        assertUsageError(run("audit", "--kafka.acks"), "--kafka.acks");
        assertUsageError(
                run("audit", "--kafka-properties", dir.resolve("missing.properties").toString()),
                "missing.properties");
    }

    static String[] with(String[] a, String... more) {
        String[] out = new String[a.length + more.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    @Test
    void kafkaFlagsAreTakenOutBeforeParsing() {
        Map<String, String> kafka = new LinkedHashMap<>();
        String[] rest =
                WorkerMain.extractKafkaFlags(
                        new String[] {
                            "feed",
                            "--kafka.security.protocol",
                            "SASL_SSL",
                            "--minutes",
                            "5",
                            "--kafka.sasl.jaas.config=x required a=\"b\";",
                            "--kafka-properties",
                            "f.properties",
                            "--kafka.client.id",
                            "--starts-with-dashes"
                        },
                        kafka);
        assertEquals(
                List.of("feed", "--minutes", "5", "--kafka-properties", "f.properties"),
                List.of(rest));
        assertEquals(
                Map.of(
                        "security.protocol", "SASL_SSL",
                        "sasl.jaas.config", "x required a=\"b\";",
                        "client.id", "--starts-with-dashes"),
                kafka);
        assertThrows(
                IllegalArgumentException.class,
                () -> WorkerMain.extractKafkaFlags(new String[] {"feed", "--kafka."}, kafka));
    }

    @Test
    void kafkaPropertiesFileIsUnderTheFlags() throws Exception {
        Path f = dir.resolve("client.properties");
        Files.writeString(f, "security.protocol=SSL\nacks=all\n");
        Map<String, String> m = WorkerMain.withFile(f.toString(), Map.of("acks", "1"));
        assertEquals(Map.of("security.protocol", "SSL", "acks", "1"), m);
    }
}
