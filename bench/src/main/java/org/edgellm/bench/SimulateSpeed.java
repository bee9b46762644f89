package org.edgellm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How fast {@code simulate} runs a trace next to {@code replay}, each as its own process (JVM start
 * included, as a user runs them), on one machine in one run: the median and the fastest of a few
 * runs of one scheduler, of five schedulers in one call, and of the replay; whether simulate's and
 * replay's decisions and rejections are byte-identical. Writes a Markdown table.
 */
final class SimulateSpeed {
    static final List<String> FIVE = List.of("ot-gah", "fcfs", "edf", "smallest-kv", "static");

    private final Path jar;
    private final Path requestsCsv;
    private final long seed;
    private final int runs;
    private final Path work;
    private final PrintStream out;

    SimulateSpeed(Path jar, Path requestsCsv, long seed, int runs, Path work, PrintStream out) {
        this.jar = jar;
        this.requestsCsv = requestsCsv;
        this.seed = seed;
        this.runs = runs;
        this.work = work;
        this.out = out;
    }

    record Timed(double[] wallSeconds, JsonNode summary) {
        double median() {
            double[] s = wallSeconds.clone();
            Arrays.sort(s);
            return s.length % 2 == 1
                    ? s[s.length / 2]
                    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        double fastest() {
            return Arrays.stream(wallSeconds).min().orElse(Double.NaN);
        }
    }

    /** Runs job-local.jar with these arguments `runs` times; the wall time of each process. */
    Timed time(String what, List<String> args, Path dir) throws IOException, InterruptedException {
        double[] wall = new double[runs];
        for (int i = 0; i < runs; i++) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-jar");
            cmd.add(jar.toString());
            cmd.addAll(args);
            long t = System.nanoTime();
            Process p =
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(work.resolve(what + ".log").toFile())
                            .start();
            int status = p.waitFor();
            wall[i] = (System.nanoTime() - t) / 1e9;
            if (status != 0) {
                throw new IllegalStateException(
                        what
                                + " failed (status "
                                + status
                                + "), see "
                                + work.resolve(what + ".log"));
            }
            out.printf(Locale.ROOT, "%s run %d: %.2f s%n", what, i + 1, wall[i]);
        }
        JsonNode summary =
                new ObjectMapper()
                        .readTree(
                                Files.readString(
                                        (Files.exists(dir.resolve("summary.json"))
                                                        ? dir
                                                        : dir.resolve(FIVE.get(0)))
                                                .resolve("summary.json")));
        return new Timed(wall, summary);
    }

    List<String> traceArgs(String command, Path dir) {
        return new ArrayList<>(
                List.of(
                        command,
                        "--requests-csv",
                        requestsCsv.toString(),
                        "--seed",
                        Long.toString(seed),
                        // the configuration docs/bench-simulate.md was measured with
                        "--policy",
                        "per-slot",
                        "--max-candidates",
                        "32",
                        "--out",
                        dir.toString()));
    }

    /** Measures and returns the Markdown. */
    String run(String commandText) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path sim = work.resolve("simulate");
        Path five = work.resolve("simulate-five");
        Path replay = work.resolve("replay");
        Timed one = time("simulate", traceArgs("simulate", sim), sim);
        List<String> fiveArgs = traceArgs("simulate", five);
        fiveArgs.addAll(List.of("--scheduler", String.join(",", FIVE)));
        Timed all = time("simulate-five", fiveArgs, five);
        Timed rep = time("replay", traceArgs("replay", replay), replay);
        boolean same =
                Arrays.equals(
                                Files.readAllBytes(sim.resolve("decisions.jsonl")),
                                Files.readAllBytes(replay.resolve("decisions.jsonl")))
                        && Arrays.equals(
                                Files.readAllBytes(sim.resolve("rejections.jsonl")),
                                Files.readAllBytes(replay.resolve("rejections.jsonl")));
        double trace = one.summary().get("traceSeconds").asDouble();
        StringBuilder md = new StringBuilder();
        md.append("# simulate against replay: wall time of a trace\n\n")
                .append("Generated by `")
                .append(commandText)
                .append("` (do not edit by hand).\n\n")
                .append(
                        String.format(
                                Locale.ROOT,
                                "Trace: `%s` (%d requests, %.0f s of trace), seed %d, the replay"
                                        + " defaults (1 s slots, OT with a node budget), the bundled"
                                        + " radio traces. Each figure is the wall time of a whole"
                                        + " process (`java -jar job/target/job-local.jar ...`, JVM"
                                        + " start included), %d runs each, on this machine (%d"
                                        + " cores, Java %s).%n%n",
                                requestsCsv.getFileName(),
                                one.summary().get("requests").asInt(),
                                trace,
                                seed,
                                runs,
                                Runtime.getRuntime().availableProcessors(),
                                System.getProperty("java.version")))
                .append(
                        "| command | median wall (s) | fastest (s) | faster than real time"
                                + " (median) | inside the run: import / schedule (s) |\n")
                .append("|---|---:|---:|---:|---|\n");
        row(md, "simulate (ot-gah)", one, trace);
        row(md, "simulate, five schedulers (" + String.join(", ", FIVE) + ")", all, trace);
        row(md, "replay (ot-gah, Flink MiniCluster)", rep, trace);
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nsimulate is %.1fx faster than replay (median wall times)."
                                + " Decisions and rejections of simulate and replay"
                                + " byte-identical: **%s**. Goodput of ot-gah: %.3f"
                                + " requests/s in both.%n",
                        rep.median() / one.median(),
                        same ? "yes" : "NO",
                        one.summary().get("goodputPerSecond").asDouble()));
        return md.toString();
    }

    private static void row(StringBuilder md, String label, Timed t, double trace) {
        JsonNode timing = t.summary().get("timing");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %.2f | %.2f | %.0fx | %.2f / %.2f |%n",
                        label,
                        t.median(),
                        t.fastest(),
                        trace / t.median(),
                        timing.path("importSeconds").asDouble(),
                        timing.path("wallSeconds").asDouble()));
    }
}
