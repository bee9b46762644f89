import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.testing.EmbeddedKafka;

/**
 * What `bench.jar job`'s harness costs without the job: the same in-JVM KRaft broker, a producer
 * like its load generator (a channel state and a request per pair, Avro single-object encoded,
 * keyed by one of 1,000 domains, linger 5 ms, acks 1) paced to RATE pairs/s, and one
 * read_committed consumer that decodes every record (standing in for the job's sources). Measures
 * 20 s after 20 s of warm-up; prints pairs sent, records read and the process's CPU.
 *
 * <pre>java -cp bench/target/bench.jar bench/scripts/HarnessCeiling.java RATE [PARTITIONS]</pre>
 */
public class HarnessCeiling {
    public static void main(String[] args) throws Exception {
        int rate = Integer.parseInt(args[0]);
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(partitions, "requests", "channels");
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("client.id", "bench-load");
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            p.put("linger.ms", "5");
            p.put("batch.size", Integer.toString(256 * 1024));
            p.put("acks", "1");
            AtomicLong read = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> read(kafka, read, stop), "bench-read");
            reader.start();
            var os =
                    (com.sun.management.OperatingSystemMXBean)
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                long start = System.nanoTime();
                long sent = 0;
                long sent0 = 0;
                long read0 = 0;
                long cpu0 = 0;
                long t0 = 0;
                while (true) {
                    long now = System.nanoTime();
                    double elapsed = (now - start) / 1e9;
                    if (t0 == 0 && elapsed >= 20) {
                        t0 = now;
                        sent0 = sent;
                        read0 = read.get();
                        cpu0 = os.getProcessCpuTime();
                    }
                    if (elapsed >= 40) {
                        break;
                    }
                    long due = (long) (elapsed * rate);
                    // at most 10 ms of pairs per round: a generator that falls behind stays behind
                    long limit = Math.min(due, sent + Math.max(1, rate / 100));
                    long ms = System.currentTimeMillis();
                    for (; sent < limit; sent++) {
                        send(producer, sent, ms);
                    }
                    if (sent >= due) {
                        Thread.sleep(1);
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                double cores = (os.getProcessCpuTime() - cpu0) / 1e9 / secs;
                double pairs = (sent - sent0) / secs;
                double records = (read.get() - read0) / secs;
                System.out.printf(
                        "target %d pairs/s, %d partitions: sent %.0f pairs/s (%.0f records/s),"
                                + " read %.0f records/s, process %.2f cores, %.1f µs of CPU per"
                                + " record sent%n",
                        rate,
                        partitions,
                        pairs,
                        2 * pairs,
                        records,
                        cores,
                        cores * 1e6 / (2 * pairs));
            }
            stop.set(true);
            reader.join();
        }
        System.exit(0);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, long i, long ms) {
        String domain = "dom-" + (i % 1000);
        byte[] key = domain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String user = "u" + (i % 10_000);
        ChannelState c =
                ChannelState.newBuilder()
                        .setUserId(user)
                        .setDomainId(domain)
                        .setNodeId(domain + "-a")
                        .setMeasuredAt(Instant.ofEpochMilli(ms))
                        .setUplinkSpectralEfficiency(4)
                        .setDownlinkSpectralEfficiency(5)
                        .build();
        producer.send(new ProducerRecord<>("channels", null, ms, key, EventCodec.encode(c)));
        InferenceRequest r =
                InferenceRequest.newBuilder()
                        .setRequestId("q" + i)
                        .setUserId(user)
                        .setDomainId(domain)
                        .setArrivalTime(Instant.ofEpochMilli(ms))
                        .setPromptTokens(50 + (int) (i % 200))
                        .setMaxOutputTokens(10 + (int) (i % 40))
                        .setDeadline(Instant.ofEpochMilli(ms + 15_000))
                        .setMaxPplIncrease(0.5)
                        .setWeight(1)
                        .setServiceClass("standard")
                        .build();
        producer.send(new ProducerRecord<>("requests", null, ms, key, EventCodec.encode(r)));
    }

    private static void read(EmbeddedKafka kafka, AtomicLong read, AtomicBoolean stop) {
        Properties c = new Properties();
        c.put("bootstrap.servers", kafka.bootstrapServers());
        c.put("group.id", "harness");
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed");
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of("requests", "channels"));
            while (!stop.get()) {
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        if (r.topic().equals("requests")) {
                            EventCodec.decodeRequest(r.value(), 1 << 20);
                        } else {
                            EventCodec.decodeChannel(r.value(), 1 << 20);
                        }
                    } catch (EventCodec.DecodeException e) {
                        throw new IllegalStateException(e);
                    }
                    read.incrementAndGet();
                }
            }
        }
    }
}
