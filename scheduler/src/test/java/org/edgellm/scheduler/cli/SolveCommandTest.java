package org.edgellm.scheduler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.io.InstanceJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SolveCommandTest {

    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result run(InputStream in, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                Main.run(
                        args,
                        in,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<JsonNode> cases(String file) throws Exception {
        try (InputStream in = SolveCommandTest.class.getResourceAsStream("/conformance/" + file)) {
            List<JsonNode> out = new ArrayList<>();
            InstanceJson.MAPPER.readTree(in).forEach(out::add);
            return out;
        }
    }

    Path write(String name, String json) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void printsOneResultPerFileInInputOrderWithTheSpecFields() throws Exception {
        List<JsonNode> cs = cases("optimum-multi-node.json");
        List<String> files = new ArrayList<>(List.of("solve"));
        for (int k = 0; k < 5; k++) {
            files.add(write("i" + k + ".json", cs.get(k).get("instance").toString()).toString());
        }
        Result r = run(InputStream.nullInputStream(), files.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(5, lines.length);
        for (int k = 0; k < 5; k++) {
            JsonNode out = InstanceJson.MAPPER.readTree(lines[k]);
            double expected = cs.get(k).get("expectedObjective").asDouble();
            assertTrue(out.get("objective").asDouble() >= expected / 2 - 1e-9);
            assertTrue(out.get("objective").asDouble() <= expected + 1e-9);
            assertTrue(out.get("assignments").isArray());
            assertTrue(out.get("unassigned").isArray());
            JsonNode st = out.get("stats");
            assertEquals("ot-gah", st.get("algorithm").asText());
            for (String f :
                    List.of(
                            "nodesVisited",
                            "feasibilityChecks",
                            "solveMicros",
                            "upperBound",
                            "provenOptimal")) {
                assertTrue(st.has(f), f);
            }
            for (JsonNode a : out.get("assignments")) {
                for (String f :
                        List.of(
                                "node",
                                "variant",
                                "requests",
                                "uplinkMs",
                                "computeStartMs",
                                "computeMs",
                                "finishMs")) {
                    assertTrue(a.has(f), f);
                }
                assertEquals(a.get("requests").size(), a.get("finishMs").size());
            }
        }
    }

    @Test
    void readsSeveralInstancesFromStdinAndRunsEveryAlgorithm() throws Exception {
        List<JsonNode> cs = cases("optimum-single-node.json");
        String stdin = cs.get(0).get("instance") + "\n" + cs.get(1).get("instance") + "\n";
        for (String alg : Algorithms.NAMES) {
            Result r =
                    run(
                            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                            "solve",
                            "--algorithm",
                            alg);
            assertEquals(0, r.status(), alg + ": " + r.err());
            String[] lines = r.out().strip().split("\n");
            assertEquals(2, lines.length, alg);
            JsonNode first = InstanceJson.MAPPER.readTree(lines[0]);
            assertEquals(alg, first.get("stats").get("algorithm").asText());
            if (alg.equals("exact") || alg.equals("ot-gah") || alg.equals("brute-force")) {
                assertEquals(
                        cs.get(0).get("expectedObjective").asDouble(),
                        first.get("objective").asDouble(),
                        1e-9);
                assertTrue(first.get("stats").get("provenOptimal").asBoolean(), alg);
            }
        }
    }

    @Test
    void budgetedSolveReportsABoundAndWhetherItIsProven() throws Exception {
        JsonNode inst = cases("optimum-single-node.json").get(6).get("instance");
        Path f = write("x.json", inst.toString());
        Result r = run(InputStream.nullInputStream(), "solve", "--budget-nodes", "2", f.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode st = InstanceJson.MAPPER.readTree(r.out()).get("stats");
        assertTrue(st.get("upperBound").asDouble() >= 2362.0 - 1e-6);
    }

    private void assertRejected(JsonNode instance, String... expectedFragments) throws Exception {
        Path f = write("bad.json", instance.toString());
        Result r = run(InputStream.nullInputStream(), "solve", f.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception"), "no stack trace: " + err);
        assertTrue(err.startsWith(f.toString()), err);
        for (String frag : expectedFragments) {
            assertTrue(err.contains(frag), "'" + frag + "' in: " + err);
        }
    }

    @Test
    void invalidInputNamesFileFieldAndValue() throws Exception {
        JsonNode good = cases("optimum-single-node.json").get(0).get("instance");

        ObjectNode missing = good.deepCopy();
        ((ObjectNode) missing.get("requests").get(2)).remove("promptTokens");
        assertRejected(missing, "requests[2].promptTokens", "missing");

        ObjectNode negative = good.deepCopy();
        ((ObjectNode) negative.get("requests").get(1)).put("maxOutputTokens", -5);
        assertRejected(negative, "requests[1].maxOutputTokens", "-5");

        ObjectNode unknownNode = good.deepCopy();
        ((ObjectNode) unknownNode.get("requests").get(0).get("channels"))
                .putObject("edge-9")
                .put("uplinkSpectralEfficiency", 1)
                .put("downlinkSpectralEfficiency", 1);
        assertRejected(unknownNode, "requests[0].channels", "edge-9", "unknown node");

        ObjectNode noNodes = good.deepCopy();
        noNodes.set("nodes", new ArrayNode(InstanceJson.MAPPER.getNodeFactory()));
        assertRejected(noNodes, "nodes");

        String nan =
                good.toString()
                        .replaceFirst(
                                "\"uplinkSpectralEfficiency\":[0-9.]+",
                                "\"uplinkSpectralEfficiency\":NaN");
        Path f = write("nan.json", nan);
        Result r = run(InputStream.nullInputStream(), "solve", f.toString());
        assertEquals(2, r.status());
        assertTrue(
                r.err().contains("uplinkSpectralEfficiency") && r.err().contains("NaN"), r.err());

        Path broken = write("broken.json", "{\"t0\": 0, ");
        r = run(InputStream.nullInputStream(), "solve", broken.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith(broken.toString()) && r.err().contains("malformed"));

        r = run(InputStream.nullInputStream(), "solve", "--algorithm", "magic");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("magic"));

        r = run(InputStream.nullInputStream(), "solve", dir.resolve("nope.json").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("no such file"));
    }
}
