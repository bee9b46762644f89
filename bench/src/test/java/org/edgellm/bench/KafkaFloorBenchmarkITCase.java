package org.edgellm.bench;

import static org.edgellm.bench.KafkaJobBenchmarkITCase.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick run of {@code bench.jar kafka-floor} at a rate any machine keeps up with: the readers see
 * what the generator produced (requests, as many channel states, heartbeats), each request's
 * latency is taken once, and the Markdown holds the JSON line. No timing thresholds.
 */
class KafkaFloorBenchmarkITCase {

    @TempDir Path dir;

    @Test
    void quickRunReadsWhatWasProduced() throws Exception {
        Path md = dir.resolve("floor.md");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                BenchMain.run(
                        new String[] {
                            "kafka-floor",
                            "--rate",
                            "200",
                            "--domains",
                            "10",
                            "--seconds",
                            "4",
                            "--warmup-seconds",
                            "3",
                            "--jit-settle-seconds",
                            "0",
                            "--markdown",
                            md.toString()
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = out.toString(StandardCharsets.UTF_8).strip().lines().toList();
        String json = lines.get(lines.size() - 1);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        double produced = field(json, "producedRequestEventsPerSecond");
        double read = field(json, "readRequestEventsPerSecond");
        double channels = field(json, "readChannelEventsPerSecond");
        assertTrue(produced > 100, json);
        // at 200 requests/s the readers keep up: they read about what was produced, and a
        // channel state with every request
        assertTrue(Math.abs(read - produced) <= 0.25 * produced, json);
        assertTrue(Math.abs(channels - read) <= 0.25 * read, json);
        assertTrue(field(json, "readHeartbeatsPerSecond") > 0, json);
        // one latency per request stamped in the window: about the window's requests
        double samples = field(json, "latencySamples");
        double seconds = field(json, "seconds");
        assertTrue(Math.abs(samples - produced * seconds) <= 0.25 * produced * seconds, json);
        // no wait for the compilers: the warm-up is the 3 s asked for
        assertEquals(3.0, field(json, "warmupSeconds"), 0.5, json);
        double p50 = field(json, "p50Ms");
        double p99 = field(json, "p99Ms");
        assertTrue(p50 >= 0 && p50 <= p99, json);
        String text = Files.readString(md);
        assertTrue(text.contains("### Kafka floor, 10 domains, rate 200"), text);
        assertTrue(text.contains(json), text);
    }
}
