package org.edgellm.worker;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scrape of a {@code /metrics} endpoint, parsed from the Prometheus text exposition format
 * (version 0.0.4): the {@code # TYPE} of each metric family and every sample with its labels.
 */
final class PrometheusText {

    /** One sample line: {@code name{label="value",...} value [timestamp]}. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** The content type of the scrape. */
    final String contentType;

    /** Metric family name to its type ({@code counter}, {@code gauge}, {@code histogram}...). */
    final Map<String, String> types = new LinkedHashMap<>();

    final List<Sample> samples = new ArrayList<>();

    private PrometheusText(String contentType) {
        this.contentType = contentType;
    }

    /** GETs http://127.0.0.1:port/metrics and parses it; fails unless the answer is 200. */
    static PrometheusText scrape(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics: HTTP " + r.statusCode() + ": " + r.body());
        }
        return parse(r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    static PrometheusText parse(String contentType, String text) {
        PrometheusText out = new PrometheusText(contentType);
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] w = line.split("\\s+", 4);
                if (w.length >= 4 && w[1].equals("TYPE")) {
                    out.types.put(w[2], w[3]);
                }
                continue;
            }
            out.samples.add(sample(line));
        }
        return out;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String key = line.substring(i, eq).strip();
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value: " + line);
                }
                StringBuilder v = new StringBuilder();
                int k = eq + 2;
                for (; line.charAt(k) != '"'; k++) {
                    char c = line.charAt(k);
                    if (c == '\\') {
                        char n = line.charAt(++k);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                }
                labels.put(key, v.toString());
                i = k + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        String[] rest = line.substring(i).strip().split("\\s+");
        return new Sample(name, labels, number(rest[0]));
    }

    private static double number(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** The samples of a name. */
    List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The value of the one sample with exactly these labels; fails if there is none. */
    double value(String name, Map<String, String> labels) {
        List<Sample> hits = samples(name).stream().filter(s -> s.labels().equals(labels)).toList();
        if (hits.size() != 1) {
            throw new AssertionError(
                    hits.size() + " samples " + name + labels + " in the scrape: " + samples);
        }
        return hits.get(0).value();
    }

    /** Whether a sample with exactly these labels is there. */
    boolean has(String name, Map<String, String> labels) {
        return samples(name).stream().anyMatch(s -> s.labels().equals(labels));
    }
}
