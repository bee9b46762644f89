package org.edgellm.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bench.jar paper [--out DIR] [--instances N] [--seed S] [--quick]}: the figures that
 * reproduce the paper's claims and show where we go beyond them. Every point is the mean over N
 * seeded random instances (default 100) with a 95% confidence interval (1.96 standard errors).
 * Writes one CSV and one PNG per figure and {@code results.md} with the tables, the seeds and the
 * command. OT runs with a node budget (200,000 per call) so that results do not depend on the
 * machine.
 *
 * <p>This class wires the parts: {@link PaperFigures} (which figures) runs {@link PaperSweeps} (the
 * algorithms on {@link PaperInstances}); {@link PaperCsv}, {@link PaperPlot} and {@link
 * PaperMarkdown} write the results.
 */
public final class PaperBench {

    private PaperBench() {}

    /**
     * Writes every figure to {@code dir} and {@code results.md} beside it; returns the exit status.
     *
     * @param n random instances per point (at most 4 with {@code quick})
     * @param quick a small version in seconds (fewer points and instances)
     */
    public static int run(
            Path dir, int n, long seed, boolean quick, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        if (quick) {
            n = Math.min(n, 4);
        }
        long t = System.nanoTime();
        List<PaperFigure> figs = PaperFigures.all(n, seed, quick);
        try {
            Files.createDirectories(dir);
            for (PaperFigure f : figs) {
                PaperCsv.write(dir.resolve(f.id() + ".csv"), f);
                PaperPlot.write(dir.resolve(f.id() + ".png"), f);
            }
            Files.writeString(
                    dir.getParent() == null
                            ? Path.of("results.md")
                            : dir.getParent().resolve("results.md"),
                    PaperMarkdown.of(figs, dir, n, seed, quick, (System.nanoTime() - t) / 1e9));
        } catch (IOException e) {
            err.println(dir + ": " + e.getMessage());
            return 1;
        }
        out.printf(
                "wrote %d figures to %s in %.0f s%n",
                figs.size(), dir, (System.nanoTime() - t) / 1e9);
        return 0;
    }
}
