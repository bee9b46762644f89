package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.scheduler.io.InstanceJson;
import org.junit.jupiter.api.Test;

/**
 * Agreement with the conformance vectors of an independent implementation of the spec (copied from
 * {@code shared/conformance} into the test resources, with their README).
 */
class ConformanceTest {

    static JsonNode load(String name) throws Exception {
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance/" + name)) {
            assertNotNull(in, name);
            return InstanceJson.MAPPER.readTree(in);
        }
    }

    static void close(double expected, double actual, String what) {
        double tol = 1e-9 * Math.max(1.0, Math.abs(expected));
        assertTrue(
                Math.abs(expected - actual) <= tol,
                what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void feasibilityVerdictsViolationsAndTimelines() throws Exception {
        JsonNode cases = load("feasibility.json");
        assertEquals(220, cases.size());
        int feasible = 0;
        for (int c = 0; c < cases.size(); c++) {
            JsonNode k = cases.get(c);
            Instance inst = InstanceJson.parse(k.get("instance"));
            EdgeNode node =
                    inst.nodes().stream()
                            .filter(n -> n.id().equals(k.get("node").asText()))
                            .findFirst()
                            .orElseThrow();
            Variant v =
                    node.variants().stream()
                            .filter(x -> x.name().equals(k.get("variant").asText()))
                            .findFirst()
                            .orElseThrow();
            Map<String, Integer> idx = inst.requestIndex();
            int[] batch = new int[k.get("batch").size()];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = idx.get(k.get("batch").get(i).asText());
            }
            Feasibility f = new Feasibility(inst, node, v);
            BatchEvaluation e = f.evaluate(batch, batch.length);
            JsonNode exp = k.get("expected");
            String where = "case " + c;
            assertEquals(exp.get("feasible").asBoolean(), e.feasible(), where + " verdict");
            assertEquals(exp.get("feasible").asBoolean(), f.feasible(batch, batch.length), where);
            Set<Constraint> violated = EnumSet.noneOf(Constraint.class);
            exp.get("violated").forEach(x -> violated.add(Constraint.valueOf(x.asText())));
            assertEquals(violated, e.violated(), where + " violated set");
            JsonNode tl = exp.get("timeline");
            if (tl == null || tl.isNull()) {
                assertNull(e.timeline(), where + " has no timeline");
                continue;
            }
            Timeline t = e.timeline();
            assertNotNull(t, where);
            close(tl.get("uplinkMs").asDouble(), t.uplinkMs(), where + " uplinkMs");
            close(tl.get("computeStartMs").asDouble(), t.computeStartMs(), where + " start");
            close(tl.get("computeMs").asDouble(), t.computeMs(), where + " computeMs");
            close(tl.get("computeEndMs").asDouble(), t.computeEndMs(), where + " end");
            JsonNode fin = tl.get("finishMs");
            if (fin != null) {
                feasible++;
                assertEquals(fin.size(), t.finishMs().size(), where + " finish count");
                Iterator<Map.Entry<String, JsonNode>> it = fin.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> en = it.next();
                    close(
                            en.getValue().asDouble(),
                            t.finishMs().get(en.getKey()),
                            where + " finish " + en.getKey());
                }
            } else {
                assertTrue(t.finishMs().isEmpty(), where);
            }
            // the incremental path agrees with the full test
            if (batch.length > 0
                    && !e.violated().contains(Constraint.C1)
                    && !e.violated().contains(Constraint.C5)) {
                assertEquals(e.feasible(), incremental(f, batch), where + " incremental");
            }
        }
        assertTrue(feasible > 20, "the vectors exercise feasible batches");
    }

    static boolean incremental(Feasibility f, int[] batch) {
        Feasibility.BatchState a = new Feasibility.BatchState();
        Feasibility.BatchState b = new Feasibility.BatchState();
        a.clear();
        int[] members = new int[batch.length];
        for (int k = 0; k < batch.length; k++) {
            if (!f.tryAdd(a, batch[k], members, b)) {
                return false;
            }
            members[k] = batch[k];
            Feasibility.BatchState t = a;
            a = b;
            b = t;
        }
        return true;
    }

    @Test
    void singleNodeOptimaOfOtBruteForceAndExact() throws Exception {
        JsonNode cases = load("optimum-single-node.json");
        assertEquals(60, cases.size());
        for (int c = 0; c < cases.size(); c++) {
            Instance inst = InstanceJson.parse(cases.get(c).get("instance"));
            double expected = cases.get(c).get("expectedObjective").asDouble();
            NodeSolution ot =
                    OptimalTreeSearch.solve(inst, inst.nodes().get(0), SearchBudget.UNLIMITED);
            close(expected, ot.value(), "OT case " + c);
            assertTrue(ot.provenOptimal());
            Schedule gah = new GeneralizedAssignment(true).solve(inst, SearchBudget.UNLIMITED);
            close(expected, gah.objective(), "ot-gah case " + c);
            Schedule exact = Algorithms.byName("exact", 1, 8).solve(inst, SearchBudget.UNLIMITED);
            close(expected, exact.objective(), "exact case " + c);
            if (inst.requests().size() <= 16) {
                Schedule bf =
                        Algorithms.byName("brute-force", 1, 8).solve(inst, SearchBudget.UNLIMITED);
                close(expected, bf.objective(), "brute force case " + c);
            }
        }
    }

    /**
     * The test's own reading of the spec ({@link SpecCheck}) agrees with every vector: verdict,
     * violated constraints and timeline. It is then trusted as the oracle of the multi-node test.
     */
    @Test
    void specCheckAgreesWithTheVectors() throws Exception {
        JsonNode cases = load("feasibility.json");
        int feasible = 0;
        for (int c = 0; c < cases.size(); c++) {
            JsonNode k = cases.get(c);
            List<String> batch = new ArrayList<>();
            k.get("batch").forEach(x -> batch.add(x.asText()));
            SpecCheck.Verdict v =
                    SpecCheck.evaluate(
                            k.get("instance"),
                            k.get("node").asText(),
                            k.get("variant").asText(),
                            batch,
                            0);
            JsonNode exp = k.get("expected");
            String where = "case " + c;
            Set<Constraint> violated = EnumSet.noneOf(Constraint.class);
            exp.get("violated").forEach(x -> violated.add(Constraint.valueOf(x.asText())));
            assertEquals(violated, v.violated(), where + " violated set");
            assertEquals(exp.get("feasible").asBoolean(), v.feasible(), where);
            JsonNode tl = exp.get("timeline");
            if (tl == null || tl.isNull()) {
                assertNull(v.finishMs(), where + " has no timeline");
                continue;
            }
            close(tl.get("uplinkMs").asDouble(), v.uplinkMs(), where + " uplinkMs");
            close(tl.get("computeStartMs").asDouble(), v.computeStartMs(), where + " start");
            close(tl.get("computeMs").asDouble(), v.computeMs(), where + " computeMs");
            close(tl.get("computeEndMs").asDouble(), v.computeEndMs(), where + " end");
            JsonNode fin = tl.get("finishMs");
            if (fin != null) {
                feasible++;
                assertEquals(fin.size(), v.finishMs().size(), where);
                fin.fields()
                        .forEachRemaining(
                                en ->
                                        close(
                                                en.getValue().asDouble(),
                                                v.finishMs().get(en.getKey()),
                                                where + " finish " + en.getKey()));
            }
        }
        assertTrue(feasible > 20, "the vectors exercise feasible batches");
    }

    /**
     * On the multi-node vectors: the exhaustive solver reaches the expected optimum; GAH, plain and
     * improved, answers with disjoint batches that the test's own reading of the spec finds
     * feasible, an objective equal to the profits of its batches recomputed from the JSON, between
     * half the optimum and the optimum, a bound at least the optimum, and "proven optimal" only at
     * the optimum; improved GAH never below plain GAH (every candidate it tries contains plain
     * GAH's answer).
     */
    @Test
    void multiNodeOptimaExactEqualAndGahAtLeastHalf() throws Exception {
        JsonNode cases = load("optimum-multi-node.json");
        assertEquals(40, cases.size());
        List<Double> ratios = new ArrayList<>();
        int belowOptimum = 0;
        for (int c = 0; c < cases.size(); c++) {
            JsonNode json = cases.get(c).get("instance");
            Instance inst = InstanceJson.parse(json);
            double expected = cases.get(c).get("expectedObjective").asDouble();
            Schedule exact = new ExhaustiveOptimum().solve(inst, SearchBudget.UNLIMITED);
            close(expected, exact.objective(), "exact case " + c);
            assertEquals(expected, independentObjective(json, exact, "exact case " + c), 1e-6);
            double plain = Double.NaN;
            for (boolean improved : new boolean[] {false, true}) {
                Schedule g =
                        new GeneralizedAssignment(improved).solve(inst, SearchBudget.UNLIMITED);
                String where = (improved ? "ot-gah" : "gah") + " case " + c;
                double value = independentObjective(json, g, where);
                close(value, g.objective(), where + " reported objective");
                assertTrue(
                        value >= expected / 2 - 1e-9,
                        "GAH below half on " + where + ": " + value + " of " + expected);
                assertTrue(
                        value <= expected + 1e-9 * Math.max(1, expected),
                        where + " above the optimum: " + value + " of " + expected);
                assertTrue(g.stats().upperBound() >= expected - 1e-6, "bound holds, " + where);
                if (g.stats().provenOptimal()) {
                    close(expected, value, where + " claims a proven optimum");
                }
                if (improved) {
                    assertTrue(value >= plain - 1e-9, where + ": " + value + " < gah " + plain);
                    ratios.add(expected == 0 ? 1.0 : value / expected);
                    belowOptimum += value < expected - 1e-9 ? 1 : 0;
                } else {
                    plain = value;
                }
            }
        }
        double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.printf(
                "ot-gah mean ratio to the optimum on the multi-node vectors: %.4f (%d of %d"
                        + " below it)%n",
                mean, belowOptimum, ratios.size());
    }

    /**
     * Checks a schedule with {@link SpecCheck} (each batch feasible within the checker's relative
     * 1e-6, no node or request twice, the unassigned list complete) and returns its objective
     * recomputed from the JSON.
     */
    static double independentObjective(JsonNode json, Schedule s, String where) {
        Set<String> nodes = new java.util.HashSet<>();
        Set<String> seen = new java.util.HashSet<>();
        double total = 0;
        for (ScheduledBatch b : s.batches()) {
            assertTrue(nodes.add(b.node()), where + ": two batches on " + b.node());
            for (String id : b.requests()) {
                assertTrue(seen.add(id), where + ": " + id + " assigned twice");
                total += SpecCheck.profit(json, SpecCheck.byId(json.get("requests"), id));
            }
            SpecCheck.Verdict v =
                    SpecCheck.evaluate(json, b.node(), b.variant(), b.requests(), 1e-6);
            assertTrue(
                    v.feasible(),
                    where + ": batch " + b.requests() + " on " + b.node() + " violates " + v);
        }
        for (String id : s.unassigned()) {
            assertTrue(seen.add(id), where + ": " + id + " both assigned and unassigned");
        }
        assertEquals(json.get("requests").size(), seen.size(), where + ": requests accounted");
        return total;
    }
}
