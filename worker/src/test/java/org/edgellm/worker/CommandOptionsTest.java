package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the commands hand on: the flag map {@link Feeder}, {@link Report} and {@link Audit} read
 * (mixed-in blocks included, under the same names), and report's bench.jar command line.
 */
class CommandOptionsTest {

    /** The parsed command's spec, after the {@code --kafka.*} flags were taken out. */
    static CommandSpec parsed(Map<String, String> kafka, String... args) {
        String[] rest = WorkerMain.extractKafkaFlags(args, kafka);
        CommandLine cl = WorkerMain.commandLine(kafka, System.out, System.err);
        return cl.parseArgs(rest).subcommand().commandSpec();
    }

    @Test
    void auditHandsOnEveryValueAndOnlyTheSwitchesGiven() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("bootstrap-servers", "b:1");
        expected.put("requests-topic", "inference-requests");
        expected.put("decisions-topic", "d");
        expected.put("completions-topic", "completions");
        expected.put("rejections-topic", "rejections");
        expected.put("timeout-ms", "5");
        expected.put("expect-all", "true");
        Map<String, String> f =
                CommandOptions.asMap(
                        parsed(
                                new LinkedHashMap<>(),
                                "audit",
                                "--bootstrap-servers",
                                "b:1",
                                "--decisions-topic",
                                "d",
                                "--timeout-ms",
                                "5",
                                "--expect-all",
                                "--kafka-properties",
                                "client.properties"));
        // --at-least-once not given: absent; --out has no default: absent; the properties file is
        // read by the command, not handed on
        assertEquals(expected, f);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(f.keySet()));
    }

    @Test
    void feedAndReportHandOnTheirMixedInFlags() {
        Map<String, String> feed =
                CommandOptions.asMap(
                        parsed(
                                new LinkedHashMap<>(),
                                "feed",
                                "--requests-topic",
                                "r",
                                "--users",
                                "3"));
        assertEquals("r", feed.get("requests-topic"));
        assertEquals("channel-state", feed.get("channels-topic"));
        assertEquals("3", feed.get("users"));
        assertEquals("localhost:9092", feed.get("bootstrap-servers"));
        Map<String, String> report =
                CommandOptions.asMap(parsed(new LinkedHashMap<>(), "report", "--plots", "p"));
        assertEquals(
                Map.of(
                        "bootstrap-servers", "localhost:9092",
                        "completions-topic", "completions",
                        "rejections-topic", "rejections",
                        "timeout-ms", "120000",
                        "out", "report.json",
                        "plots", "p"),
                report);
    }

    @Test
    void reportsBenchCommandQuotesArgumentsAndLeavesOutKafkaValues() {
        Map<String, String> kafka = new LinkedHashMap<>();
        CommandSpec spec =
                parsed(
                        kafka,
                        "report",
                        "--out",
                        "my report.json",
                        "--kafka.sasl.jaas.config",
                        "secret",
                        "--plots",
                        "it's");
        assertEquals(
                "java -jar bench/target/bench.jar report --out 'my report.json' --plots 'it'\\''s'"
                        + " (with your --kafka.* flags)",
                ReportCommand.benchCommand(spec, kafka));
        assertEquals(
                "java -jar bench/target/bench.jar report --timeout-ms=5",
                ReportCommand.benchCommand(
                        parsed(new LinkedHashMap<>(), "report", "--timeout-ms=5"), Map.of()));
    }
}
