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
 * Turns the recorded traces into events (no Flink here: replay and the live feeder share it). The
 * Azure trace gives the requests, dealt to {@code users} users and to service classes by seeded
 * draws; every user follows one radio trace (round-robin over the files, from a seeded phase,
 * looping), per node lowered by a seeded 0-10 dB path-loss offset (uplink 3 dB more), mapped to
 * spectral efficiency; missing SNR samples produce no event.
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

    /** What to import; null files mean the bundled sample. */
    public record Options(
            String requestsCsv,
            String channelsDir,
            double minutes,
            int users,
            long channelPeriodMs,
            long seed,
            double speedup,
            int domains) {

        /** All the topology's domains. */
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
    }

    /** Imported events, each list sorted by time, and the span of the requests. */
    public record Imported(
            List<InferenceRequest> requests,
            List<ChannelState> channels,
            long spanStart,
            long spanEnd,
            int skipped) {}

    public static Imported load(Options o, Topology topology) throws IOException {
        double minutes = o.minutes();
        long seed = o.seed();
        double speedup = o.speedup();
        Traces.Azure azure;
        if (o.requestsCsv() != null) {
            Path f = Path.of(o.requestsCsv());
            try (BufferedReader r = Files.newBufferedReader(f)) {
                azure = Traces.readAzure(r, f.toString(), minutes * 60);
            }
        } else {
            try (InputStream in = TraceImport.class.getResourceAsStream(BUNDLED_AZURE)) {
                azure =
                        Traces.readAzure(
                                new BufferedReader(
                                        new InputStreamReader(in, StandardCharsets.UTF_8)),
                                BUNDLED_AZURE,
                                minutes * 60);
            }
        }
        List<Traces.Radio> radios = new ArrayList<>();
        if (o.channelsDir() != null) {
            Path dir = Path.of(o.channelsDir());
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(x -> x.toString().endsWith(".csv")).sorted().toList();
            }
            for (Path f : files) {
                try (BufferedReader r = Files.newBufferedReader(f)) {
                    radios.add(Traces.readRadio(r, dir.relativize(f).toString()));
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
        if (azure.rows().isEmpty()) {
            throw new IllegalArgumentException("--requests-csv: no request rows");
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
        long first = azure.rows().get(0).epochMs();
        List<InferenceRequest> reqs = new ArrayList<>();
        double maxBudget = 0;
        for (ServiceClass c : classes) {
            maxBudget = Math.max(maxBudget, c.latencyBudgetMs());
        }
        long lastArrival = first;
        for (int k = 0; k < azure.rows().size(); k++) {
            Traces.AzureRow row = azure.rows().get(k);
            long arrival = first + Math.round((row.epochMs() - first) / speedup);
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
                            .setRequestId("az-" + k)
                            .setUserId("user-" + user)
                            .setDomainId(domains.get(user % domains.size()))
                            .setArrivalTime(Instant.ofEpochMilli(arrival))
                            .setPromptTokens(row.contextTokens())
                            .setMaxOutputTokens(row.generatedTokens())
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
        for (long t = 0; first + t <= end; t += period) {
            Instant at = Instant.ofEpochMilli(first + t);
            for (int u : byUserId) {
                Traces.Radio radio = radios.get(u % radios.size());
                double snr = radio.snrDb()[(int) ((phase[u] + t / 1000) % radio.snrDb().length)];
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
        return new Imported(reqs, chans, first, lastArrival, azure.skipped());
    }

    static double round4(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
