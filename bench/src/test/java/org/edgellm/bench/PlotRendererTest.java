package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.edgellm.scheduler.plot.Plots;
import org.edgellm.scheduler.plot.RunSeries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under bench.jar the product's plots come with PNGs: the renderer is found through
 * META-INF/services, and {@code bench.jar simulate-plots} writes a valid PNG beside each CSV.
 */
class PlotRendererTest {

    static final List<String> CHARTS =
            List.of("attainment", "goodput", "utilisation", "rejections", "latency-cdf");

    static String run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = BenchMain.run(args, ps, ps);
        String said = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, said);
        return said;
    }

    /** A PNG that ImageIO reads, of the renderer's size, and more than a blank frame. */
    static void assertPng(Path f) throws Exception {
        assertTrue(Files.exists(f), f + " written");
        BufferedImage img = ImageIO.read(f.toFile());
        assertNotNull(img, f + " is a PNG ImageIO reads");
        assertEquals(900, img.getWidth());
        assertEquals(500, img.getHeight());
        assertTrue(Files.size(f) > 10_000, f + ": " + Files.size(f) + " bytes");
    }

    @Test
    void theRendererIsFoundAndDrawsEveryChart(@TempDir Path dir) throws Exception {
        assertTrue(Plots.renderer().orElseThrow() instanceof JFreePlotRenderer);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        // a bin without outcomes (a NaN attainment: a gap) and one rejection reason
        Plots.write(
                dir,
                RunSeries.charts(
                        List.of(new RunSeries.Ran(0, true), new RunSeries.Ran(5000, false)),
                        List.of(new RunSeries.Rejected(2500, "SHED")),
                        List.of(new RunSeries.Busy("edge-a", 0, 3000)),
                        new double[] {100, 300, 200},
                        "ms"),
                "unused",
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(
                "plots: 5 CSV and PNG files in " + dir + "\n",
                buf.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
        for (String n : CHARTS) {
            assertTrue(Files.exists(dir.resolve(n + ".csv")));
            assertPng(dir.resolve(n + ".png"));
        }
    }

    @Test
    void simulatePlotsWritesPngs(@TempDir Path dir) throws Exception {
        Path plots = dir.resolve("plots");
        String said =
                run(
                        "simulate-plots",
                        "--minutes",
                        "0.5",
                        "--scheduler",
                        "fcfs",
                        "--out",
                        dir.resolve("out").toString(),
                        "--plots",
                        plots.toString());
        assertTrue(said.contains("plots: 5 CSV and PNG files in " + plots), said);
        for (String n : CHARTS) {
            assertTrue(Files.readAllLines(plots.resolve(n + ".csv")).size() > 1, n);
            assertPng(plots.resolve(n + ".png"));
        }
    }

    @Test
    void reportTakesTheFlagsOfWorkerJarReport() {
        String help = run("report", "--help");
        assertTrue(help.contains("--plots=DIR") && help.contains("--completions-topic"), help);
        assertTrue(run("simulate-plots", "--help").contains("--plots=DIR"));
    }
}
