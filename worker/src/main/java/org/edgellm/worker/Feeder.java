package org.edgellm.worker;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.Topology;
import org.edgellm.job.replay.TraceImport;
import org.edgellm.job.replay.TraceInput;

/**
 * {@code worker.jar feed}: publishes requests and channel states from a request trace and radio
 * traces (the bundled Azure sample and Irish 5G traces by default) into Kafka at real-time pace
 * times {@code --speedup}, re-timed to start now: how people feed live telemetry to a running job
 * and rehearse with recorded load. Flags: {@code --bootstrap-servers --requests-topic
 * --channels-topic --events --topology --domains --minutes --users --seed --speedup
 * --channel-period-ms --kafka.NAME VALUE} and the trace flags of replay and simulate ({@link
 * TraceInput}: formats, columns, gap filling; docs/traces.md); {@code --events DIR} feeds the
 * project's Avro event files instead of the traces, {@code --domains N} spreads the users over the
 * first N domains of the topology.
 */
public final class Feeder {

    private Feeder() {}

    /** Counts of what was sent. */
    public record Sent(int requests, int channels) {}

    /** The project's event files (requests.avro, channels.avro in DIR), as replay writes them. */
    static TraceImport.Imported fromEventFiles(Path dir) throws java.io.IOException {
        java.util.List<InferenceRequest> reqs = new java.util.ArrayList<>();
        java.util.List<ChannelState> chans = new java.util.ArrayList<>();
        try (var r =
                new org.apache.avro.file.DataFileReader<InferenceRequest>(
                        dir.resolve("requests.avro").toFile(),
                        new org.apache.avro.specific.SpecificDatumReader<>(
                                InferenceRequest.class))) {
            r.forEach(reqs::add);
        }
        if (java.nio.file.Files.exists(dir.resolve("channels.avro"))) {
            try (var r =
                    new org.apache.avro.file.DataFileReader<ChannelState>(
                            dir.resolve("channels.avro").toFile(),
                            new org.apache.avro.specific.SpecificDatumReader<>(
                                    ChannelState.class))) {
                r.forEach(chans::add);
            }
        }
        reqs.sort(java.util.Comparator.comparing(InferenceRequest::getArrivalTime));
        chans.sort(java.util.Comparator.comparing(ChannelState::getMeasuredAt));
        if (reqs.isEmpty()) {
            throw new IllegalArgumentException("--events: no requests in " + dir);
        }
        long first = reqs.get(0).getArrivalTime().toEpochMilli();
        if (!chans.isEmpty()) {
            first = Math.min(first, chans.get(0).getMeasuredAt().toEpochMilli());
        }
        return new TraceImport.Imported(
                reqs, chans, first, reqs.get(reqs.size() - 1).getArrivalTime().toEpochMilli(), 0);
    }

    public static Sent run(Map<String, String> f, Map<String, String> kafka) throws Exception {
        return run(f, kafka, System.err);
    }

    /** Feeds the traces; what the import read (bad rows, gap filling) is printed on err. */
    public static Sent run(Map<String, String> f, Map<String, String> kafka, PrintStream err)
            throws Exception {
        Topology topology =
                f.containsKey("topology")
                        ? Topology.load(Path.of(f.get("topology")))
                        : Topology.defaults();
        double speedup = Double.parseDouble(f.getOrDefault("speedup", "1"));
        if (!(speedup > 0)) {
            throw new IllegalArgumentException("--speedup: must be positive (got " + speedup + ")");
        }
        TraceImport.Sources sources = sources(f);
        TraceImport.Imported imp =
                f.containsKey("events")
                        ? fromEventFiles(Path.of(f.get("events")))
                        : TraceImport.load(
                                new TraceImport.Options(
                                        sources,
                                        Double.parseDouble(f.getOrDefault("minutes", "0")),
                                        Integer.parseInt(f.getOrDefault("users", "24")),
                                        Long.parseLong(f.getOrDefault("channel-period-ms", "1000")),
                                        Long.parseLong(f.getOrDefault("seed", "1")),
                                        speedup,
                                        Integer.parseInt(f.getOrDefault("domains", "0"))),
                                topology);
        TraceImport.print(err, imp.report());
        String requestsTopic = f.getOrDefault("requests-topic", "inference-requests");
        String channelsTopic = f.getOrDefault("channels-topic", "channel-state");
        Properties p = producer(f, kafka);
        long base = imp.spanStart();
        long start = System.currentTimeMillis() + 500;
        int r = 0;
        int c = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            var reqs = imp.requests();
            var chans = imp.channels();
            while (r < reqs.size() || c < chans.size()) {
                boolean takeRequest =
                        c >= chans.size()
                                || (r < reqs.size()
                                        && reqs.get(r).getArrivalTime().toEpochMilli()
                                                <= chans.get(c).getMeasuredAt().toEpochMilli());
                long t;
                ProducerRecord<byte[], byte[]> rec;
                if (takeRequest) {
                    InferenceRequest q = reqs.get(r++);
                    t = start + (q.getArrivalTime().toEpochMilli() - base);
                    q =
                            InferenceRequest.newBuilder(q)
                                    .setArrivalTime(Instant.ofEpochMilli(t))
                                    .build();
                    rec =
                            new ProducerRecord<>(
                                    requestsTopic,
                                    null,
                                    t,
                                    q.getRequestId().getBytes(StandardCharsets.UTF_8),
                                    EventCodec.encode(q));
                } else {
                    ChannelState s = chans.get(c++);
                    t = start + (s.getMeasuredAt().toEpochMilli() - base);
                    s = ChannelState.newBuilder(s).setMeasuredAt(Instant.ofEpochMilli(t)).build();
                    rec =
                            new ProducerRecord<>(
                                    channelsTopic,
                                    null,
                                    t,
                                    s.getUserId().getBytes(StandardCharsets.UTF_8),
                                    EventCodec.encode(s));
                }
                long wait = t - System.currentTimeMillis();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(wait);
                }
                producer.send(rec);
            }
            producer.flush();
        }
        return new Sent(r, c);
    }

    /**
     * The trace flags (those of {@link TraceInput}, as replay and simulate take them), checked; a
     * mistake raises IllegalArgumentException naming the flag and the value.
     */
    static TraceImport.Sources sources(Map<String, String> f) {
        List<String> a = new ArrayList<>();
        flag(a, "--requests", f.get("requests"));
        flag(a, "--requests-format", f.get("requests-format"));
        flag(a, "--requests-csv", f.get("requests-csv"));
        flag(a, "--time-column", f.get("time-column"));
        flag(a, "--prompt-column", f.get("prompt-column"));
        flag(a, "--output-column", f.get("output-column"));
        flag(a, "--time-unit", f.get("time-unit"));
        flag(a, "--channels-dir", f.get("channels-dir"));
        flag(a, "--channels-format", f.get("channels-format"));
        flag(a, "--channel-time-column", f.get("channel-time-column"));
        flag(a, "--channel-snr-column", f.get("channel-snr-column"));
        flag(a, "--channel-throughput-column", f.get("channel-throughput-column"));
        flag(a, "--channel-time-unit", f.get("channel-time-unit"));
        flag(a, "--channel-throughput-unit", f.get("channel-throughput-unit"));
        flag(a, "--channel-bandwidth-mhz", f.get("channel-bandwidth-mhz"));
        flag(a, "--channel-gap-fill", f.get("channel-gap-fill"));
        flag(a, "--channel-gap-max-ms", f.get("channel-gap-max-ms"));
        return TraceInput.parse(a);
    }

    private static void flag(List<String> args, String name, String value) {
        if (value != null) {
            args.add(name);
            args.add(value);
        }
    }

    /** The feeder's producer settings: {@code --bootstrap-servers}, then {@code --kafka.*}. */
    static Properties producer(Map<String, String> f, Map<String, String> kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", f.getOrDefault("bootstrap-servers", "localhost:9092"));
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "5");
        p.putAll(kafka);
        return p;
    }
}
