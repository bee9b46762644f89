package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench.jar policies}: its interval arithmetic, and a tiny run's page and plots. */
class PolicyBenchTest {

    @TempDir Path dir;

    /** Mean 3, sample deviation sqrt(2.5), t(0.975, 4) = 2.776: 2.776 * sqrt(2.5 / 5). */
    @Test
    void ci95IsStudentsHalfWidth() {
        assertEquals(
                2.776 * Math.sqrt(0.5), PolicyBench.ci95(List.of(1.0, 2.0, 3.0, 4.0, 5.0)), 1e-12);
        assertEquals(
                12.706 * Math.sqrt(0.5) / Math.sqrt(2), PolicyBench.ci95(List.of(1.0, 2.0)), 1e-12);
        assertEquals(0, PolicyBench.ci95(List.of(7.0)));
    }

    @Test
    void thePageNamesTheRadioTracesItRan() {
        assertEquals("the bundled radio traces", PolicyBench.radio(List.of("--minutes", "5")));
        assertEquals(
                "the radio traces of `radio/Driving`",
                PolicyBench.radio(List.of("--channels-dir", "radio/Driving", "--minutes", "5")));
        assertEquals(
                "the radio traces of `a`",
                PolicyBench.radio(List.of("--seed", "1", "--channels-dir=a")));
    }

    @Test
    void aTinyRunWritesTheTableTheBoundAndThePlots() throws Exception {
        Path md = dir.resolve("results-trace.md");
        Path plots = dir.resolve("results");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(
                0,
                BenchMain.run(
                        new String[] {
                            "policies",
                            "--minutes",
                            "0.5",
                            "--seeds",
                            "1,2",
                            "--speedups",
                            "1",
                            "--markdown",
                            md.toString(),
                            "--plots",
                            plots.toString()
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        System.err));
        String page = Files.readString(md);
        for (String row :
                List.of(
                        "| fcfs (per-slot, window 32) |",
                        "| edf (per-slot, window 32) |",
                        "| smallest-kv (per-slot, window 32) |",
                        "| static (per-slot, window 32) |",
                        "| ot-gah (per-slot, window 32) |",
                        "| ot-gah (load-price, fixed window 64, urgency tie-break, fastest variant;"
                                + " the previous default) |",
                        "| ot-gah (load-price, growing window, no urgency tie-break) |",
                        "| ot-gah (load-price, growing window, urgency tie-break, the solver's"
                                + " variant) |",
                        "| " + PolicyBench.DEFAULT_ROW + " |",
                        "| upper bound |")) {
            assertTrue(page.contains(row), row + " in\n" + page);
        }
        assertTrue(page.contains("java -jar bench/target/bench.jar policies --minutes 0.5"), page);
        assertTrue(page.contains("slot 1 s, the bundled radio traces,"), page);
        // the printed lines say which seeds ran; each configuration once per seed
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(
                2,
                printed.split(java.util.regex.Pattern.quote(PolicyBench.DEFAULT_ROW), -1).length
                        - 1,
                printed);
        // the bound once per seed (from the default's runs only)
        assertTrue(
                java.util.regex.Pattern.compile(
                                "\\| upper bound \\| 1 \\| \\[[0-9.]+, [0-9.]+\\] \\|")
                        .matcher(page)
                        .find(),
                page);
        for (String f : List.of("trace-goodput.png", "trace-share.png")) {
            assertTrue(Files.size(plots.resolve(f)) > 10_000, f);
        }
    }
}
