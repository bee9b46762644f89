package org.edgellm.job.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.edgellm.events.ChannelState;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.ServiceClass;
import org.edgellm.job.Topology;

/**
 * Turns the recorded traces into events (no Flink here: replay and the live feeder share it). A
 * request trace ({@link RequestTraces}: Azure, Mooncake, BurstGPT or any CSV) gives the requests,
 * dealt to {@code users} users and to service classes by seeded draws; every user follows one radio
 * trace ({@link Traces}: Irish 5G or any CSV; round-robin over the files that have any measurement,
 * from a seeded phase, looping), its gaps filled by {@link GapFill}, per node lowered by a seeded
 * 0-10 dB path-loss offset (uplink 3 dB more), mapped to spectral efficiency; seconds without a
 * measurement produce no event. The {@link Report} says what was read, skipped and filled.
 */
public final class TraceImport {

    static final String[] BUNDLED_RADIO = {
        "Driving/B_2020.01.16_12.10.03.csv",
        "Driving/B_2020.02.14_07.29.00.csv",
        "Driving/B_2020.02.14_09.38.22.csv",
        "Static/B_2020.02.14_13.21.26.csv"
    };
    static final String BUNDLED_AZURE = "/traces/azure/AzureLLMInferenceTrace_conv-first5min.csv";

    private TraceImport() {}

    /**
     * Where the traces come from and how they are read: the requests file (null: the bundled
     * sample) and its format (columns: for {@code csv}), the radio traces (a directory searched
     * recursively for {@code .csv} files, or one file; null: the bundled ones) and their format,
     * and how gaps in the radio traces are filled.
     */
    public record Sources(
            String requests,
            RequestTraces.Format requestsFormat,
            RequestTraces.Columns columns,
            String channels,
            Traces.RadioFormat channelsFormat,
            Traces.RadioColumns channelColumns,
            GapFill.Mode gapFill,
            long gapMaxMs) {

        /** An Azure requests CSV and Irish radio traces (null: bundled), default gap filling. */
        public static Sources azure(String requestsCsv, String channelsDir) {
            return new Sources(
                    requestsCsv,
                    RequestTraces.Format.AZURE,
                    null,
                    channelsDir,
                    Traces.RadioFormat.IRISH,
                    null,
                    GapFill.DEFAULT_MODE,
                    GapFill.DEFAULT_MAX_MS);
        }
    }

    /** What to import. */
    public record Options(
            Sources sources,
            double minutes,
            int users,
            long channelPeriodMs,
            long seed,
            double speedup,
            int domains) {

        /** Azure and Irish traces (null: the bundled sample), all the topology's domains. */
        public Options(
                String requestsCsv,
                String channelsDir,
                double minutes,
                int users,
                long channelPeriodMs,
                long seed,
                double speedup) {
            this(requestsCsv, channelsDir, minutes, users, channelPeriodMs, seed, speedup, 0);
        }

        /** Azure and Irish traces (null: the bundled sample). */
        public Options(
                String requestsCsv,
                String channelsDir,
                double minutes,
                int users,
                long channelPeriodMs,
                long seed,
                double speedup,
                int domains) {
            this(
                    Sources.azure(requestsCsv, channelsDir),
                    minutes,
                    users,
                    channelPeriodMs,
                    seed,
                    speedup,
                    domains);
        }
    }

    /**
     * What the radio import found and did: traces read, rows that could not be read (the first as
     * {@code file:line}), gap filling (gaps and seconds filled per trace, gaps left empty, channel
     * events made from filled seconds among all channel events), and the traces without any
     * measurement (skipped: dealt to no user).
     */
    public record ChannelReport(
            String format,
            int traces,
            int badRows,
            List<String> badLines,
            String gapFill,
            long gapMaxMs,
            int gapsFilled,
            long secondsFilled,
            int gapsLeft,
            long eventsSynthesised,
            long channelEvents,
            List<String> tracesWithoutSamples) {}

    /** What the import read: the request trace's stats and the radio traces' report. */
    public record Report(
            String requests, RequestTraces.Stats requestStats, ChannelReport channels) {}

    /** Imported events, each list sorted by time, the span of the requests and the report. */
    public record Imported(
            List<InferenceRequest> requests,
            List<ChannelState> channels,
            long spanStart,
            long spanEnd,
            int skipped,
            Report report) {

        /** Events that were not imported from traces (no report). */
        public Imported(
                List<InferenceRequest> requests,
                List<ChannelState> channels,
                long spanStart,
                long spanEnd,
                int skipped) {
            this(requests, channels, spanStart, spanEnd, skipped, null);
        }
    }

    public static Imported load(Options o, Topology topology) throws IOException {
        Sources src = o.sources();
        double minutes = o.minutes();
        long seed = o.seed();
        double speedup = o.speedup();
        RequestTraces.Trace trace;
        String requestsName;
        if (src.requests() != null) {
            Path f = Path.of(src.requests());
            requestsName = f.toString();
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--requests: no such file " + f);
            }
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                trace =
                        RequestTraces.read(
                                r, requestsName, src.requestsFormat(), src.columns(), minutes * 60);
            }
        } else {
            requestsName = "bundled:" + BUNDLED_AZURE;
            try (InputStream in = TraceImport.class.getResourceAsStream(BUNDLED_AZURE)) {
                trace =
                        RequestTraces.read(
                                new BufferedReader(
                                        new InputStreamReader(in, StandardCharsets.UTF_8)),
                                BUNDLED_AZURE,
                                RequestTraces.Format.AZURE,
                                null,
                                minutes * 60);
            }
        }
        if (trace.rows().isEmpty()) {
            RequestTraces.Stats st = trace.stats();
            throw new IllegalArgumentException(
                    "--requests: no request rows in "
                            + requestsName
                            + " ("
                            + st.format()
                            + "; "
                            + st.badRows()
                            + " bad rows"
                            + (st.badLines().isEmpty() ? "" : ", lines " + lines(st.badLines()))
                            + (st.skippedFailures() > 0
                                    ? "; " + st.skippedFailures() + " failures skipped"
                                    : "")
                            + ")");
        }
        List<Traces.Radio> read = readRadios(src);
        List<Traces.Radio> radios = new ArrayList<>();
        int gapsFilled = 0;
        long secondsFilled = 0;
        int gapsLeft = 0;
        List<String> empty = new ArrayList<>();
        int radioBad = 0;
        List<String> radioBadLines = new ArrayList<>();
        for (Traces.Radio radio : read) {
            radioBad += radio.badRows();
            for (int line : radio.badLines()) {
                if (radioBadLines.size() < RequestTraces.BAD_LINES_KEPT) {
                    radioBadLines.add(radio.name() + ":" + line);
                }
            }
            if (Arrays.stream(radio.snrDb()).allMatch(Double::isNaN)) {
                empty.add(radio.name()); // no channel at all: not dealt to any user
                continue;
            }
            GapFill.Result f = GapFill.fill(radio, src.gapFill(), src.gapMaxMs());
            radios.add(f.radio());
            gapsFilled += f.gapsFilled();
            secondsFilled += f.secondsFilled();
            gapsLeft += f.gapsLeft();
        }
        if (radios.isEmpty()) {
            throw new IllegalArgumentException(
                    "--channels-dir: no measurement in any radio trace of "
                            + src.channels()
                            + " ("
                            + read.size()
                            + " traces)");
        }
        int users = o.users();
        long period = o.channelPeriodMs();
        Random rnd = new Random(seed);
        List<String> domains = new ArrayList<>(topology.domains.keySet());
        if (o.domains() > domains.size()) {
            throw new IllegalArgumentException(
                    "--domains: the topology defines "
                            + domains.size()
                            + " domains (got "
                            + o.domains()
                            + ")");
        }
        if (o.domains() > 0) {
            domains = domains.subList(0, o.domains());
        }
        List<ServiceClass> classes = new ArrayList<>(topology.serviceClasses.values());
        double shareSum = classes.stream().mapToDouble(ServiceClass::share).sum();
        List<RequestTraces.Row> rows = trace.rows();
        String idPrefix = src.requestsFormat().idPrefix();
        long first = rows.get(0).timeMs();
        List<InferenceRequest> reqs = new ArrayList<>();
        double maxBudget = 0;
        for (ServiceClass c : classes) {
            maxBudget = Math.max(maxBudget, c.latencyBudgetMs());
        }
        long lastArrival = first;
        for (int k = 0; k < rows.size(); k++) {
            RequestTraces.Row row = rows.get(k);
            long arrival = first + Math.round((row.timeMs() - first) / speedup);
            lastArrival = Math.max(lastArrival, arrival);
            int user = rnd.nextInt(users);
            double x = rnd.nextDouble() * shareSum;
            ServiceClass sc = classes.get(classes.size() - 1);
            for (ServiceClass c : classes) {
                x -= c.share();
                if (x < 0) {
                    sc = c;
                    break;
                }
            }
            reqs.add(
                    InferenceRequest.newBuilder()
                            .setRequestId(idPrefix + k)
                            .setUserId("user-" + user)
                            .setDomainId(domains.get(user % domains.size()))
                            .setArrivalTime(Instant.ofEpochMilli(arrival))
                            .setPromptTokens(row.promptTokens())
                            .setMaxOutputTokens(row.outputTokens())
                            .setServiceClass(sc.name())
                            .build());
        }
        long end = lastArrival + (long) maxBudget;
        // each user's radio trace, phase and per-node path loss (seeded draws, in user order)
        int[] phase = new int[users];
        double[][] offset = new double[users][];
        for (int u = 0; u < users; u++) {
            Traces.Radio radio = radios.get(u % radios.size());
            phase[u] = rnd.nextInt(radio.snrDb().length);
            offset[u] = new double[topology.domains.get(domains.get(u % domains.size())).size()];
            for (int j = 0; j < offset[u].length; j++) {
                offset[u][j] = 10 * rnd.nextDouble();
            }
        }
        // generated in the order of (time, user id, node id), so already sorted
        String[] userIds = new String[users];
        Integer[] byUserId = new Integer[users];
        for (int u = 0; u < users; u++) {
            byUserId[u] = u;
            userIds[u] = "user-" + u;
        }
        Arrays.sort(byUserId, Comparator.comparing((Integer u) -> "user-" + u));
        List<ChannelState> chans = new ArrayList<>();
        long synthesised = 0;
        for (long t = 0; first + t <= end; t += period) {
            Instant at = Instant.ofEpochMilli(first + t);
            for (int u : byUserId) {
                Traces.Radio radio = radios.get(u % radios.size());
                int second = (int) ((phase[u] + t / 1000) % radio.snrDb().length);
                double snr = radio.snrDb()[second];
                if (Double.isNaN(snr)) {
                    continue;
                }
                String domain = domains.get(u % domains.size());
                List<NodeSpec> nodes = topology.domains.get(domain);
                Integer[] byNodeId = new Integer[nodes.size()];
                for (int j = 0; j < byNodeId.length; j++) {
                    byNodeId[j] = j;
                }
                Arrays.sort(byNodeId, Comparator.comparing((Integer j) -> nodes.get(j).id));
                if (radio.isFilled(second)) {
                    synthesised += byNodeId.length;
                }
                for (int j : byNodeId) {
                    double dl = snr - offset[u][j];
                    // the all-args constructor: a builder costs more than the rest of the import
                    chans.add(
                            new ChannelState(
                                    userIds[u],
                                    domain,
                                    nodes.get(j).id,
                                    at,
                                    round4(Traces.spectralEfficiency(dl - 3)),
                                    round4(Traces.spectralEfficiency(dl)),
                                    snr,
                                    null));
                }
            }
        }
        ChannelReport channels =
                new ChannelReport(
                        src.channelsFormat().flag(),
                        radios.size(),
                        radioBad,
                        List.copyOf(radioBadLines),
                        src.gapFill().flag(),
                        src.gapMaxMs(),
                        gapsFilled,
                        secondsFilled,
                        gapsLeft,
                        synthesised,
                        chans.size(),
                        List.copyOf(empty));
        return new Imported(
                reqs,
                chans,
                first,
                lastArrival,
                trace.stats().badRows(),
                new Report(requestsName, trace.stats(), channels));
    }

    /** The radio traces of the sources, in name order (the bundled four without a directory). */
    static List<Traces.Radio> readRadios(Sources src) throws IOException {
        List<Traces.Radio> radios = new ArrayList<>();
        if (src.channels() != null) {
            Path dir = Path.of(src.channels());
            List<Path> files;
            if (Files.isRegularFile(dir)) {
                files = List.of(dir);
            } else if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    files = s.filter(x -> x.toString().endsWith(".csv")).sorted().toList();
                }
            } else {
                throw new IllegalArgumentException(
                        "--channels-dir: no such directory or file " + dir);
            }
            for (Path f : files) {
                String name =
                        f.equals(dir) ? f.getFileName().toString() : dir.relativize(f).toString();
                try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    radios.add(
                            Traces.readRadio(r, name, src.channelsFormat(), src.channelColumns()));
                }
            }
            if (radios.isEmpty()) {
                throw new IllegalArgumentException(
                        "--channels-dir: no .csv radio trace under " + dir);
            }
        } else {
            for (String name : BUNDLED_RADIO) {
                try (InputStream in =
                        TraceImport.class.getResourceAsStream("/traces/radio/" + name)) {
                    radios.add(
                            Traces.readRadio(
                                    new BufferedReader(
                                            new InputStreamReader(in, StandardCharsets.UTF_8)),
                                    name));
                }
            }
        }
        return radios;
    }

    /** Line numbers as {@code 3, 7, 9}. */
    static String lines(List<?> lines) {
        return String.join(", ", lines.stream().map(String::valueOf).toList());
    }

    static double round4(double x) {
        return Math.round(x * 1e4) / 1e4;
    }

    /**
     * What the import read, on two lines: the requests (rows, bad rows and their first line
     * numbers, failures skipped, rows out of order) and the radio traces (bad rows, gap filling).
     */
    public static void print(java.io.PrintStream err, Report r) {
        if (r == null) {
            return;
        }
        RequestTraces.Stats q = r.requestStats();
        StringBuilder b = new StringBuilder();
        b.append("requests: ")
                .append(q.requestRows())
                .append(" rows from ")
                .append(r.requests())
                .append(" (")
                .append(q.format())
                .append(")");
        if (q.badRows() > 0) {
            b.append("; ")
                    .append(q.badRows())
                    .append(" bad rows skipped, lines ")
                    .append(lines(q.badLines()))
                    .append(q.badRows() > q.badLines().size() ? ", ..." : "");
        }
        if (q.skippedFailures() > 0) {
            b.append("; ").append(q.skippedFailures()).append(" failed requests skipped");
        }
        if (q.outOfOrderRows() > 0) {
            b.append("; ").append(q.outOfOrderRows()).append(" rows out of time order, sorted in");
        }
        err.println(b);
        ChannelReport c = r.channels();
        b = new StringBuilder();
        b.append("channels: ").append(c.traces()).append(" ").append(c.format()).append(" traces");
        if (c.badRows() > 0) {
            b.append("; ")
                    .append(c.badRows())
                    .append(" bad rows skipped, ")
                    .append(String.join(", ", c.badLines()))
                    .append(c.badRows() > c.badLines().size() ? ", ..." : "");
        }
        if (c.gapFill().equals("none")) {
            b.append("; gaps not filled (").append(c.gapsLeft()).append(" gaps)");
        } else {
            b.append("; gaps up to ")
                    .append(c.gapMaxMs())
                    .append(" ms filled (")
                    .append(c.gapFill())
                    .append("): ")
                    .append(c.gapsFilled())
                    .append(" gaps, ")
                    .append(c.secondsFilled())
                    .append(" s; ")
                    .append(c.gapsLeft())
                    .append(" longer gaps left");
        }
        b.append("; ")
                .append(c.eventsSynthesised())
                .append(" of ")
                .append(c.channelEvents())
                .append(" channel events from filled seconds");
        err.println(b);
        if (!c.tracesWithoutSamples().isEmpty()) {
            err.println(
                    "channels: skipped "
                            + String.join(", ", c.tracesWithoutSamples())
                            + ": no measurement at all");
        }
    }
}
