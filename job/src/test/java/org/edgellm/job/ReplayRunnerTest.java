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

    /**
     * The same minute of the bundled trace replayed with OT-GAH and with FCFS greedy: OT-GAH meets
     * at least as many deadlines (the docs report +23% goodput on the whole sample), and every one
     * of its slots is consistent with its own proof: the slot's objective is the number of requests
     * its decisions serve (all weights are 1), at most the proven upper bound, and a slot claimed
     * optimal reaches that bound.
     */
    @Test
    void otGahMeetsAtLeastAsManyDeadlinesAsFcfsAndEverySlotStaysWithinItsBound() throws Exception {
        ObjectNode ot = replay(dir.resolve("ot"), "--scheduler", "ot-gah");
        ObjectNode fcfs = replay(dir.resolve("fcfs"), "--scheduler", "fcfs");
        assertEquals(ot.get("requests"), fcfs.get("requests"));
        ObjectMapper m = new ObjectMapper();
        int[] onTime = new int[2];
        java.util.Map<String, Integer> servedBySlot = new java.util.HashMap<>();
        for (int k = 0; k < 2; k++) {
            ObjectNode summary = k == 0 ? ot : fcfs;
            Path out = dir.resolve(k == 0 ? "ot" : "fcfs");
            for (String line : Files.readAllLines(out.resolve("decisions.jsonl"))) {
                JsonNode d = m.readTree(line);
                for (JsonNode r : d.get("requests")) {
                    if (r.get("predictedFinishMs").asDouble() <= r.get("deadline").asDouble()) {
                        onTime[k]++;
                    }
                    if (k == 0) {
                        servedBySlot.merge(
                                d.get("domain").asText() + "/" + d.get("slotEnd").asLong(),
                                1,
                                Integer::sum);
                    }
                }
            }
            assertEquals(
                    onTime[k] / summary.get("traceSeconds").asDouble(),
                    summary.get("goodputPerSecond").asDouble(),
                    1e-9,
                    "goodput is the on-time count per trace second");
        }
        System.out.printf(
                "one minute of the sample: ot-gah %d on time, fcfs %d%n", onTime[0], onTime[1]);
        assertTrue(onTime[0] >= onTime[1], "ot-gah " + onTime[0] + " on time vs fcfs " + onTime[1]);
        int slots = 0;
        int unproven = 0;
        for (String line : Files.readAllLines(dir.resolve("ot").resolve("slot-reports.jsonl"))) {
            JsonNode r = m.readTree(line);
            if (r.get("nodesOffered").asInt() == 0 || r.get("pending").asInt() == 0) {
                continue; // only rejections this slot: the scheduler did not run
            }
            slots++;
            String slot = r.get("domain").asText() + "/" + r.get("slotEnd").asLong();
            double objective = r.get("objective").asDouble();
            double bound = r.get("upperBound").asDouble();
            assertEquals(servedBySlot.getOrDefault(slot, 0), objective, 1e-9, slot);
            assertTrue(objective <= bound + 1e-9, slot + ": " + objective + " > bound " + bound);
            if (r.get("provenOptimal").asBoolean()) {
                assertEquals(bound, objective, 1e-9, slot + " claims a proven optimum");
            } else {
                unproven++;
            }
        }
        System.out.printf("ot-gah: %d slots, %d not proven optimal%n", slots, unproven);
        assertTrue(slots > 30, "the scheduler ran in many slots: " + slots);
    }
}
