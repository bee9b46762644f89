package org.edgellm.worker;

import static org.edgellm.worker.DeployFilesTest.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/alerts.yml through Prometheus' own tool: {@code promtool check rules} parses
 * every expression and template, and {@code promtool test rules} runs alerts-test.yml, whose
 * synthetic series must make the alerts fire (or not) at the times and with the labels and
 * annotations it expects. promtool comes with Debian's package {@code prometheus}, which .ci/run
 * installs; in CI (CI=true) a missing promtool fails this test, elsewhere it skips it.
 */
class AlertRulesTest {

    static final Path DIR = ROOT.resolve("deploy/prometheus");

    /** promtool on the PATH, or null. */
    static Path promtool() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs promtool with the arguments in deploy/prometheus; returns its exit code and output. */
    static String[] run(Path promtool, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(promtool.toString()));
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not end: " + out);
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    static Path promtoolOrSkip() {
        Path promtool = promtool();
        if (promtool == null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(
                    "promtool is not on the PATH: .ci/run installs Debian's package prometheus");
        }
        assumeTrue(promtool != null, "promtool is not installed (apt-get install prometheus)");
        return promtool;
    }

    @Test
    void theRulesParse() throws Exception {
        String[] r = run(promtoolOrSkip(), "check", "rules", "alerts.yml");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("SUCCESS"), r[1]);
    }

    @Test
    void theAlertsFireWhereTheirTestsSay() throws Exception {
        String[] r = run(promtoolOrSkip(), "test", "rules", "alerts-test.yml");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("SUCCESS"), r[1]);
    }
}
