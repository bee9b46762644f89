package org.edgellm.job.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small synthetic traces for tests, the same requests written in each request format (and radio
 * traces in each radio format), in the formats' documented layouts.
 */
final class TraceFiles {

    private TraceFiles() {}

    /** One request: arrival in ms from the trace's start, prompt and output tokens. */
    record Req(long ms, int prompt, int output) {}

    /** 120 requests over a minute, about 2 per second, sizes spread. */
    static List<Req> requests() {
        List<Req> l = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            l.add(new Req(i * 500L + (i % 3) * 37, 200 + (i * 37) % 800, 20 + (i * 13) % 200));
        }
        return l;
    }

    /** Mooncake JSON lines, with one bad line (line 4: no output_length). */
    static Path mooncake(Path dir, List<Req> reqs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Req r : reqs) {
            lines.add(
                    String.format(
                            "{\"timestamp\": %d, \"input_length\": %d, \"output_length\": %d,"
                                    + " \"hash_ids\": [1, 2, 3]}",
                            r.ms(), r.prompt(), r.output()));
        }
        lines.add(3, "{\"timestamp\": 1200, \"input_length\": 100}");
        return write(dir.resolve("trace.jsonl"), lines);
    }

    /**
     * BurstGPT CSV (seconds), with two failed requests (0 response tokens: lines 3 and 7) and one
     * bad line (line 10: no request tokens).
     */
    static Path burstGpt(Path dir, List<Req> reqs) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type");
        for (Req r : reqs) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "%.3f,ChatGPT,%d,%d,%d,Conversation log",
                            r.ms() / 1000.0,
                            r.prompt(),
                            r.output(),
                            r.prompt() + r.output()));
        }
        lines.add(2, "0.6,ChatGPT,900,0,900,Conversation log");
        lines.add(6, "2.2,GPT-4,100,0,100,API log");
        lines.add(9, "3.1,ChatGPT,,10,10,API log");
        return write(dir.resolve("burstgpt.csv"), lines);
    }

    /** A generic CSV with times in ms under other column names; bad line 6 (negative tokens). */
    static Path csvMs(Path dir, List<Req> reqs) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("request,arrival_ms,prompt,completion");
        int i = 0;
        for (Req r : reqs) {
            lines.add(
                    String.format("\"r%d, first\",%d,%d,%d", i++, r.ms(), r.prompt(), r.output()));
        }
        lines.add(5, "x,2500,-7,10");
        return write(dir.resolve("requests-ms.csv"), lines);
    }

    /** An Azure CSV starting at the given instant. */
    static Path azure(Path dir, List<Req> reqs, Instant start) throws IOException {
        DateTimeFormatter f =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS0000").withZone(ZoneOffset.UTC);
        List<String> lines = new ArrayList<>();
        lines.add("TIMESTAMP,ContextTokens,GeneratedTokens");
        for (Req r : reqs) {
            lines.add(f.format(start.plusMillis(r.ms())) + "," + r.prompt() + "," + r.output());
        }
        return write(dir.resolve("azure.csv"), lines);
    }

    /** A generic CSV with ISO-8601 times from the given instant, default column names. */
    static Path csvIso(Path dir, List<Req> reqs, Instant start) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("timestamp,prompt_tokens,output_tokens");
        for (Req r : reqs) {
            lines.add(start.plusMillis(r.ms()) + "," + r.prompt() + "," + r.output());
        }
        return write(dir.resolve("requests-iso.csv"), lines);
    }

    /** A varying SNR in dB at second s of trace k. */
    static double snr(int k, int s) {
        return Math.round((12 + 8 * Math.sin(s / 7.0 + k)) * 10) / 10.0;
    }

    /**
     * Radio traces as generic CSVs (seconds, SNR column "sinr_db") in dir: two traces of 200 s; the
     * second misses seconds 81 to 119 (a 40 s gap).
     */
    static Path radioCsv(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int k = 0; k < 2; k++) {
            List<String> lines = new ArrayList<>();
            lines.add("time_s,sinr_db,cell");
            for (int s = 0; s < 200; s++) {
                if (k == 1 && s > 80 && s < 120) {
                    continue;
                }
                lines.add(s + "," + snr(k, s) + ",7");
            }
            write(dir.resolve("ue-" + k + ".csv"), lines);
        }
        return dir;
    }

    /**
     * One radio trace in the Irish 5G layout, 200 s, SNR missing ({@code -}) from second 81 to 119
     * (a 40 s gap).
     */
    static Path radioIrish(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("Driving"));
        DateTimeFormatter f =
                DateTimeFormatter.ofPattern("yyyy.MM.dd_HH.mm.ss").withZone(ZoneOffset.UTC);
        Instant t0 = Instant.parse("2020-02-14T13:21:26Z");
        List<String> lines = new ArrayList<>();
        lines.add("Timestamp,Longitude,Latitude,NetworkMode,SNR,CQI,DL_bitrate");
        for (int s = 0; s < 200; s++) {
            String v = s > 80 && s < 120 ? "-" : Double.toString(snr(0, s));
            lines.add(f.format(t0.plusSeconds(s)) + ",-8.39,51.88,5G," + v + ",12,100");
        }
        write(dir.resolve("Driving").resolve("B_2020.02.14_13.21.26.csv"), lines);
        return dir;
    }

    static Path write(Path f, List<String> lines) throws IOException {
        Files.createDirectories(f.getParent());
        Files.write(f, lines);
        return f;
    }
}
