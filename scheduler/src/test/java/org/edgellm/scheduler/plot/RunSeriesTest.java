package org.edgellm.scheduler.plot;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The series of a small run, checked by hand, and the files they become. */
class RunSeriesTest {

    /**
     * Three requests ran (ending at 1.0 s met, 1.5 s missed, 3.5 s met), two were rejected (2.5 s
     * SHED, 2.6 s EXPIRED), edge-a ran from 1.0 to 2.5 s and edge-b from 3.0 to 3.2 s. The run
     * spans 1.0 to 3.5 s: 1 s bins from 1.0 s, three of them.
     */
    static List<Chart> small() {
        return RunSeries.charts(
                List.of(
                        new RunSeries.Ran(1000, true),
                        new RunSeries.Ran(1500, false),
                        new RunSeries.Ran(3500, true)),
                List.of(
                        new RunSeries.Rejected(2500, "SHED"),
                        new RunSeries.Rejected(2600, "EXPIRED")),
                List.of(
                        new RunSeries.Busy("edge-a", 1000, 2500),
                        new RunSeries.Busy("edge-b", 3000, 3200)),
                new double[] {30, 10, 20},
                "latency_ms");
    }

    static Map<String, String> csv(List<Chart> charts) {
        Map<String, String> out = new TreeMap<>();
        charts.forEach(c -> out.put(c.name(), Plots.csv(c)));
        return out;
    }

    @Test
    void seriesOfASmallRun() {
        Map<String, String> c = csv(small());
        // bin 0: 1.0 met, 1.5 missed; bin 1: two rejections; bin 2: 3.5 met
        assertEquals("time_s,attainment\n0,0.5\n1,0\n2,1\n", c.get("attainment"));
        assertEquals("time_s,goodput\n0,1\n1,0\n2,1\n", c.get("goodput"));
        // edge-a: all of bin 0, half of bin 1; edge-b: 0.2 s of bin 2
        assertEquals("time_s,edge-a,edge-b\n0,1,0\n1,0.5,0\n2,0,0.2\n", c.get("utilisation"));
        assertEquals("time_s,EXPIRED,SHED\n0,0,0\n1,1,1\n2,0,0\n", c.get("rejections"));
        assertEquals("latency_ms,cdf\n10,0.333333\n20,0.666667\n30,1\n", c.get("latency-cdf"));
    }

    @Test
    void aBinWithoutOutcomesHasNoAttainment() {
        List<Chart> charts =
                RunSeries.charts(
                        List.of(new RunSeries.Ran(0, true), new RunSeries.Ran(2000, false)),
                        List.of(),
                        List.of(),
                        new double[0],
                        "latency_ms");
        Map<String, String> c = csv(charts);
        assertEquals("time_s,attainment\n0,1\n1,\n2,0\n", c.get("attainment"));
        assertEquals("time_s\n0\n1\n2\n", c.get("rejections"));
        assertEquals("latency_ms,cdf\n", c.get("latency-cdf"));
    }

    @Test
    void binWidths() {
        assertEquals(1000, RunSeries.binMs(0));
        assertEquals(1000, RunSeries.binMs(120_000));
        assertEquals(2000, RunSeries.binMs(120_001));
        assertEquals(120_000, RunSeries.binMs(3 * 3_600_000)); // 3 h: 90 s would do, 120 s is next
        assertEquals(3_600_000, RunSeries.binMs(100 * 3_600_000.0));
        assertEquals(7_200_000, RunSeries.binMs(200 * 3_600_000.0));
    }

    @Test
    void cdfKeepsAThousandPointsEvenlyInRank() {
        double[] l = new double[4000];
        for (int i = 0; i < l.length; i++) {
            l[i] = l.length - i; // 4000 .. 1
        }
        Chart c = RunSeries.cdf(l, "ms");
        assertEquals(1000, c.x().length);
        assertEquals(4, c.x()[0]); // rank 4 of 4000
        assertEquals(0.001, c.series().get(0).y()[0]);
        assertEquals(4000, c.x()[999]);
        assertEquals(1.0, c.series().get(0).y()[999]);
    }

    @Test
    void withoutARendererOnlyCsvAndTheCommandThatDrawsThem(@TempDir Path dir) throws Exception {
        assertFalse(Plots.renderer().isPresent(), "no renderer in the product modules");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Plots.write(
                dir.resolve("p"),
                small(),
                "java -jar bench/target/bench.jar x --plots p",
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String said = buf.toString(StandardCharsets.UTF_8);
        assertEquals(1, said.lines().count(), said);
        assertTrue(
                said.contains(
                        "the PNG plots need bench.jar: java -jar bench/target/bench.jar x --plots p"),
                said);
        for (String n :
                List.of("attainment", "goodput", "utilisation", "rejections", "latency-cdf")) {
            assertTrue(Files.exists(dir.resolve("p/" + n + ".csv")), n);
            assertFalse(Files.exists(dir.resolve("p/" + n + ".png")), n);
        }
    }
}
