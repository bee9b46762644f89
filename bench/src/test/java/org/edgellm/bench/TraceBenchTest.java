package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps {@code bench.jar trace} working: the tiny configuration writes its plots and tables. */
class TraceBenchTest {

    @TempDir Path dir;

    @Test
    void quickRunWritesPlotsAndTables() throws Exception {
        Path out = dir.resolve("results");
        assertEquals(
                0,
                BenchMain.run(
                        new String[] {"trace", "--quick", "--out", out.toString()},
                        new PrintStream(new ByteArrayOutputStream()),
                        System.err));
        for (String f :
                new String[] {
                    "fig5-goodput.png", "fig5-attainment.png", "fig5-solve.png", "fig5-nodes.png"
                }) {
            assertTrue(Files.size(out.resolve(f)) > 10_000, f);
        }
        String md = Files.readString(dir.resolve("results-trace-job.md"));
        assertTrue(md.contains("| ot-gah | 1.0 |") && md.contains("| fcfs | 2.0 |"), md);
        assertTrue(md.contains("java -jar bench/target/bench.jar trace --quick --out "), md);
    }
}
