package org.edgellm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The report of one {@link KafkaJobBenchmark} run: its figures, computed from what was counted in
 * the measured window ({@link Window}), as the one JSON line the bench prints last, and as Markdown
 * (the run's figures and its CPU by stage and by thread) for the docs.
 */
final class JobBenchReport {

    private JobBenchReport() {}

    /**
     * What one run counted and measured in its window.
     *
     * @param seconds the window's length
     * @param requestEvents requests the job's sources emitted in the window
     * @param channelEvents channel states the job's sources emitted in the window
     * @param heartbeats heartbeats the job's sources emitted in the window
     * @param producedRequests requests the load generator sent in the window
     * @param invalidInputs inputs the sources found invalid over the whole run
     * @param decisions decisions whose slot ends in the window
     * @param decidedRequests the requests in those decisions
     * @param rejections rejections timed in the window
     * @param rejectionsByReason those rejections by reason
     * @param latencies the decisions' latencies in ms, sorted
     * @param slots each slot's first and last decision
     * @param lagAtStopMs how far the latest slot end decided by the stop was behind the window's
     *     last slot (0: the job had decided up to the end of the window, so the latencies cover it;
     *     more: the window's last slots are missing from them, and they understate the tail)
     * @param cpuNanos the process's CPU time over the window
     * @param profile the JFR profile of the window
     * @param coresByThreads cores used by each group of threads over the window
     * @param allocatedBytesByThreads heap bytes allocated by each group of threads over the window
     *     (empty: not measured)
     * @param checkpointsCompleted checkpoints completed in the window
     * @param checkpointsFailed failed checkpoints in the window (Flink's count)
     * @param lastCheckpointMs the last checkpoint's duration
     * @param lastCheckpointBytes the last checkpoint's size
     * @param lastCheckpointFullBytes the last checkpoint's full size
     * @param loadAverageBefore the system load average before the run
     * @param loadAverageAfter the system load average after it
     * @param cpuPressure the CPU pressure (PSI some, avg60, %) after it, NaN where unknown
     * @param processors the processors available to the JVM
     * @param jvmOptions the JVM's options
     */
    record Window(
            double seconds,
            long requestEvents,
            long channelEvents,
            long heartbeats,
            long producedRequests,
            long invalidInputs,
            long decisions,
            long decidedRequests,
            long rejections,
            Map<String, Long> rejectionsByReason,
            long[] latencies,
            SlotLatencies slots,
            long lagAtStopMs,
            long cpuNanos,
            StageProfile profile,
            Map<String, Double> coresByThreads,
            Map<String, Long> allocatedBytesByThreads,
            double checkpointsCompleted,
            double checkpointsFailed,
            double lastCheckpointMs,
            double lastCheckpointBytes,
            double lastCheckpointFullBytes,
            double loadAverageBefore,
            double loadAverageAfter,
            double cpuPressure,
            int processors,
            String jvmOptions) {}

    /** The run's figures, in the order of the JSON line. */
    static Map<String, Object> figures(KafkaJobBenchmark.Settings s, Window w) {
        Map<String, Object> res = new LinkedHashMap<>();
        double secs = w.seconds();
        long requests = w.requestEvents();
        res.put("delivery", s.exactlyOnce() ? "exactly-once" : "at-least-once");
        res.put("shape", s.shape().name().toLowerCase(Locale.ROOT));
        res.put("domains", s.domains());
        res.put("nodesPerDomain", s.nodesPerDomain());
        res.put("parallelism", s.parallelism());
        res.put("partitions", s.partitions());
        res.put("checkpointMs", s.checkpointMs());
        res.put("stateBackend", s.stateBackend());
        res.put("jobOptions", String.join(" ", s.jobOptions()));
        res.put("flinkOptions", String.join(" ", s.flinkOptions()));
        res.put("seconds", s.seconds());
        res.put("targetRequestEventsPerSecond", s.rate());
        res.put("warmupRequestEventsPerSecond", s.rateOfWarmup());
        res.put("riseSeconds", s.riseSecondsUsed());
        res.put("rampSeconds", s.rateOfWarmup() == s.rate() ? 0 : s.rampSeconds());
        res.put("spikeRequestEventsPerSecond", s.spikeSecondsUsed() > 0 ? s.spikeRate() : 0);
        res.put("spikeSeconds", s.spikeSecondsUsed());
        res.put("producedRequestEventsPerSecond", round(w.producedRequests() / secs));
        res.put("achievedRequestEventsPerSecond", round(requests / secs));
        res.put("achievedChannelEventsPerSecond", round(w.channelEvents() / secs));
        res.put("achievedHeartbeatsPerSecond", round(w.heartbeats() / secs));
        res.put("invalidInputs", w.invalidInputs());
        res.put("decisionsPerSecond", round(w.decisions() / secs));
        res.put("decidedRequestsPerSecond", round(w.decidedRequests() / secs));
        res.put("rejectionsPerSecond", round(w.rejections() / secs));
        res.put("rejectionsByReason", new TreeMap<>(w.rejectionsByReason()));
        long[] lat = w.latencies();
        res.put("latencySamples", lat.length);
        res.put("p50Ms", pct(lat, 0.50));
        res.put("p99Ms", pct(lat, 0.99));
        res.put("p999Ms", pct(lat, 0.999));
        res.put("maxMs", lat.length == 0 ? Double.NaN : (double) lat[lat.length - 1]);
        res.put("lagAtStopMs", w.lagAtStopMs());
        res.put("latencyCoversWindow", w.lagAtStopMs() == 0 && lat.length > 0);
        res.put("slotsWithDecisions", w.slots().slots());
        res.put("slotFirstDecisionP50Ms", w.slots().firstP50Ms());
        res.put("slotLastDecisionP50Ms", w.slots().lastP50Ms());
        res.put("slotSpreadP50Ms", w.slots().spreadP50Ms());
        double cpuSeconds = w.cpuNanos() / 1e9;
        res.put("processCpuCores", round2(cpuSeconds / secs));
        StageProfile prof = w.profile();
        res.put("gcPauses", prof.gcCount);
        res.put("gcPauseTotalMs", round2(prof.gcPauseNanos / 1e6));
        res.put("gcPauseMaxMs", round2(prof.gcMaxNanos / 1e6));
        res.put("gc", prof.gcName);
        res.put("cpuSamples", prof.samples);
        Map<String, Object> share = new LinkedHashMap<>();
        Map<String, Object> perEvent = new LinkedHashMap<>();
        for (String stage : StageProfile.STAGES) {
            double f = prof.share(stage);
            share.put(stage, round2(100 * f));
            perEvent.put(
                    stage, requests == 0 ? Double.NaN : round2(cpuSeconds * f * 1e6 / requests));
        }
        res.put("cpuPercentByStage", share);
        res.put("cpuMicrosPerRequestEventByStage", perEvent);
        // measured per thread, JIT and GC apart (the profile above spreads them)
        res.put("cpuCoresByThreads", w.coresByThreads());
        double inputEvents = requests + w.channelEvents() + w.heartbeats();
        Map<String, Object> perInput = new LinkedHashMap<>();
        w.coresByThreads()
                .forEach(
                        (g, c) ->
                                perInput.put(
                                        g,
                                        inputEvents == 0
                                                ? Double.NaN
                                                : round2(c * secs * 1e6 / inputEvents)));
        res.put("cpuMicrosPerInputEventByThreads", perInput);
        // measured per thread too: the heap allocation that sets the young collections' pace
        Map<String, Object> allocRate = new LinkedHashMap<>();
        Map<String, Object> allocPerInput = new LinkedHashMap<>();
        long allocated = 0;
        for (Map.Entry<String, Long> e : w.allocatedBytesByThreads().entrySet()) {
            allocated += e.getValue();
            allocRate.put(e.getKey(), round2(e.getValue() / 1e6 / secs));
            allocPerInput.put(
                    e.getKey(), inputEvents == 0 ? Double.NaN : round(e.getValue() / inputEvents));
        }
        boolean measured = !w.allocatedBytesByThreads().isEmpty();
        res.put(
                "allocatedMegabytesPerSecond",
                measured ? round2(allocated / 1e6 / secs) : Double.NaN);
        res.put(
                "allocatedBytesPerInputEvent",
                measured && inputEvents > 0 ? round(allocated / inputEvents) : Double.NaN);
        res.put("allocatedMegabytesPerSecondByThreads", allocRate);
        res.put("allocatedBytesPerInputEventByThreads", allocPerInput);
        res.put("checkpointsCompleted", w.checkpointsCompleted());
        res.put("checkpointsFailed", w.checkpointsFailed());
        res.put("lastCheckpointMs", w.lastCheckpointMs());
        res.put("lastCheckpointBytes", w.lastCheckpointBytes());
        res.put("lastCheckpointFullBytes", w.lastCheckpointFullBytes());
        res.put("loadAverageBefore", round2(w.loadAverageBefore()));
        res.put("loadAverageAfter", round2(w.loadAverageAfter()));
        res.put("cpuPressureSomeAvg60AfterPercent", w.cpuPressure());
        res.put("availableProcessors", w.processors());
        // e.g. -XX:TieredStopAtLevel=1 (C1 alone), which changes much on 2 cores
        res.put("jvmOptions", w.jvmOptions());
        return res;
    }

    /** Adds the run's CPU reference ({@link CpuReference}) to its figures. */
    static void putReference(Map<String, Object> res, CpuReference.Result ref) {
        res.put("referenceCpuMs", ref.cpuMs());
        res.put("referenceWallMs", ref.wallMs());
    }

    /**
     * Adds backlogDuringRamp: the requests written and not yet read by the job's sources, every 10
     * s of the ramp before the window (after a spike: whether and how fast the job works it off).
     */
    static void putBacklog(Map<String, Object> res, List<Long> backlog) {
        res.put("backlogDuringRamp", List.copyOf(backlog));
    }

    /** Adds the run's memory reference ({@link MemoryReference}) to its figures. */
    static void putMemoryReference(Map<String, Object> res, MemoryReference.Result ref) {
        res.put("referenceMemoryNsPerLoad", ref.nsPerLoad());
    }

    /**
     * Adds how the warm-up ended ({@link JitWarmup}) and the JIT compilers' time in the measured
     * window: warmupSeconds (load before the window), jitIdleAtStart (whether the compilers were
     * idle when the window began), jitShareAtStart (their compile time per wall time over the
     * warm-up's last 20 s), jitSharePerWindowSecond (their compile time per second of the window,
     * as measured by the caller; summed over compiler threads, so up to their number).
     */
    static void putWarmup(Map<String, Object> res, JitWarmup.Result warm, double windowShare) {
        res.put("warmupSeconds", round2(warm.waitedSeconds()));
        res.put("jitIdleAtStart", warm.settled());
        res.put("jitShareAtStart", round3(warm.lastShare()));
        res.put("jitSharePerWindowSecond", round3(windowShare));
    }

    /**
     * The warm-up in words for the Markdown heading (after "over N s"), or nothing for runs made
     * before it was reported.
     */
    static String warmupText(Map<String, Object> r) {
        Object w = r.get("warmupSeconds");
        if (w == null) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                " after %s s of warm-up (JIT compilers %s at its end: compile time %s of the wall"
                        + " time over its last %d s)",
                fmt(w),
                Boolean.TRUE.equals(r.get("jitIdleAtStart")) ? "idle" : "not idle",
                r.get("jitShareAtStart") instanceof Double d && d.isNaN()
                        ? "-"
                        : r.get("jitShareAtStart"),
                JitWarmup.WINDOW_SECONDS);
    }

    /**
     * The CPU reference in words for the Markdown heading, or nothing for runs made before it was
     * measured.
     */
    static String referenceText(Map<String, Object> r) {
        Object cpu = r.get("referenceCpuMs");
        if (cpu == null) {
            return "";
        }
        return String.format(
                        Locale.ROOT,
                        "; reference work (SHA-256 of %d x %d KiB, before the run) %s ms of CPU, %s"
                                + " ms of wall time",
                        CpuReference.ROUNDS,
                        CpuReference.BUFFER / 1024,
                        cpu,
                        r.get("referenceWallMs"))
                + (r.get("referenceMemoryNsPerLoad") == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; memory reference (dependent loads over %d MiB) %s ns per load",
                                MemoryReference.MIB,
                                r.get("referenceMemoryNsPerLoad")));
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /**
     * The share of the last minute in which some task waited for a CPU (Linux PSI, {@code
     * /proc/pressure/cpu}), or NaN where unavailable: how contended the machine was.
     */
    static double cpuPressure() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some ")) {
                    for (String f : line.split(" ")) {
                        if (f.startsWith("avg60=")) {
                            return Double.parseDouble(f.substring(6));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no PSI
        }
        return Double.NaN;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static double round(double v) {
        return Math.round(v);
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Three decimals; NaN stays NaN (null in the JSON). */
    static double round3(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A JSON object of the figures (numbers, strings, booleans, lists and nested maps, in the maps'
     * order), written by Jackson: whole doubles are written as integers, NaN and infinities as
     * null.
     */
    static String json(Map<String, ?> m) {
        try {
            return JSON.writeValueAsString(plain(m));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "figures not writable as JSON: " + e.getMessage(), e);
        }
    }

    /** The value as Jackson should write it: doubles made whole or null, maps and lists walked. */
    private static Object plain(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(JobBenchReport::plain).toList();
        }
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return null;
            }
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) (double) d : d;
        }
        if (v instanceof Float f) {
            return plain(f.doubleValue());
        }
        return v instanceof Number || v instanceof Boolean || v == null ? v : String.valueOf(v);
    }

    /** One run as Markdown, measured now: its figures and its CPU by stage. */
    static String markdown(Map<String, Object> r, String command) {
        return markdown(r, command, Instant.now());
    }

    /** One run as Markdown, measured at {@code at}: its figures and its CPU by stage. */
    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r, String command, Instant at) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "### %s, %s shape, %s domains, rate %s, parallelism %s, checkpoints %s ms, %s state %s%s%n%n",
                        r.get("delivery"),
                        r.get("shape"),
                        r.get("domains"),
                        r.get("targetRequestEventsPerSecond"),
                        r.get("parallelism"),
                        r.get("checkpointMs"),
                        r.get("stateBackend"),
                        r.get("jobOptions"),
                        String.valueOf(r.getOrDefault("flinkOptions", "")).isEmpty()
                                ? ""
                                : " (Flink: " + r.get("flinkOptions") + ")"));
        md.append(
                String.format(
                        Locale.ROOT,
                        "Measured %s UTC over %s s%s; load average %s before, %s after (this JVM's own threads"
                                + " included), CPU pressure (PSI some, avg60) %s%% after; %s processors%s.%n%n",
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                                .format(at.atOffset(ZoneOffset.UTC)),
                        r.get("seconds"),
                        warmupText(r),
                        r.get("loadAverageBefore"),
                        r.get("loadAverageAfter"),
                        r.get("cpuPressureSomeAvg60AfterPercent"),
                        r.get("availableProcessors"),
                        referenceText(r)));
        md.append("`").append(command).append("`\n\n");
        md.append(
                "| produced req/s | req/s at the sources | channel states/s | heartbeats/s | decisions/s | decided req/s | rejections/s | p50 ms | p99 ms | p99.9 ms | max ms | CPU cores | GC pauses (total, max ms) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %s | %s %s | %s | %s | %s | %s | %s | %s (%s, %s) |%n%n",
                        fmt(r.get("producedRequestEventsPerSecond")),
                        fmt(r.get("achievedRequestEventsPerSecond")),
                        fmt(r.get("achievedChannelEventsPerSecond")),
                        fmt(r.get("achievedHeartbeatsPerSecond")),
                        fmt(r.get("decisionsPerSecond")),
                        fmt(r.get("decidedRequestsPerSecond")),
                        fmt(r.get("rejectionsPerSecond")),
                        r.get("rejectionsByReason"),
                        fmt(r.get("p50Ms")),
                        fmt(r.get("p99Ms")),
                        fmt(r.get("p999Ms")),
                        fmt(r.get("maxMs")),
                        r.get("processCpuCores"),
                        r.get("gcPauses"),
                        r.get("gcPauseTotalMs"),
                        r.get("gcPauseMaxMs")));
        if (((Number) r.get("slotsWithDecisions")).intValue() > 0) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "Per slot (%s slots with decisions): its first decision p50 %s ms, its"
                                    + " last p50 %s ms, the spread between them p50 %s ms (the"
                                    + " first waits for the path alone; the others also for the"
                                    + " domains closed before them on their subtask).%n%n",
                            r.get("slotsWithDecisions"),
                            fmt(r.get("slotFirstDecisionP50Ms")),
                            fmt(r.get("slotLastDecisionP50Ms")),
                            fmt(r.get("slotSpreadP50Ms"))));
        }
        if (!Boolean.TRUE.equals(r.get("latencyCoversWindow"))) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "**The latencies do not cover the window:** at the stop the latest"
                                    + " decided slot was %s ms behind the window's last slot, so"
                                    + " the slowest slots are missing and the percentiles"
                                    + " understate the tail.%n%n",
                            r.get("lagAtStopMs")));
        }
        Object backlog = r.get("backlogDuringRamp");
        if (backlog instanceof List<?> b && !b.isEmpty()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "Requests written and not yet read by the job's sources, every 10 s of"
                                    + " the %s s before the window%s: %s.%n%n",
                            r.get("rampSeconds"),
                            ((Number) r.get("spikeSeconds")).intValue() == 0
                                    ? ""
                                    : " (after "
                                            + r.get("spikeSeconds")
                                            + " s at "
                                            + thousands(r.get("spikeRequestEventsPerSecond"))
                                            + " requests/s)",
                            b.stream()
                                    .map(JobBenchReport::thousands)
                                    .collect(Collectors.joining(", "))));
        }
        md.append("| stage | CPU share % | CPU µs per request event |\n|---|---|---|\n");
        Map<String, Object> share = (Map<String, Object>) r.get("cpuPercentByStage");
        Map<String, Object> per = (Map<String, Object>) r.get("cpuMicrosPerRequestEventByStage");
        rows(md, share, per);
        Map<String, Object> cores = (Map<String, Object>) r.get("cpuCoresByThreads");
        Map<String, Object> perInput =
                (Map<String, Object>) r.get("cpuMicrosPerInputEventByThreads");
        Map<String, Object> alloc =
                (Map<String, Object>) r.get("allocatedMegabytesPerSecondByThreads");
        Map<String, Object> allocPer =
                (Map<String, Object>) r.get("allocatedBytesPerInputEventByThreads");
        if (cores != null && alloc != null && !alloc.isEmpty()) {
            md.append(
                    "\nMeasured per thread (CPU time and heap allocation of each Java thread; the"
                            + " JVM's own threads apart):\n\n| threads | cores | CPU µs per input"
                            + " event | MB/s allocated | bytes allocated per input event |\n"
                            + "|---|---|---|---|---|\n");
            java.util.Set<String> groups = new java.util.LinkedHashSet<>(cores.keySet());
            groups.addAll(alloc.keySet());
            for (String k : groups) {
                md.append("| ").append(k).append(" | ");
                md.append(cores.containsKey(k) ? cores.get(k) : "-").append(" | ");
                md.append(perInput.containsKey(k) ? perInput.get(k) : "-").append(" | ");
                md.append(alloc.containsKey(k) ? alloc.get(k) : "-").append(" | ");
                md.append(allocPer.containsKey(k) ? fmt(allocPer.get(k)) : "-").append(" |\n");
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nAllocated in all: %s MB/s, %s bytes per input event.%n",
                            r.get("allocatedMegabytesPerSecond"),
                            fmt(r.get("allocatedBytesPerInputEvent"))));
        } else if (cores != null) {
            md.append(
                    "\nMeasured per thread (CPU time of each Java thread; the JVM's own threads"
                            + " apart):\n\n| threads | cores | CPU µs per input event |\n"
                            + "|---|---|---|\n");
            rows(md, cores, perInput);
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n(%s CPU samples; GC: %s. Checkpoints in the window: %s completed, last"
                                + " %s ms, %s bytes (full %s bytes).)%n%nJSON: `%s`%n%n",
                        r.get("cpuSamples"),
                        r.get("gc"),
                        fmt(r.get("checkpointsCompleted")),
                        fmt(r.get("lastCheckpointMs")),
                        fmt(r.get("lastCheckpointBytes")),
                        fmt(r.get("lastCheckpointFullBytes")),
                        json(r)));
        return md.toString();
    }

    /** One table row per key of a: the key, a's value, b's value. */
    private static void rows(StringBuilder md, Map<String, Object> a, Map<String, Object> b) {
        for (String k : a.keySet()) {
            md.append("| ").append(k).append(" | ").append(a.get(k)).append(" | ");
            md.append(b.get(k)).append(" |\n");
        }
    }

    /** A whole number with thousands separators. */
    static String thousands(Object v) {
        return String.format(Locale.ROOT, "%,d", ((Number) v).longValue());
    }

    static String fmt(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() ? "-" : String.format(Locale.ROOT, "%,.0f", d);
        }
        return String.valueOf(v);
    }
}
