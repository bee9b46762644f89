package org.edgellm.scheduler;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One slot's scheduling problem (spec sections 1 and 3): the decision instant, the nodes, the
 * pending requests and the instance-wide settings.
 */
public record Instance(
        double t0,
        Objective objective,
        ComputeModel computeModel,
        double bitsPerToken,
        ModelSpec model,
        List<EdgeNode> nodes,
        List<Request> requests) {

    public Instance {
        nodes = List.copyOf(nodes);
        requests = List.copyOf(requests);
    }

    /** p_i: the weight (requests objective) or weight times output tokens (tokens objective). */
    public double profit(Request r) {
        return objective == Objective.TOKENS ? r.weight() * r.maxOutputTokens() : r.weight();
    }

    /** Profits indexed like {@link #requests()}. */
    public double[] profits() {
        double[] p = new double[requests.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = profit(requests.get(i));
        }
        return p;
    }

    /** Index of every request id. */
    public Map<String, Integer> requestIndex() {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            m.put(requests.get(i).id(), i);
        }
        return m;
    }

    /** The same instance with other nodes (e.g. updated busy times). */
    public Instance withNodes(List<EdgeNode> newNodes) {
        return new Instance(t0, objective, computeModel, bitsPerToken, model, newNodes, requests);
    }

    /** The same instance with other requests. */
    public Instance withRequests(List<Request> newRequests) {
        return new Instance(t0, objective, computeModel, bitsPerToken, model, nodes, newRequests);
    }
}
