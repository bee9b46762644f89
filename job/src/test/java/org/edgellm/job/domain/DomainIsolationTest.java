package org.edgellm.job.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.edgellm.job.testing.SourceScan;
import org.junit.jupiter.api.Test;

/**
 * The domain scheduler is plain Java: neither its package nor the state and event classes it works
 * on import Flink, Kafka, Avro or the generated Avro events.
 */
class DomainIsolationTest {

    static final List<String> FORBIDDEN =
            List.of(
                    "org.apache.flink",
                    "org.apache.kafka",
                    "org.apache.avro",
                    "org.edgellm.events");

    /** The plain classes of org.edgellm.job that the domain uses (state and events). */
    static final List<String> SHARED =
            List.of(
                    "InputEvent",
                    "RequestEvent",
                    "ChannelEvent",
                    "TelemetryEvent",
                    "NodeRuntime",
                    "NodeSpec",
                    "PendingQueue",
                    "UserChannels",
                    "Topology",
                    "ServiceClass");

    static List<String> violations(List<Path> files) throws IOException {
        return SourceScan.violations(files, FORBIDDEN);
    }

    @Test
    void noFlinkKafkaOrAvroInTheDomainOrItsStateClasses() throws IOException {
        Path job = Path.of("src/main/java/org/edgellm/job");
        assertTrue(Files.isDirectory(job), "run from the module directory");
        List<Path> files;
        try (Stream<Path> s = Files.list(job.resolve("domain"))) {
            files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".java")).toList());
        }
        assertTrue(files.size() >= 15, "the domain package: " + files);
        for (String c : SHARED) {
            files.add(job.resolve(c + ".java"));
        }
        assertEquals(List.of(), violations(files));
    }

    @Test
    void theCheckSeesAFlinkImport() throws IOException {
        Path f = Files.createTempFile("Shell", ".java");
        try {
            Files.writeString(
                    f,
                    "package x;\nimport org.apache.flink.util.Collector;\n/** org.apache.avro in a comment */\nclass Shell {}\n");
            assertEquals(1, violations(List.of(f)).size());
        } finally {
            Files.delete(f);
        }
    }
}
