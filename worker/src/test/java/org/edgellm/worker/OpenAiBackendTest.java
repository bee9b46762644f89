package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The openai backend against a local server implementing {@code /v1/completions}: streaming and
 * not, an error, a timeout and a slow answer. The prompt's text decides the server's behaviour.
 */
class OpenAiBackendTest {
    HttpServer server;
    final List<JsonNode> seen = new CopyOnWriteArrayList<>();

    /** Requests with the prompt "slow" being handled now, and the most at any moment. */
    final AtomicInteger slowInFlight = new AtomicInteger();

    final AtomicInteger slowInFlightMax = new AtomicInteger();

    /** "hang" requests get no answer before this opens, after the test. */
    final CountDownLatch hung = new CountDownLatch(1);

    /** "slow" requests hold their answer until three have arrived (or 10 s have passed). */
    final CountDownLatch threeSlowArrived = new CountDownLatch(3);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/completions", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        hung.countDown();
        server.stop(0);
    }

    void handle(HttpExchange x) throws java.io.IOException {
        JsonNode req = new ObjectMapper().readTree(x.getRequestBody());
        seen.add(req);
        String prompt = req.get("prompt").asText();
        int max = req.get("max_tokens").asInt();
        boolean counted = false;
        try {
            if (prompt.equals("fail")) {
                byte[] b = "{\"error\":\"model overloaded\"}".getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(500, b.length);
                x.getResponseBody().write(b);
            } else if (prompt.equals("hang")) {
                hung.await(60, TimeUnit.SECONDS); // until the test is over
                x.sendResponseHeaders(200, -1);
            } else if (req.get("stream").asBoolean()) {
                if (prompt.equals("slow")) {
                    counted = true;
                    slowInFlightMax.accumulateAndGet(slowInFlight.incrementAndGet(), Math::max);
                    threeSlowArrived.countDown();
                    threeSlowArrived.await(10, TimeUnit.SECONDS);
                }
                x.getResponseHeaders().add("Content-Type", "text/event-stream");
                x.sendResponseHeaders(200, 0);
                OutputStream o = x.getResponseBody();
                Thread.sleep(prompt.equals("slow") ? 300 : 20); // time to first token
                for (int i = 0; i < max; i++) {
                    o.write(
                            ("data: {\"choices\":[{\"text\":\"t\"}]}\n\n")
                                    .getBytes(StandardCharsets.UTF_8));
                    o.flush();
                    Thread.sleep(2);
                }
                o.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            } else {
                Thread.sleep(50);
                byte[] b =
                        ("{\"choices\":[{\"text\":\"ok\"}],\"usage\":{\"completion_tokens\":"
                                        + max
                                        + "}}")
                                .getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(200, b.length);
                x.getResponseBody().write(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (counted) {
                slowInFlight.decrementAndGet();
            }
            x.close();
        }
    }

    BatchDecision batch(String... prompts) {
        List<DecidedRequest> rs = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < prompts.length; i++) {
            rs.add(
                    DecidedRequest.newBuilder()
                            .setRequestId("r" + i)
                            .setUserId("u")
                            .setArrivalTime(Instant.EPOCH)
                            .setDeadlineMs(now + 60_000)
                            .setPromptTokens(5)
                            .setMaxOutputTokens(8)
                            .setMaxPplIncrease(1)
                            .setPredictedFinishMs(now + 1000)
                            .setUplinkShareHz(1)
                            .setDownlinkShareHz(1)
                            .setPromptText(prompts[i])
                            .build());
        }
        return BatchDecision.newBuilder()
                .setDecisionId("d/1/n")
                .setDomainId("d")
                .setSlotEnd(Instant.EPOCH)
                .setNodeId("n")
                .setVariant("w4a16")
                .setAlgorithm("ot-gah")
                .setUplinkMs(1)
                .setComputeStartMs(now)
                .setComputeEndMs(now + 500)
                .setCertifiedRatio(1)
                .setRequests(rs)
                .build();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void streamingMeasuresFirstTokenAndCountsTokensConcurrently() throws Exception {
        OpenAiBackend b = new OpenAiBackend(url(), "m", true, Duration.ofSeconds(30));
        List<Completion> cs = b.run(batch("slow", "slow", "slow"));
        // one after the other, each would have been answered alone (after 10 s of waiting)
        assertEquals(3, slowInFlightMax.get(), "the three requests were in flight together");
        assertEquals(3, cs.size());
        for (Completion c : cs) {
            assertNull(c.getError());
            assertEquals(8, c.getOutputTokens());
            assertTrue(
                    c.getFirstTokenMs() - c.getStartMs() >= 250,
                    "first token after the slow start");
            assertTrue(c.getFinishMs() >= c.getFirstTokenMs());
            assertTrue(c.getDeadlineMet());
        }
        assertEquals(3, seen.size());
        assertEquals(8, seen.get(0).get("max_tokens").asInt());
        assertEquals("m", seen.get(0).get("model").asText());
    }

    @Test
    void nonStreamingReadsUsageAndErrorsAndTimeoutsArePerRequest() throws Exception {
        OpenAiBackend b = new OpenAiBackend(url(), "m", false, Duration.ofMillis(1000));
        List<Completion> cs = b.run(batch("hello", "fail", "hang"));
        assertNull(cs.get(0).getError());
        assertEquals(8, cs.get(0).getOutputTokens());
        assertTrue(
                cs.get(1).getError().contains("HTTP 500")
                        && cs.get(1).getError().contains("overloaded"),
                cs.get(1).getError());
        assertTrue(
                cs.get(2).getError().toLowerCase().contains("timeout")
                        || cs.get(2).getError().contains("timed out"),
                cs.get(2).getError());
        assertTrue(
                !cs.get(1).getDeadlineMet() && !cs.get(2).getDeadlineMet(),
                "a failed request does not meet its deadline");
    }

    @Test
    void aPromptOfTheRightLengthWhenTheEventCarriesNoText() {
        DecidedRequest r =
                DecidedRequest.newBuilder()
                        .setRequestId("r")
                        .setUserId("u")
                        .setArrivalTime(Instant.EPOCH)
                        .setDeadlineMs(1)
                        .setPromptTokens(40)
                        .setMaxOutputTokens(1)
                        .setMaxPplIncrease(1)
                        .setPredictedFinishMs(1)
                        .setUplinkShareHz(1)
                        .setDownlinkShareHz(1)
                        .build();
        assertEquals(40, OpenAiBackend.prompt(r).split(" ").length);
        assertNotNull(OpenAiBackend.prompt(r));
    }
}
