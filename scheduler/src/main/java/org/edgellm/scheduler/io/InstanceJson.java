package org.edgellm.scheduler.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.scheduler.Channel;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.ModelSpec;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;

/**
 * Reads the instance format of spec section 5 and checks every field: a violation becomes an {@link
 * InvalidInstanceException} that names the field path (e.g. {@code requests[3].promptTokens}) and
 * the offending value. NaN and infinities are read (so they can be named) and refused.
 */
public final class InstanceJson {

    /** A mapper that also reads NaN and Infinity so that they can be reported by name. */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .build();

    private InstanceJson() {}

    public static Instance parse(String json) throws InvalidInstanceException {
        try {
            return parse(MAPPER.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInstanceException(
                    "(document)", "malformed JSON", e.getOriginalMessage());
        }
    }

    public static Instance parse(JsonNode root) throws InvalidInstanceException {
        if (root == null || !root.isObject()) {
            throw new InvalidInstanceException(
                    "(document)",
                    root == null ? "nothing" : root.getNodeType().toString(),
                    "must be a JSON object");
        }
        double t0 = finite(root, "t0", "t0", null);
        String objName = text(root, "objective", "objective", "requests");
        Objective objective = Objective.fromWire(objName);
        if (objective == null) {
            throw new InvalidInstanceException(
                    "objective", quote(objName), "must be \"requests\" or \"tokens\"");
        }
        String cmName = text(root, "computeModel", "computeModel", "roofline");
        ComputeModel cm = ComputeModel.fromWire(cmName);
        if (cm == null) {
            throw new InvalidInstanceException(
                    "computeModel", quote(cmName), "must be \"roofline\" or \"flops\"");
        }
        double beta = positive(root, "bitsPerToken", "bitsPerToken", 32.0);
        JsonNode m = object(root, "model", "model");
        ModelSpec model =
                new ModelSpec(
                        intAtLeast(m, "layers", "model.layers", 1),
                        intAtLeast(m, "hidden", "model.hidden", 1),
                        intAtLeast(m, "vocab", "model.vocab", 1));
        JsonNode nodesJson = array(root, "nodes", "nodes");
        if (nodesJson.isEmpty()) {
            throw new InvalidInstanceException("nodes", "[]", "must hold at least one node");
        }
        List<EdgeNode> nodes = new ArrayList<>();
        Set<String> nodeIds = new HashSet<>();
        for (int j = 0; j < nodesJson.size(); j++) {
            EdgeNode n = node(nodesJson.get(j), "nodes[" + j + "]", t0);
            if (!nodeIds.add(n.id())) {
                throw new InvalidInstanceException(
                        "nodes[" + j + "].id", quote(n.id()), "duplicate node id");
            }
            nodes.add(n);
        }
        JsonNode reqJson = array(root, "requests", "requests");
        List<Request> requests = new ArrayList<>();
        Set<String> reqIds = new HashSet<>();
        for (int i = 0; i < reqJson.size(); i++) {
            Request r = request(reqJson.get(i), "requests[" + i + "]", nodeIds);
            if (!reqIds.add(r.id())) {
                throw new InvalidInstanceException(
                        "requests[" + i + "].id", quote(r.id()), "duplicate request id");
            }
            requests.add(r);
        }
        return new Instance(t0, objective, cm, beta, model, nodes, requests);
    }

    private static EdgeNode node(JsonNode n, String path, double t0)
            throws InvalidInstanceException {
        if (n == null || !n.isObject()) {
            throw new InvalidInstanceException(path, String.valueOf(n), "must be an object");
        }
        String id = nonEmptyText(n, "id", path + ".id");
        double memory = positive(n, "memoryBytes", path + ".memoryBytes", null);
        double reserve = nonNegative(n, "reserveBytes", path + ".reserveBytes", 0.0);
        double bandwidth = positive(n, "memoryBandwidth", path + ".memoryBandwidth", null);
        JsonNode peak = object(n, "peakFlops", path + ".peakFlops");
        double p16 = positive(peak, "16", path + ".peakFlops.16", null);
        double p8 = positive(peak, "8", path + ".peakFlops.8", p16);
        double p4 = positive(peak, "4", path + ".peakFlops.4", p8);
        double eff = positive(n, "efficiency", path + ".efficiency", null);
        if (eff > 1) {
            throw new InvalidInstanceException(
                    path + ".efficiency", num(eff), "must lie in (0, 1]");
        }
        double up = positive(n, "uplinkHz", path + ".uplinkHz", null);
        double down = positive(n, "downlinkHz", path + ".downlinkHz", null);
        double busy = finite(n, "busyUntil", path + ".busyUntil", t0);
        JsonNode vs = array(n, "variants", path + ".variants");
        if (vs.isEmpty()) {
            throw new InvalidInstanceException(
                    path + ".variants", "[]", "must hold at least one resident variant");
        }
        List<Variant> variants = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int q = 0; q < vs.size(); q++) {
            String vp = path + ".variants[" + q + "]";
            JsonNode v = vs.get(q);
            if (!v.isObject()) {
                throw new InvalidInstanceException(vp, v.toString(), "must be an object");
            }
            String name = nonEmptyText(v, "name", vp + ".name");
            if (!names.add(name)) {
                throw new InvalidInstanceException(vp + ".name", quote(name), "duplicate variant");
            }
            int wb = intAtLeast(v, "weightBits", vp + ".weightBits", 1);
            int ab = intAtLeast(v, "activationBits", vp + ".activationBits", 1);
            if (ab != 4 && ab != 8 && ab != 16) {
                throw new InvalidInstanceException(
                        vp + ".activationBits", Integer.toString(ab), "must be 4, 8 or 16");
            }
            int kb = intAtLeast(v, "kvBits", vp + ".kvBits", 1);
            if (wb > 32 || kb > 32) {
                throw new InvalidInstanceException(
                        vp + (wb > 32 ? ".weightBits" : ".kvBits"),
                        Integer.toString(Math.max(wb, kb)),
                        "must be at most 32");
            }
            double ppl = nonNegative(v, "pplIncrease", vp + ".pplIncrease", null);
            variants.add(new Variant(name, wb, ab, kb, ppl));
        }
        return new EdgeNode(
                id, memory, reserve, bandwidth, p16, p8, p4, eff, up, down, busy, variants);
    }

    private static Request request(JsonNode r, String path, Set<String> nodeIds)
            throws InvalidInstanceException {
        if (r == null || !r.isObject()) {
            throw new InvalidInstanceException(path, String.valueOf(r), "must be an object");
        }
        String id = nonEmptyText(r, "id", path + ".id");
        double arrival = finite(r, "arrival", path + ".arrival", null);
        int s = intAtLeast(r, "promptTokens", path + ".promptTokens", 1);
        int n = intAtLeast(r, "maxOutputTokens", path + ".maxOutputTokens", 1);
        double deadline = finite(r, "deadline", path + ".deadline", null);
        double ppl = nonNegative(r, "maxPplIncrease", path + ".maxPplIncrease", null);
        double weight = positive(r, "weight", path + ".weight", 1.0);
        double uplinkBytes = Double.NaN;
        if (r.has("uplinkBytes") && !r.get("uplinkBytes").isNull()) {
            uplinkBytes = nonNegative(r, "uplinkBytes", path + ".uplinkBytes", null);
        }
        Map<String, Channel> channels = new LinkedHashMap<>();
        JsonNode ch = r.get("channels");
        if (ch != null && !ch.isNull()) {
            if (!ch.isObject()) {
                throw new InvalidInstanceException(
                        path + ".channels", ch.toString(), "must be an object keyed by node id");
            }
            Iterator<Map.Entry<String, JsonNode>> it = ch.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String cp = path + ".channels." + e.getKey();
                if (!nodeIds.contains(e.getKey())) {
                    throw new InvalidInstanceException(
                            path + ".channels", quote(e.getKey()), "unknown node id");
                }
                JsonNode c = e.getValue();
                if (!c.isObject()) {
                    throw new InvalidInstanceException(cp, c.toString(), "must be an object");
                }
                channels.put(
                        e.getKey(),
                        new Channel(
                                positive(
                                        c,
                                        "uplinkSpectralEfficiency",
                                        cp + ".uplinkSpectralEfficiency",
                                        null),
                                positive(
                                        c,
                                        "downlinkSpectralEfficiency",
                                        cp + ".downlinkSpectralEfficiency",
                                        null)));
            }
        }
        return new Request(id, arrival, s, n, deadline, ppl, weight, uplinkBytes, channels);
    }

    // ---- field readers -------------------------------------------------------------------

    private static JsonNode field(JsonNode o, String name, String path)
            throws InvalidInstanceException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new InvalidInstanceException(path, "nothing", "required field is missing");
        }
        return v;
    }

    private static JsonNode object(JsonNode o, String name, String path)
            throws InvalidInstanceException {
        JsonNode v = field(o, name, path);
        if (!v.isObject()) {
            throw new InvalidInstanceException(path, v.toString(), "must be an object");
        }
        return v;
    }

    private static JsonNode array(JsonNode o, String name, String path)
            throws InvalidInstanceException {
        JsonNode v = field(o, name, path);
        if (!v.isArray()) {
            throw new InvalidInstanceException(path, abbreviate(v.toString()), "must be an array");
        }
        return v;
    }

    private static String text(JsonNode o, String name, String path, String dflt)
            throws InvalidInstanceException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new InvalidInstanceException(path, v.toString(), "must be a string");
        }
        return v.asText();
    }

    private static String nonEmptyText(JsonNode o, String name, String path)
            throws InvalidInstanceException {
        JsonNode v = field(o, name, path);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new InvalidInstanceException(path, v.toString(), "must be a non-empty string");
        }
        return v.asText();
    }

    private static double number(JsonNode o, String name, String path, Double dflt)
            throws InvalidInstanceException {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw new InvalidInstanceException(path, "nothing", "required field is missing");
            }
            return dflt;
        }
        if (!v.isNumber()) {
            throw new InvalidInstanceException(path, abbreviate(v.toString()), "must be a number");
        }
        double d = v.asDouble();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new InvalidInstanceException(path, num(d), "must be a finite number");
        }
        return d;
    }

    private static double finite(JsonNode o, String name, String path, Double dflt)
            throws InvalidInstanceException {
        return number(o, name, path, dflt);
    }

    private static double positive(JsonNode o, String name, String path, Double dflt)
            throws InvalidInstanceException {
        double d = number(o, name, path, dflt);
        if (!(d > 0)) {
            throw new InvalidInstanceException(path, num(d), "must be positive");
        }
        return d;
    }

    private static double nonNegative(JsonNode o, String name, String path, Double dflt)
            throws InvalidInstanceException {
        double d = number(o, name, path, dflt);
        if (d < 0) {
            throw new InvalidInstanceException(path, num(d), "must not be negative");
        }
        return d;
    }

    private static int intAtLeast(JsonNode o, String name, String path, int min)
            throws InvalidInstanceException {
        JsonNode v = field(o, name, path);
        if (!v.isNumber()) {
            throw new InvalidInstanceException(
                    path, abbreviate(v.toString()), "must be an integer");
        }
        double d = v.asDouble();
        if (Double.isNaN(d) || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new InvalidInstanceException(path, v.toString(), "must be an integer");
        }
        if (d < min) {
            throw new InvalidInstanceException(path, v.toString(), "must be at least " + min);
        }
        return (int) d;
    }

    private static String num(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? Long.toString((long) d)
                : Double.toString(d);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
