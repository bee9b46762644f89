package org.edgellm.job.replay;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.scheduler.plot.Chart;
import org.edgellm.scheduler.plot.Plots;
import org.edgellm.scheduler.plot.RunSeries;

/**
 * {@code simulate --plots DIR}: the plots of a simulation ({@link RunSeries}), from the files it
 * wrote. Nothing runs in a simulation, so a decided request ended at its predicted finish and met
 * its deadline when that finish is by the deadline; a batch ran on its node over its compute
 * window; the latency is from the end of the decision's slot to the predicted finish. Several
 * schedulers: one subdirectory of DIR per scheduler, as in {@code --out}.
 */
public final class SimulatePlots {
    private SimulatePlots() {}

    /** The plots of the simulation whose arguments were args (after it ran). */
    public static void write(String[] args, Path plots, String benchCommand, PrintStream out)
            throws IOException {
        String[] names = ReplayOptions.schedulers(args);
        Path outDir = Path.of(ReplayOptions.parse(args, names[0]).out);
        if (names.length == 1) {
            Plots.write(plots, charts(outDir), benchCommand, out);
            return;
        }
        for (String n : names) {
            Plots.write(plots.resolve(n), charts(outDir.resolve(n)), benchCommand, out);
        }
    }

    /** The charts of one simulation's output directory (decisions.jsonl, rejections.jsonl). */
    static List<Chart> charts(Path dir) throws IOException {
        List<RunSeries.Ran> ran = new ArrayList<>();
        List<RunSeries.Busy> busy = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        for (JsonNode d : lines(dir.resolve("decisions.jsonl"))) {
            busy.add(
                    new RunSeries.Busy(
                            d.get("node").asText(),
                            d.get("computeStartMs").asDouble(),
                            d.get("computeEndMs").asDouble()));
            long slotEnd = d.get("slotEnd").asLong();
            for (JsonNode r : d.get("requests")) {
                double finish = r.get("predictedFinishMs").asDouble();
                ran.add(new RunSeries.Ran(finish, finish <= r.get("deadline").asDouble()));
                latency.add(finish - slotEnd);
            }
        }
        List<RunSeries.Rejected> rejected = new ArrayList<>();
        for (JsonNode r : lines(dir.resolve("rejections.jsonl"))) {
            rejected.add(
                    new RunSeries.Rejected(r.get("time").asDouble(), r.get("reason").asText()));
        }
        return RunSeries.charts(
                ran,
                rejected,
                busy,
                latency.stream().mapToDouble(Double::doubleValue).toArray(),
                "slot_end_to_predicted_finish_ms");
    }

    private static List<JsonNode> lines(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            if (!l.isBlank()) {
                out.add(RunOutput.JSON.readTree(l));
            }
        }
        return out;
    }
}
