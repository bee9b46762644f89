package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core stays pure Java: no Flink, Kafka or Avro in its sources or on its classpath, and no
 * plotting library.
 */
class CoreIsolationTest {

    @Test
    void noStreamingImportsInCoreSources() throws IOException {
        Path src = Path.of("src/main/java");
        assertTrue(Files.isDirectory(src), "run from the module directory");
        List<Path> files;
        try (Stream<Path> s = Files.walk(src)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 10);
        for (Path p : files) {
            for (String line : Files.readAllLines(p)) {
                String t = line.trim();
                if (t.startsWith("import ")) {
                    assertTrue(
                            !t.contains("org.apache.flink")
                                    && !t.contains("org.apache.kafka")
                                    && !t.contains("org.apache.avro"),
                            p + ": " + t);
                }
            }
        }
    }

    @Test
    void noStreamingLibrariesOnTheCoreClasspath() {
        for (String c :
                List.of(
                        "org.apache.flink.api.common.functions.Function",
                        "org.apache.kafka.clients.producer.Producer",
                        "org.apache.avro.Schema",
                        // plots belong to bench/, not to scheduler.jar
                        "org.jfree.chart.JFreeChart")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(c), c);
        }
    }
}
