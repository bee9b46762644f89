package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.edgellm.job.LocalMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The trace flags of replay and simulate: listed with their defaults, mistakes refused. */
class TraceFlagsCliTest {

    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result local(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status =
                LocalMain.run(
                        args,
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(
                status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"replay", "simulate"})
    void helpListsEveryTraceFlagWithItsDefault(String command) {
        Result r = local(command, "--help");
        assertEquals(0, r.status(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        for (String f :
                List.of(
                        "--requests=",
                        "--requests-format",
                        "--requests-csv",
                        "--time-column",
                        "--prompt-column",
                        "--output-column",
                        "--time-unit",
                        "--channels-dir",
                        "--channels-format",
                        "--channel-time-column",
                        "--channel-snr-column",
                        "--channel-throughput-column",
                        "--channel-time-unit",
                        "--channel-throughput-unit",
                        "--channel-bandwidth-mhz",
                        "--channel-gap-fill",
                        "--channel-gap-max-ms")) {
            assertTrue(help.contains(f), command + " --help lacks " + f);
        }
        assertTrue(help.contains("Default: interpolate"), help);
        assertTrue(help.contains("Default: 900000"), help);
        assertTrue(help.contains("Default: azure"), help);
    }

    @Test
    void theFlagDefaultsAreTheImportDefaults() {
        assertEquals(TraceImport.Sources.azure(null, null), TraceInput.parse(List.of()));
        assertEquals(GapFill.Mode.INTERPOLATE, GapFill.DEFAULT_MODE);
        assertEquals(900_000, GapFill.DEFAULT_MAX_MS, "as the help text says");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--requests a.csv --requests-csv b.csv|--requests-csv|b.csv",
                "--requests a --requests-format parquet|--requests-format|parquet",
                "--requests-format mooncake|--requests-format|mooncake",
                "--requests-csv a.csv --requests-format burstgpt|--requests-format|burstgpt",
                "--time-column t|--time-column|t",
                "--requests a --requests-format burstgpt --time-unit ms|--time-unit|ms",
                "--requests a --requests-format csv --time-unit h|--time-unit|h",
                "--channels-format csv|--channels-format|csv",
                "--channels-format lte|--channels-format|lte",
                "--channel-snr-column SNR|--channel-snr-column|SNR",
                "--channels-dir d --channels-format csv --channel-snr-column a"
                        + " --channel-throughput-column b|--channel-snr-column|b",
                "--channels-dir d --channels-format csv --channel-bandwidth-mhz 20"
                        + "|--channel-bandwidth-mhz|20",
                "--channel-gap-fill magic|--channel-gap-fill|magic",
                "--channel-gap-max-ms 0|--channel-gap-max-ms|0",
                "--requests /no/such/trace.jsonl --requests-format mooncake|--requests|"
                        + "/no/such/trace.jsonl",
                "--channels-dir /no/such/dir|--channels-dir|/no/such/dir"
            })
    void aMistakeIsOneLineNamingTheFlagAndTheValueWithStatus2(String row) {
        String[] parts = row.split("\\|", -1);
        for (String command : List.of("simulate", "replay")) {
            String[] flags = parts[0].split(" ");
            String[] args = new String[flags.length + 3];
            args[0] = command;
            System.arraycopy(flags, 0, args, 1, flags.length);
            args[flags.length + 1] = "--out";
            args[flags.length + 2] = dir.resolve("out").toString();
            Result r = local(args);
            assertEquals(2, r.status(), command + " " + parts[0] + ": " + r.out() + r.err());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), "one line: " + err);
            assertTrue(err.contains(parts[1]), "names the flag: " + err);
            assertTrue(err.contains(parts[2]), "names the value: " + err);
            assertTrue(!err.contains("Exception") && !err.contains("\tat "), err);
        }
    }
}
