package org.edgellm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The CSV of one {@code bench.jar paper} figure: series, x, mean, ci95, one point a line. */
final class PaperCsv {

    private PaperCsv() {}

    static void write(Path f, PaperFigure fig) throws IOException {
        StringBuilder sb = new StringBuilder("series,x,mean,ci95\n");
        for (PaperFigure.Series s : fig.series()) {
            for (double[] p : s.points()) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "%s,%s,%.6g,%.6g%n",
                                s.name(),
                                PaperFigure.num(p[0]),
                                p[1],
                                p[2]));
            }
        }
        Files.writeString(f, sb.toString());
    }
}
