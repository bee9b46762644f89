package org.edgellm.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code results.md} of {@code bench.jar paper}: the command and settings that made it, then per
 * figure its plot, a table of mean ± 95% half-width by x and series ("–" where a series has no
 * point) and its note.
 */
final class PaperMarkdown {

    private PaperMarkdown() {}

    /**
     * @param dir the directory of the CSV and PNG files, as given on the command line
     * @param seconds the run's wall time
     */
    static String of(
            List<PaperFigure> figs, Path dir, int n, long seed, boolean quick, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                        "# Results\n\nMade by\n\n```\nmvn -B package -DskipTests\njava -jar bench/target/bench.jar paper --out ")
                .append(dir)
                .append(" --instances ")
                .append(n)
                .append(" --seed ")
                .append(seed)
                .append(quick ? " --quick" : "")
                .append("\n```\n\non a 2-core machine in ")
                .append(String.format(Locale.ROOT, "%.0f", seconds))
                .append(" s. Every point is the mean over ")
                .append(n)
                .append(" seeded random instances (seed ")
                .append(seed)
                .append(
                        " and derived per point) with its 95% confidence interval (± 1.96 standard errors, the shaded band in the plots). ")
                .append(
                        "Instances: Llama-2-7B on datasheet L4, A10 and A100-40GB figures, the `balanced` profile with unit weights unless said; OT runs with a node budget of 200,000 per call. ")
                .append("CSV files beside each plot hold the numbers.\n\n");
        for (PaperFigure f : figs) {
            sb.append("## ")
                    .append(f.title())
                    .append("\n\n![")
                    .append(f.id())
                    .append("](")
                    .append(dir.getFileName())
                    .append('/')
                    .append(f.id())
                    .append(".png)\n\n");
            List<String> columns = new ArrayList<>();
            columns.add(f.x());
            f.series().forEach(s -> columns.add(s.name()));
            sb.append(MarkdownTable.header(columns));
            List<Double> xs = new ArrayList<>();
            for (PaperFigure.Series s : f.series()) {
                for (double[] p : s.points()) {
                    if (!xs.contains(p[0])) {
                        xs.add(p[0]);
                    }
                }
            }
            for (double x : xs) {
                sb.append("| ").append(PaperFigure.num(x));
                for (PaperFigure.Series s : f.series()) {
                    double[] p =
                            s.points().stream().filter(q -> q[0] == x).findFirst().orElse(null);
                    sb.append(" | ")
                            .append(
                                    p == null || Double.isNaN(p[1])
                                            ? "–"
                                            : String.format(
                                                    Locale.ROOT, "%.4g ± %.2g", p[1], p[2]));
                }
                sb.append(" |\n");
            }
            if (f.note() != null) {
                sb.append("\n").append(f.note()).append("\n");
            }
            sb.append("\n");
        }
        return sb.toString();
    }
}
