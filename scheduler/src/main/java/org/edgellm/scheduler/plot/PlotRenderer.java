package org.edgellm.scheduler.plot;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Draws a {@link Chart} as a PNG. The product jars carry no implementation (no plotting library in
 * them): {@link Plots} finds one with {@link java.util.ServiceLoader}, and bench.jar provides it
 * (JFreeChart), so that {@code java -jar bench/target/bench.jar report|simulate-plots ...} writes
 * the PNGs beside the CSV files.
 */
public interface PlotRenderer {
    void render(Chart chart, Path png) throws IOException;
}
