package org.edgellm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;

/**
 * The instances of {@code bench.jar paper}: the seeded base instance and the modifiers the sweeps
 * apply to it (memory, band, resident variant, latency budget).
 */
final class PaperInstances {

    /** The variants of the fig2-variant sweep, by its x value. */
    static final Variant[] VARIANTS = {
        RandomInstances.FP16, RandomInstances.W8A8, RandomInstances.W4A16, RandomInstances.W4A16_KV8
    };

    private PaperInstances() {}

    /**
     * A Llama-2-7B instance of the {@code balanced} profile with unit weights, so that the
     * objective is exactly the served requests (or tokens) that are plotted.
     */
    static Instance base(Random rnd, int users, int nodes, Objective obj, ComputeModel cm) {
        Spec s = new Spec(users, nodes, 1.0, obj, cm, RandomInstances.LLAMA2_7B, "balanced");
        Instance inst = RandomInstances.generate(rnd, s);
        List<Request> rs = new ArrayList<>();
        for (Request r : inst.requests()) {
            rs.add(r.withWeight(1.0));
        }
        return inst.withRequests(rs);
    }

    interface NodeChange {
        EdgeNode apply(EdgeNode n);
    }

    /** The instance with every node changed by {@code c}. */
    static Instance withNode(Instance inst, NodeChange c) {
        List<EdgeNode> ns = new ArrayList<>();
        inst.nodes().forEach(nd -> ns.add(c.apply(nd)));
        return inst.withNodes(ns);
    }

    /** Every node with {@code bytes} of GPU memory. */
    static Instance withMemory(Instance inst, double bytes) {
        return withNode(inst, nd -> nd.withResources(bytes, nd.uplinkHz(), nd.downlinkHz()));
    }

    /** Every node with an uplink band of {@code hz}. */
    static Instance withUplink(Instance inst, double hz) {
        return withNode(inst, nd -> nd.withResources(nd.memoryBytes(), hz, nd.downlinkHz()));
    }

    /** Every node an A100-40GB holding only variant {@code v}. */
    static Instance withVariant(Instance inst, Variant v) {
        return withNode(
                inst,
                n ->
                        new EdgeNode(
                                n.id(),
                                40e9,
                                n.reserveBytes(),
                                1555e9,
                                312e12,
                                624e12,
                                1248e12,
                                n.efficiency(),
                                n.uplinkHz(),
                                n.downlinkHz(),
                                n.busyUntil(),
                                List.of(v)));
    }

    /**
     * Every request with a deadline of {@code seconds} after t0, jittered by a factor in [0.75,
     * 1.25) from a seed of the request count and the budget.
     */
    static Instance withBudget(Instance inst, double seconds) {
        Random rnd = new Random(inst.requests().size() * 31L + (long) (seconds * 1000));
        List<Request> rs = new ArrayList<>();
        for (Request r : inst.requests()) {
            double d = inst.t0() + seconds * 1000 * (0.75 + 0.5 * rnd.nextDouble());
            rs.add(
                    new Request(
                            r.id(),
                            r.arrival(),
                            r.promptTokens(),
                            r.maxOutputTokens(),
                            d,
                            r.maxPplIncrease(),
                            r.weight(),
                            r.uplinkBytes(),
                            r.channels()));
        }
        return inst.withRequests(rs);
    }
}
