package org.edgellm.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A second reading of spec section 2 for the tests, written from the spec on the raw {@code solve}
 * JSON and sharing nothing with {@link Feasibility} or {@code InstanceJson}: the decode sum is a
 * plain loop over the steps, the downlink band is handed out per request. {@link ConformanceTest}
 * checks it against the conformance vectors before using it as an oracle.
 */
final class SpecCheck {
    private SpecCheck() {}

    /**
     * The verdict on one batch: the violated constraints as the conformance vectors list them, and
     * the timeline (null without a channel for every member; finishes only when C3 and C4 hold, as
     * in the vectors).
     */
    record Verdict(
            Set<Constraint> violated,
            double uplinkMs,
            double computeStartMs,
            double computeMs,
            double computeEndMs,
            Map<String, Double> finishMs) {
        boolean feasible() {
            return violated.isEmpty();
        }
    }

    /** Profit of one request under the instance's objective. */
    static double profit(JsonNode instance, JsonNode request) {
        double w = request.has("weight") ? request.get("weight").asDouble() : 1.0;
        return instance.get("objective").asText().equals("tokens")
                ? w * request.get("maxOutputTokens").asDouble()
                : w;
    }

    static JsonNode byId(JsonNode array, String id) {
        for (JsonNode x : array) {
            String key = x.has("id") ? x.get("id").asText() : x.get("name").asText();
            if (key.equals(id)) {
                return x;
            }
        }
        throw new IllegalArgumentException("no " + id);
    }

    /**
     * Evaluates batch {@code ids} on (node, variant). {@code slack} relaxes C2, C3 and C4 by that
     * relative amount (0 for the exact verdict; the spec's checker accepts 1e-6).
     */
    static Verdict evaluate(
            JsonNode inst,
            String nodeId,
            String variantName,
            Collection<String> ids,
            double slack) {
        JsonNode node = byId(inst.get("nodes"), nodeId);
        JsonNode variant = byId(node.get("variants"), variantName);
        JsonNode model = inst.get("model");
        double layers = model.get("layers").asDouble();
        double hidden = model.get("hidden").asDouble();
        double vocab = model.get("vocab").asDouble();
        double beta = inst.has("bitsPerToken") ? inst.get("bitsPerToken").asDouble() : 32;
        boolean flopsOnly = inst.path("computeModel").asText("roofline").equals("flops");
        EnumSet<Constraint> violated = EnumSet.noneOf(Constraint.class);
        if (ids.isEmpty()) {
            return new Verdict(violated, 0, 0, 0, 0, Map.of());
        }
        int b = ids.size();
        int s = 0;
        int n = 0;
        boolean allChannels = true;
        for (String id : ids) {
            JsonNode r = byId(inst.get("requests"), id);
            if (variant.get("pplIncrease").asDouble() > r.get("maxPplIncrease").asDouble()) {
                violated.add(Constraint.C1);
            }
            if (!r.get("channels").has(nodeId)) {
                violated.add(Constraint.C5);
                allChannels = false;
            }
            s = Math.max(s, r.get("promptTokens").asInt());
            n = Math.max(n, r.get("maxOutputTokens").asInt());
        }
        // C2: every resident variant's weights, the reserve, the padded KV cache of this variant
        double weights = 0;
        for (JsonNode v : node.get("variants")) {
            weights += weightBytes(layers, hidden, vocab, v.get("weightBits").asDouble());
        }
        double kvBytes = variant.get("kvBits").asDouble() / 8;
        double memory =
                weights
                        + node.get("reserveBytes").asDouble()
                        + b * 2 * layers * hidden * (s + n) * kvBytes;
        if (memory > node.get("memoryBytes").asDouble() * (1 + slack)) {
            violated.add(Constraint.C2);
        }
        if (!allChannels) {
            return new Verdict(violated, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
        }
        // uplink: FDMA split so that every prompt arrives together
        double uplinkSeconds = 0;
        for (String id : ids) {
            JsonNode r = byId(inst.get("requests"), id);
            double bits =
                    r.has("uplinkBytes") && !r.get("uplinkBytes").isNull()
                            ? 8 * r.get("uplinkBytes").asDouble()
                            : beta * r.get("promptTokens").asDouble();
            double eU = r.get("channels").get(nodeId).get("uplinkSpectralEfficiency").asDouble();
            uplinkSeconds += bits / (eU * node.get("uplinkHz").asDouble());
        }
        // compute: prefill, then one decode step per output token, summed step by step
        double flops =
                node.get("efficiency").asDouble()
                        * node.get("peakFlops")
                                .get(variant.get("activationBits").asText())
                                .asDouble();
        double bandwidth = node.get("memoryBandwidth").asDouble();
        double w = weightBytes(layers, hidden, vocab, variant.get("weightBits").asDouble());
        double seconds =
                step(
                        layers
                                * (24.0 * b * s * hidden * hidden
                                        + 4.0 * b * s * (double) s * hidden)
                                / flops,
                        (w + 2 * layers * hidden * b * s * kvBytes) / bandwidth,
                        flopsOnly);
        for (int t = 1; t <= n; t++) {
            double c = s + t;
            seconds +=
                    step(
                            layers * (24.0 * b * hidden * hidden + 4.0 * b * hidden * c) / flops,
                            (w + 2 * layers * hidden * b * c * kvBytes) / bandwidth,
                            flopsOnly);
        }
        double t0 = inst.get("t0").asDouble();
        double uplinkMs = uplinkSeconds * 1000;
        double start = Math.max(t0 + uplinkMs, node.get("busyUntil").asDouble());
        double computeMs = seconds * 1000;
        double end = start + computeMs;
        // C3, then C4 (judged only when no deadline is missed)
        Map<String, Double> left = new LinkedHashMap<>();
        boolean late = false;
        for (String id : ids) {
            JsonNode r = byId(inst.get("requests"), id);
            double deadline = r.get("deadline").asDouble();
            double d = deadline - end;
            if (!(d > -slack * Math.max(1, Math.abs(deadline)))) {
                late = true;
            }
            left.put(id, Math.max(d, 0));
        }
        Map<String, Double> finish = new LinkedHashMap<>();
        if (late) {
            violated.add(Constraint.C3);
        } else {
            double band = node.get("downlinkHz").asDouble();
            Map<String, Double> need = new LinkedHashMap<>();
            double total = 0;
            for (String id : ids) {
                JsonNode r = byId(inst.get("requests"), id);
                double bits = beta * r.get("maxOutputTokens").asDouble();
                double eD =
                        r.get("channels").get(nodeId).get("downlinkSpectralEfficiency").asDouble();
                double hz = bits / (left.get(id) / 1000 * eD);
                need.put(id, hz);
                total += hz;
            }
            if (total > band * (1 + slack)) {
                violated.add(Constraint.C4);
            } else {
                for (String id : ids) {
                    JsonNode r = byId(inst.get("requests"), id);
                    double bits = beta * r.get("maxOutputTokens").asDouble();
                    double eD =
                            r.get("channels")
                                    .get(nodeId)
                                    .get("downlinkSpectralEfficiency")
                                    .asDouble();
                    double share = need.get(id) * band / total;
                    finish.put(id, end + bits / (share * eD) * 1000);
                }
            }
        }
        return new Verdict(violated, uplinkMs, start, computeMs, end, finish);
    }

    private static double step(double compute, double memory, boolean flopsOnly) {
        return flopsOnly ? compute : Math.max(compute, memory);
    }

    private static double weightBytes(double layers, double hidden, double vocab, double bits) {
        return (12 * layers * hidden * hidden + vocab * hidden) * bits / 8;
    }
}
