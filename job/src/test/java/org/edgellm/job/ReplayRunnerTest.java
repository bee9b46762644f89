package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.replay.ReplayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay of recorded traces: deterministic, complete, consistent with its own summary. */
class ReplayRunnerTest {

    @TempDir Path dir;

    ObjectNode replay(Path out, String... extra) throws Exception {
        String[] base = {"--out", out.toString(), "--minutes", "1", "--seed", "5"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return ReplayRunner.run(
                args,
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void sameInputAndSeedGiveByteIdenticalOutput() throws Exception {
        ObjectNode a = replay(dir.resolve("a"));
        ObjectNode b = replay(dir.resolve("b"));
        for (String f :
                List.of(
                        "decisions.jsonl",
                        "rejections.jsonl",
                        "slot-reports.jsonl",
                        "dead-letters.jsonl")) {
            assertArrayEquals(
                    Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)),
                    f);
        }
        a.remove("timing");
        b.remove("timing");
        assertEquals(a, b);
        // the importer's event files replay to the same decisions
        ObjectNode c =
                replay(dir.resolve("c"), "--events", dir.resolve("a").resolve("events").toString());
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("a").resolve("decisions.jsonl")),
                Files.readAllBytes(dir.resolve("c").resolve("decisions.jsonl")));
        assertEquals(a.get("assigned"), c.get("assigned"));
    }

    @Test
    void everyRequestEndsOnceAndDecisionsCarryWhatUsersNeed() throws Exception {
        ObjectNode s = replay(dir.resolve("x"), "--scheduler", "ot-gah");
        int requests = s.get("requests").asInt();
        assertTrue(requests > 150, "one minute of the trace: " + requests);
        assertEquals(0, s.get("undecided").asInt());
        ObjectMapper m = new ObjectMapper();
        Set<String> seen = new HashSet<>();
        int decided = 0;
        for (String line : Files.readAllLines(dir.resolve("x").resolve("decisions.jsonl"))) {
            JsonNode d = m.readTree(line);
            for (String f :
                    List.of("slotEnd", "node", "variant", "computeStartMs", "computeEndMs")) {
                assertTrue(d.has(f), f);
            }
            for (JsonNode r : d.get("requests")) {
                for (String f :
                        List.of(
                                "id",
                                "arrival",
                                "deadline",
                                "promptTokens",
                                "maxOutputTokens",
                                "maxPplIncrease",
                                "predictedFinishMs")) {
                    assertTrue(r.has(f), f);
                }
                assertTrue(seen.add(r.get("id").asText()), "twice: " + r.get("id"));
                assertTrue(r.get("predictedFinishMs").asDouble() <= r.get("deadline").asDouble());
                decided++;
            }
        }
        for (String line : Files.readAllLines(dir.resolve("x").resolve("rejections.jsonl"))) {
            assertTrue(
                    seen.add(m.readTree(line).get("requestId").asText()), "decided and rejected");
        }
        assertEquals(requests, seen.size());
        assertEquals(s.get("assigned").asInt(), decided);
        assertTrue(decided > requests / 3, "a real share is served: " + decided);
    }

    @Test
    void schedulersCanBeComparedOnTheSameTrace() throws Exception {
        ObjectNode ot = replay(dir.resolve("ot"), "--scheduler", "ot-gah");
        ObjectNode fcfs = replay(dir.resolve("fcfs"), "--scheduler", "fcfs");
        assertEquals(ot.get("requests"), fcfs.get("requests"));
        assertTrue(
                ot.get("assigned").asInt() >= fcfs.get("assigned").asInt() * 0.9,
                "ot-gah " + ot.get("assigned") + " vs fcfs " + fcfs.get("assigned"));
    }
}
