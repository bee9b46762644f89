package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.job.testing.SourceScan;
import org.junit.jupiter.api.Test;

/**
 * {@code worker.jar feed} imports traces with these classes, and worker.jar holds no Flink: none of
 * them may reference Flink, nor a class that does (ReplayRunner, Simulator, SchedulerJob). The
 * smoke test once failed on exactly this: the feeder printed its import report through
 * ReplayRunner, whose loading needs Flink's classes.
 */
class FeedPathIsolationTest {

    static final List<String> FEED_PATH =
            List.of("TraceImport", "TraceInput", "RequestTraces", "Traces", "GapFill", "Csv");

    static final List<String> FORBIDDEN =
            List.of("org.apache.flink", "ReplayRunner", "Simulator", "SchedulerJob", "LocalMain");

    static List<String> violations(List<Path> files) throws IOException {
        return SourceScan.violations(files, FORBIDDEN);
    }

    @Test
    void theFeedersTraceClassesNeedNoFlink() throws IOException {
        Path dir = Path.of("src/main/java/org/edgellm/job/replay");
        assertTrue(Files.isDirectory(dir), "run from the module directory");
        List<Path> files = new ArrayList<>();
        for (String c : FEED_PATH) {
            files.add(dir.resolve(c + ".java"));
        }
        Path feeder = Path.of("../worker/src/main/java/org/edgellm/worker/Feeder.java");
        assertTrue(Files.exists(feeder), feeder.toString());
        files.add(feeder);
        assertEquals(List.of(), violations(files));
    }

    @Test
    void theCheckSeesAReplayRunnerCall() throws IOException {
        Path f = Files.createTempFile("Feed", ".java");
        try {
            Files.writeString(
                    f, "class Feed {\n  void x() { ReplayRunner.printInput(null, null); }\n}\n");
            assertEquals(1, violations(List.of(f)).size());
        } finally {
            Files.delete(f);
        }
    }
}
