package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.edgellm.job.replay.GapFill;
import org.edgellm.job.replay.RequestTraces;
import org.edgellm.job.replay.TraceImport;
import org.edgellm.job.replay.Traces;
import org.junit.jupiter.api.Test;

/**
 * {@code worker.jar feed} takes the trace flags of replay and simulate: formats, columns and gap
 * filling reach the import, with the same defaults; mistakes are refused before Kafka is touched.
 */
class FeedTraceFlagsTest {

    @Test
    void withoutTraceFlagsTheFeedImportsAsReplayDoes() {
        assertEquals(TraceImport.Sources.azure(null, null), Feeder.sources(Map.of()));
        assertEquals(GapFill.Mode.INTERPOLATE, Feeder.sources(Map.of()).gapFill());
    }

    @Test
    void theFlagsAsTheFeedCommandHandsThemOn() {
        Map<String, String> f =
                Map.ofEntries(
                        Map.entry("requests", "t.csv"),
                        Map.entry("requests-format", "csv"),
                        Map.entry("time-column", "at"),
                        Map.entry("time-unit", "us"),
                        Map.entry("channels-dir", "radio"),
                        Map.entry("channels-format", "csv"),
                        Map.entry("channel-time-column", "when"),
                        Map.entry("channel-throughput-column", "dl"),
                        Map.entry("channel-throughput-unit", "kbps"),
                        Map.entry("channel-bandwidth-mhz", "20"),
                        Map.entry("channel-gap-fill", "hold"),
                        Map.entry("channel-gap-max-ms", "5000"));
        TraceImport.Sources s = Feeder.sources(f);
        assertEquals("t.csv", s.requests());
        assertEquals(RequestTraces.Format.CSV, s.requestsFormat());
        assertEquals(
                new RequestTraces.Columns(
                        "at", "prompt_tokens", "output_tokens", RequestTraces.TimeUnit.US),
                s.columns());
        assertEquals(
                new Traces.RadioColumns(
                        "when",
                        null,
                        "dl",
                        RequestTraces.TimeUnit.S,
                        Traces.ThroughputUnit.KBPS,
                        20.0),
                s.channelColumns());
        assertEquals(GapFill.Mode.HOLD, s.gapFill());
        assertEquals(5000, s.gapMaxMs());
    }

    @Test
    void mistakesAreOneLineWithStatus2BeforeAnyKafka() {
        String[][] rows = {
            {"--requests", "a.jsonl", "--requests-csv", "b.csv"},
            {"--requests-format", "mooncake"},
            {"--channel-gap-fill", "sometimes"},
            {"--channels-format", "csv"},
            {"--requests", "/no/such/file.jsonl", "--requests-format", "mooncake"}
        };
        String[][] named = {
            {"--requests-csv", "b.csv"},
            {"--requests-format", "mooncake"},
            {"--channel-gap-fill", "sometimes"},
            {"--channels-format", "csv"},
            {"--requests", "/no/such/file.jsonl"}
        };
        for (int i = 0; i < rows.length; i++) {
            String[] args = new String[rows[i].length + 3];
            args[0] = "feed";
            System.arraycopy(rows[i], 0, args, 1, rows[i].length);
            args[args.length - 2] = "--bootstrap-servers";
            args[args.length - 1] = "127.0.0.1:1"; // nothing listens: must not get that far
            WorkerMainCliTest.Result r = WorkerMainCliTest.run(args);
            assertEquals(2, r.status(), String.join(" ", rows[i]) + ": " + r.err());
            String err = r.err().strip();
            assertFalse(err.contains("\n"), "one line: " + err);
            for (String n : named[i]) {
                assertTrue(err.contains(n), n + " in: " + err);
            }
        }
    }

    @Test
    void feedHelpListsTheTraceFlagsAndTheGapDefault() {
        WorkerMainCliTest.Result r = WorkerMainCliTest.run("feed", "--help");
        assertEquals(0, r.status());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--requests-format"), help);
        assertTrue(help.contains("--channel-gap-fill"), help);
        assertTrue(help.contains("Default: interpolate"), help);
        assertEquals(1, help.split("Default: 900000", -1).length - 1, "shown once: " + help);
        assertFalse(help.contains("Default: null"), help);
    }
}
