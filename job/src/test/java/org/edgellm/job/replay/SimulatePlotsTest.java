package org.edgellm.job.replay;

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
import java.util.TreeMap;
import org.edgellm.job.LocalMain;
import org.edgellm.scheduler.plot.Plots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate --plots}: the series of a small simulation's files, and the command. */
class SimulatePlotsTest {

    @Test
    void seriesFromTheFilesOfASimulation(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("decisions.jsonl"),
                "{\"slotEnd\":1000,\"domain\":\"d\",\"node\":\"a\",\"computeStartMs\":1000,"
                        + "\"computeEndMs\":1600,\"requests\":["
                        + "{\"id\":\"r1\",\"deadline\":2000,\"predictedFinishMs\":1700},"
                        + "{\"id\":\"r2\",\"deadline\":1500,\"predictedFinishMs\":1700}]}\n"
                        + "{\"slotEnd\":2000,\"domain\":\"d\",\"node\":\"b\",\"computeStartMs\":2000,"
                        + "\"computeEndMs\":2250,\"requests\":["
                        + "{\"id\":\"r3\",\"deadline\":5000,\"predictedFinishMs\":2300}]}\n");
        Files.writeString(
                dir.resolve("rejections.jsonl"),
                "{\"time\":2500,\"requestId\":\"r4\",\"domain\":\"d\",\"reason\":\"EXPIRED\","
                        + "\"detail\":\"\"}\n");
        Map<String, String> csv = new TreeMap<>();
        SimulatePlots.charts(dir).forEach(c -> csv.put(c.name(), Plots.csv(c)));
        // from 1.0 s (a's batch starts) to 2.5 s: two 1 s bins; r1 (met) and r2 (missed) end at
        // 1.7 s, r3 (met) at 2.3 s, r4 is rejected at 2.5 s
        assertEquals("time_s,attainment\n0,0.5\n1,0.5\n", csv.get("attainment"));
        assertEquals("time_s,goodput\n0,1\n1,1\n", csv.get("goodput"));
        assertEquals("time_s,a,b\n0,0.6,0\n1,0,0.25\n", csv.get("utilisation"));
        assertEquals("time_s,EXPIRED\n0,0\n1,1\n", csv.get("rejections"));
        assertEquals(
                "slot_end_to_predicted_finish_ms,cdf\n300,0.333333\n700,0.666667\n700,1\n",
                csv.get("latency-cdf"));
    }

    @Test
    void simulateWritesTheCsvFilesAndNamesTheBenchCommand(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path plots = dir.resolve("plots");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        String[] args = {
            "simulate",
            "--minutes",
            "0.5",
            "--scheduler",
            "fcfs,edf",
            "--out",
            out.toString(),
            "--plots",
            plots.toString()
        };
        assertEquals(0, LocalMain.run(args, ps, ps), buf.toString(StandardCharsets.UTF_8));
        String said = buf.toString(StandardCharsets.UTF_8);
        String bench =
                "the PNG plots need bench.jar: java -jar bench/target/bench.jar simulate-plots"
                        + " --minutes 0.5 --scheduler fcfs,edf --out "
                        + out
                        + " --plots "
                        + plots;
        assertEquals(2, said.lines().filter(l -> l.contains(bench)).count(), said);
        for (String s : List.of("fcfs", "edf")) {
            for (String n :
                    List.of("attainment", "goodput", "utilisation", "rejections", "latency-cdf")) {
                Path f = plots.resolve(s).resolve(n + ".csv");
                assertTrue(Files.readAllLines(f).size() > 1, f + " has rows");
                assertFalse(Files.exists(plots.resolve(s).resolve(n + ".png")));
            }
            // the requests the summary counts as on time are the goodput's, bin by bin
            double goodput = 0;
            List<String> rows = Files.readAllLines(plots.resolve(s).resolve("goodput.csv"));
            double width = Double.parseDouble(rows.get(2).split(",")[0]);
            for (String row : rows.subList(1, rows.size())) {
                goodput += Double.parseDouble(row.split(",")[1]) * width;
            }
            var summary = RunOutput.JSON.readTree(out.resolve(s).resolve("summary.json").toFile());
            assertEquals(
                    summary.get("goodputPerSecond").asDouble()
                            * summary.get("traceSeconds").asDouble(),
                    goodput,
                    1e-6 * goodput + 1e-3);
        }
    }
}
