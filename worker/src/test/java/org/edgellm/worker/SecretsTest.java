package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.KafkaIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security basics: Kafka client settings (SASL here; TLS settings take the same path) reach every
 * client of the job and of worker.jar, from flags or from a properties file; and the secret they
 * carry appears in no log line and on no console, while the clients do log their settings.
 */
class SecretsTest {

    static final String SECRET = "pw-" + UUID.randomUUID();

    @Test
    void clientSettingsReachEveryClientAndNoSecretIsLogged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"scheduler\" password=\""
                        + SECRET
                        + "\";\n");
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        StringWriter logged = new StringWriter();
        WriterAppender capture =
                WriterAppender.newBuilder()
                        .setName("capture-secrets")
                        .setTarget(logged)
                        .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build())
                        .build();
        capture.start();
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        Level level = root.getLevel();
        root.addAppender(capture, Level.ALL, null);
        root.setLevel(Level.INFO);
        ctx.updateLoggers();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        System.setOut(new PrintStream(console, true));
        System.setErr(new PrintStream(console, true));
        List<Properties> clients = new ArrayList<>();
        try {
            // the job: three sources and four sinks
            JobConfig c =
                    JobConfig.parse(
                            new String[] {
                                "--bootstrap-servers",
                                "127.0.0.1:1",
                                "--kafka-properties",
                                file.toString(),
                                "--kafka.ssl.truststore.password",
                                SECRET + "-ts"
                            });
            SchedulerPipeline.Sources sources = KafkaIo.sources(c, Topology.defaults());
            for (Object s : List.of(sources.requests(), sources.channels(), sources.telemetry())) {
                clients.add(field(s, "props"));
            }
            SchedulerPipeline.Sinks sinks = KafkaIo.sinks(c);
            for (Object s :
                    List.of(
                            sinks.decisions(),
                            sinks.rejections(),
                            sinks.reports(),
                            sinks.deadLetters())) {
                clients.add(field(s, "kafkaProducerConfig"));
            }
            // worker.jar: the same from its flags
            Map<String, String> kafka =
                    WorkerMain.withFile(
                            file.toString(), Map.of("ssl.truststore.password", SECRET + "-ts"));
            Map<String, String> f = Map.of("bootstrap-servers", "127.0.0.1:1");
            Worker.Settings settings =
                    new Worker.Settings(
                            "127.0.0.1:1",
                            "n",
                            "d",
                            "dec",
                            "comp",
                            "tel",
                            dir.resolve("state"),
                            500,
                            kafka,
                            null);
            clients.add(ClientProperties.common(settings));
            clients.add(Feeder.producer(f, kafka));
            clients.add(TopicSnapshot.consumer(f, kafka, "report"));
            assertEquals(10, clients.size());
            for (Properties p : clients) {
                assertEquals("SASL_PLAINTEXT", p.getProperty("security.protocol"), p.toString());
                assertEquals("PLAIN", p.getProperty("sasl.mechanism"));
                assertTrue(p.getProperty("sasl.jaas.config").contains(SECRET));
                assertEquals(SECRET + "-ts", p.getProperty("ssl.truststore.password"));
            }
            // real clients with those settings log their configuration at INFO
            Properties cp = TopicSnapshot.consumer(f, kafka, "report");
            Properties pp = Feeder.producer(f, kafka);
            pp.put("key.serializer", ByteArraySerializer.class.getName());
            cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> kc = new KafkaConsumer<>(cp);
                    KafkaProducer<byte[], byte[]> kp = new KafkaProducer<>(pp)) {
                assertTrue(kc.subscription().isEmpty() && kp.metrics() != null);
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
            root.removeAppender("capture-secrets");
            root.setLevel(level);
            ctx.updateLoggers();
            capture.stop();
        }
        String all = logged + "\n" + console;
        assertTrue(
                all.contains("sasl.jaas.config = [hidden]"),
                "the clients logged their settings (with the secret masked)");
        assertFalse(all.contains(SECRET), "a secret was logged");
    }

    static Properties field(Object o, String name) throws Exception {
        var f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return (Properties) f.get(o);
    }
}
