package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code bench.jar paper} working: the tiny configuration writes every figure, CSV and table.
 */
class PaperBenchTest {

    @TempDir Path dir;

    @Test
    void quickRunWritesEveryFigureAndTheExactSolverLeadsOnOneNode() throws Exception {
        Path out = dir.resolve("results");
        int status =
                BenchMain.run(
                        new String[] {"paper", "--quick", "--out", out.toString()},
                        new PrintStream(new ByteArrayOutputStream()),
                        System.err);
        assertEquals(0, status);
        for (String f :
                List.of(
                        "fig1-requests",
                        "fig1-tokens",
                        "fig6-flops",
                        "fig2-variant",
                        "fig2-memory",
                        "fig2-uplink",
                        "fig2-budget",
                        "fig3-time",
                        "fig3-work",
                        "fig4-ratio",
                        "fig4-scale")) {
            assertTrue(Files.size(out.resolve(f + ".png")) > 10_000, f + ".png");
            assertTrue(Files.readAllLines(out.resolve(f + ".csv")).size() > 2, f + ".csv");
        }
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("bench.jar paper") && md.contains("fig4-ratio"));
        // one node: OT-GAH is exact, so on average it serves at least as many as any baseline
        Map<String, Map<String, Double>> byX = new HashMap<>();
        List<String> csv = Files.readAllLines(out.resolve("fig1-requests.csv"));
        for (String line : csv.subList(1, csv.size())) {
            String[] c = line.split(",");
            byX.computeIfAbsent(c[1], k -> new HashMap<>()).put(c[0], Double.parseDouble(c[2]));
        }
        for (Map<String, Double> row : byX.values()) {
            double ot = row.get("ot-gah");
            row.forEach((alg, v) -> assertTrue(ot >= v - 1e-9, alg + " above OT-GAH: " + row));
        }
        // fig3-work counts as bench.jar ot does: brute force evaluates every non-empty subset of
        // each resident variant (at least 2^N - 1), OT at least one constraint per node it visits
        Map<String, Map<String, Double>> work = new HashMap<>();
        List<String> rows = Files.readAllLines(out.resolve("fig3-work.csv"));
        for (String line : rows.subList(1, rows.size())) {
            String[] c = line.split(",");
            work.computeIfAbsent(c[1], k -> new HashMap<>()).put(c[0], Double.parseDouble(c[2]));
        }
        assertTrue(!work.isEmpty());
        work.forEach(
                (x, row) -> {
                    int users = Integer.parseInt(x);
                    assertTrue(
                            row.get("brute force evaluations") >= Math.pow(2, users) - 1,
                            x + ": " + row);
                    assertTrue(
                            row.get("OT evaluations") >= row.get("OT nodes visited"),
                            x + ": " + row);
                });
        // several nodes: never below half of the optimum
        for (String line :
                Files.readAllLines(out.resolve("fig4-ratio.csv"))
                        .subList(1, Files.readAllLines(out.resolve("fig4-ratio.csv")).size())) {
            String[] c = line.split(",");
            if (c[0].equals("ot-gah") || c[0].equals("gah")) {
                assertTrue(Double.parseDouble(c[2]) >= 0.5, line);
            }
        }
    }
}
