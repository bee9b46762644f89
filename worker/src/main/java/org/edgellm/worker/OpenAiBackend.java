package org.edgellm.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;

/**
 * Sends a batch's requests concurrently to an OpenAI-compatible {@code /v1/completions} endpoint
 * (vLLM, llama.cpp server, SGLang, TGI) with {@code max_tokens} from the request and the request's
 * own text, or a prompt of about its token length. With streaming it measures the first token and
 * counts the streamed chunks; without, it reads {@code usage.completion_tokens}. HTTP errors and
 * timeouts are reported per request in the completion's {@code error}.
 */
public final class OpenAiBackend implements Backend {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final boolean stream;
    private final Duration timeout;
    private final HttpClient http;

    public OpenAiBackend(String baseUrl, String model, boolean stream, Duration timeout) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/completions");
        this.model = model;
        this.stream = stream;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    static String prompt(DecidedRequest r) {
        if (r.getPromptText() != null) {
            return r.getPromptText();
        }
        // about one token per short word
        StringBuilder sb = new StringBuilder(r.getPromptTokens() * 4);
        for (int i = 0; i < r.getPromptTokens(); i++) {
            sb.append(i == 0 ? "" : " ").append("hi");
        }
        return sb.toString();
    }

    private record Outcome(
            double start, Double firstToken, double finish, int tokens, String error) {}

    @Override
    public List<Completion> run(BatchDecision d) throws InterruptedException {
        List<CompletableFuture<Outcome>> calls = new ArrayList<>();
        for (DecidedRequest r : d.getRequests()) {
            calls.add(call(r));
        }
        List<Outcome> outs = new ArrayList<>();
        for (CompletableFuture<Outcome> f : calls) {
            try {
                outs.add(f.get());
            } catch (ExecutionException e) {
                outs.add(
                        new Outcome(
                                System.currentTimeMillis(),
                                null,
                                System.currentTimeMillis(),
                                0,
                                String.valueOf(e.getCause())));
            }
        }
        double start =
                outs.stream().mapToDouble(Outcome::start).min().orElse(System.currentTimeMillis());
        double end = outs.stream().mapToDouble(Outcome::finish).max().orElse(start);
        double predicted = d.getComputeEndMs() - d.getComputeStartMs();
        List<Completion> result = new ArrayList<>();
        for (int i = 0; i < outs.size(); i++) {
            DecidedRequest r = d.getRequests().get(i);
            Outcome o = outs.get(i);
            result.add(
                    Completion.newBuilder()
                            .setRequestId(r.getRequestId())
                            .setDecisionId(d.getDecisionId())
                            .setNodeId(d.getNodeId())
                            .setVariant(d.getVariant())
                            .setStartMs(o.start())
                            .setFirstTokenMs(o.firstToken())
                            .setFinishMs(o.finish())
                            .setOutputTokens(o.tokens())
                            .setPredictedComputeMs(predicted)
                            .setMeasuredComputeMs(end - start)
                            .setDeadlineMet(o.error() == null && o.finish() <= r.getDeadlineMs())
                            .setError(o.error())
                            .build());
        }
        return result;
    }

    private CompletableFuture<Outcome> call(DecidedRequest r) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("prompt", prompt(r));
        body.put("max_tokens", r.getMaxOutputTokens());
        body.put("stream", stream);
        HttpRequest req =
                HttpRequest.newBuilder(endpoint)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build();
        double start = System.currentTimeMillis();
        if (stream) {
            return http.sendAsync(req, HttpResponse.BodyHandlers.ofLines())
                    .thenApply(resp -> streamed(resp, start, r))
                    .exceptionally(e -> failed(start, e));
        }
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .thenApply(resp -> whole(resp, start, r))
                .exceptionally(e -> failed(start, e));
    }

    private Outcome streamed(HttpResponse<Stream<String>> resp, double start, DecidedRequest r) {
        if (resp.statusCode() != 200) {
            String text = String.join("\n", resp.body().limit(5).toList());
            return new Outcome(
                    start,
                    null,
                    System.currentTimeMillis(),
                    0,
                    "HTTP " + resp.statusCode() + ": " + abbreviate(text));
        }
        Double first = null;
        int chunks = 0;
        try (Stream<String> lines = resp.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    break;
                }
                if (first == null) {
                    first = (double) System.currentTimeMillis();
                }
                chunks++;
            }
        } catch (RuntimeException e) {
            return new Outcome(
                    start,
                    first,
                    System.currentTimeMillis(),
                    chunks,
                    "stream broken: " + e.getMessage());
        }
        return new Outcome(start, first, System.currentTimeMillis(), chunks, null);
    }

    private Outcome whole(HttpResponse<String> resp, double start, DecidedRequest r) {
        double end = System.currentTimeMillis();
        if (resp.statusCode() != 200) {
            return new Outcome(
                    start,
                    null,
                    end,
                    0,
                    "HTTP " + resp.statusCode() + ": " + abbreviate(resp.body()));
        }
        try {
            JsonNode n = JSON.readTree(resp.body());
            int tokens = n.path("usage").path("completion_tokens").asInt(r.getMaxOutputTokens());
            return new Outcome(start, end, end, tokens, null);
        } catch (Exception e) {
            return new Outcome(
                    start, null, end, 0, "unreadable answer: " + abbreviate(resp.body()));
        }
    }

    private static Outcome failed(double start, Throwable e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        String why =
                c instanceof HttpTimeoutException
                        ? "timeout: " + c.getMessage()
                        : c.getClass().getSimpleName() + ": " + c.getMessage();
        return new Outcome(start, null, System.currentTimeMillis(), 0, why);
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
