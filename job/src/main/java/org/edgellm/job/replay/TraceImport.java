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
        List<ChannelState> chans = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            Traces.Radio radio = radios.get(u % radios.size());
            int phase = rnd.nextInt(radio.snrDb().length);
            String domain = domains.get(u % domains.size());
            List<NodeSpec> nodes = topology.domains.get(domain);
            double[] offset = new double[nodes.size()];
            for (int j = 0; j < offset.length; j++) {
                offset[j] = 10 * rnd.nextDouble();
            }
            for (long t = 0; first + t <= end; t += period) {
                double snr = radio.snrDb()[(int) ((phase + t / 1000) % radio.snrDb().length)];
                if (Double.isNaN(snr)) {
                    continue;
                }
                for (int j = 0; j < offset.length; j++) {
                    double dl = snr - offset[j];
                    chans.add(
                            ChannelState.newBuilder()
                                    .setUserId("user-" + u)
                                    .setDomainId(domain)
                                    .setNodeId(nodes.get(j).id)
                                    .setMeasuredAt(Instant.ofEpochMilli(first + t))
                                    .setUplinkSpectralEfficiency(
                                            round4(Traces.spectralEfficiency(dl - 3)))
                                    .setDownlinkSpectralEfficiency(
                                            round4(Traces.spectralEfficiency(dl)))
                                    .setSnrDb(snr)
                                    .build());
                }
            }
        }
        chans.sort(
                Comparator.comparing((ChannelState c) -> c.getMeasuredAt())
                        .thenComparing(ChannelState::getUserId)
                        .thenComparing(ChannelState::getNodeId));
        return new Imported(reqs, chans, first, lastArrival, azure.skipped());
    }

    static double round4(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
