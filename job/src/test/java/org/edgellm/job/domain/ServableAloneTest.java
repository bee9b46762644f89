package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.job.UserChannels;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ServableAlone} against an independent oracle on random requests: for each request, the
 * scheduler's own {@link Feasibility#feasible} of the one-request batch on every node (busy as
 * given) and variant, over an {@link Instance} holding only that request as {@link RequestView}
 * gives it to the scheduler, and the attribute tests Admission's reasons come from. Each tester is
 * asked under several busy vectors, as the load-price policy asks one tester after each schedule.
 */
class ServableAloneTest {

    private static final String[] NODES = {"d1-a", "d1-b", "d2-a"};
    private static final long FRESH_SINCE = 5_000;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void agreesWithFeasibilityOnTheOneRequestBatch(long seed) {
        Random rnd = new Random(seed);
        Topology topo = TOPOLOGY;
        double t = 10_000 + rnd.nextInt(1000);
        long freshSince = FRESH_SINCE;
        List<NodeSpec> specs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String id : NODES) {
            specs.add(spec(topo, id));
            ids.add(id);
        }
        double[] slowdown = new double[specs.size()];
        for (int k = 0; k < slowdown.length; k++) {
            slowdown[k] = new double[] {1.0, 1.5, 3.0}[rnd.nextInt(3)];
        }
        MemoryDomainState state = new MemoryDomainState();
        List<RequestEvent> requests = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            RequestEvent r = request(rnd, i, t);
            requests.add(r);
            UserChannels u = new UserChannels();
            for (String id : NODES) {
                double pick = rnd.nextDouble();
                if (pick < 0.2) {
                    continue; // no channel to this node
                }
                org.edgellm.job.ChannelEvent c = new org.edgellm.job.ChannelEvent();
                c.userId = r.userId;
                c.nodeId = id;
                c.measuredAt = pick < 0.35 ? freshSince - 1 - rnd.nextInt(1000) : freshSince;
                c.uplinkSpectralEfficiency = Math.pow(10, -4 + 5 * rnd.nextDouble());
                c.downlinkSpectralEfficiency = Math.pow(10, -4 + 5 * rnd.nextDouble());
                u.update(c);
            }
            if (rnd.nextDouble() > 0.05) {
                state.storeChannels(r.userId, u);
            }
        }
        List<EdgeNode> nodes = new ArrayList<>();
        for (int k = 0; k < specs.size(); k++) {
            nodes.add(specs.get(k).toEdgeNode(Double.NaN, slowdown[k]));
        }
        List<Request> views = new ArrayList<>();
        for (RequestEvent r : requests) {
            views.add(RequestView.of(r, ids, freshSince, state));
        }
        // the two ways of building one, each against the oracle
        ServableAlone fromState =
                ServableAlone.ofPending(topo, t, nodes, requests, state, freshSince);
        ServableAlone fromViews = ServableAlone.ofViews(topo, t, nodes, views);
        assertEquals(requests.size(), fromState.size());
        assertEquals(requests.size(), fromViews.size());

        int servable = 0;
        int notServable = 0;
        int[] flags = new int[4];
        for (int round = 0; round < 4; round++) {
            double[] busy = new double[nodes.size()];
            for (int k = 0; k < busy.length; k++) {
                busy[k] = t - 2000 + rnd.nextInt(12_000);
            }
            for (int i = 0; i < requests.size(); i++) {
                Oracle o = oracle(topo, t, specs, slowdown, busy, ids, requests.get(i), state);
                for (ServableAlone alone : List.of(fromState, fromViews)) {
                    String what =
                            (alone == fromState ? "ofPending" : "ofViews")
                                    + ", request "
                                    + i
                                    + " round "
                                    + round
                                    + " seed "
                                    + seed;
                    assertEquals(o.servable, alone.servable(i, busy), what + ": servable");
                    assertEquals(o.accurate, alone.accurate(i), what + ": accurate");
                    assertEquals(o.fits, alone.fits(i), what + ": fits");
                    assertEquals(o.channel, alone.hasChannel(i), what + ": channel");
                    assertEquals(o.waiting, alone.waitsForChannel(i), what + ": waiting");
                }
                if (o.servable) {
                    servable++;
                } else if (o.channel) {
                    notServable++; // usable somewhere, but too late under these busy times
                }
                flags[0] += o.accurate ? 0 : 1;
                flags[1] += o.accurate && !o.fits ? 1 : 0;
                flags[2] += o.fits && !o.channel ? 1 : 0;
                flags[3] += o.waiting ? 1 : 0;
            }
        }
        // the random cases cover every outcome, so that the comparisons above can fail
        assertTrue(servable > 100, "servable cases: " + servable);
        assertTrue(notServable > 100, "usable but unservable cases: " + notServable);
        for (int f = 0; f < flags.length; f++) {
            assertTrue(flags[f] > 10, "cases of flag " + f + ": " + flags[f]);
        }
    }

    private static RequestEvent request(Random rnd, int i, double t) {
        RequestEvent r = new RequestEvent();
        r.requestId = "r" + i;
        r.userId = "u" + i;
        r.domainId = "d1";
        r.arrivalTime = (long) t - rnd.nextInt(5000);
        // some prompts too large for the small node, or for every node under kv16
        r.promptTokens =
                rnd.nextDouble() < 0.15 ? 20_000 + rnd.nextInt(100_000) : 1 + rnd.nextInt(4000);
        r.maxOutputTokens = 1 + rnd.nextInt(1000);
        r.deadline = t - 1000 + rnd.nextInt(30_000) + rnd.nextDouble();
        r.maxPplIncrease = new double[] {0.01, 0.1, 0.35, 0.5}[rnd.nextInt(4)];
        r.weight = 1;
        r.uplinkBytes = rnd.nextBoolean() ? -1 : rnd.nextInt(2_000_000);
        r.serviceClass = "standard";
        return r;
    }

    record Oracle(
            boolean servable, boolean accurate, boolean fits, boolean channel, boolean waiting) {}

    /** Feasibility over a one-request instance, on every node (busy as given) and variant. */
    private static Oracle oracle(
            Topology topo,
            double t,
            List<NodeSpec> specs,
            double[] slowdown,
            double[] busy,
            List<String> ids,
            RequestEvent r,
            DomainState state) {
        Request req = RequestView.of(r, ids, FRESH_SINCE, state);
        List<EdgeNode> nodes = new ArrayList<>();
        for (int k = 0; k < specs.size(); k++) {
            nodes.add(specs.get(k).toEdgeNode(busy[k], slowdown[k]));
        }
        Instance inst =
                new Instance(
                        t,
                        topo.objective,
                        topo.computeModel,
                        topo.bitsPerToken,
                        topo.model(),
                        nodes,
                        List.of(req));
        boolean servable = false;
        boolean accurate = false;
        boolean fits = false;
        boolean channel = false;
        boolean waiting = false;
        for (EdgeNode e : nodes) {
            for (Variant v : e.variants()) {
                Feasibility f = new Feasibility(inst, e, v);
                servable |= f.feasible(new int[] {0}, 1);
                if (f.accurate(0)) {
                    accurate = true;
                    if (f.memoryFits(1, req.promptTokens(), req.maxOutputTokens())) {
                        fits = true;
                        channel |= f.hasChannel(0);
                        waiting |= !f.hasChannel(0);
                    }
                }
            }
        }
        return new Oracle(servable, accurate, fits, channel, waiting);
    }

    private static NodeSpec spec(Topology topo, String id) {
        for (List<NodeSpec> domain : topo.domains.values()) {
            for (NodeSpec s : domain) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no node " + id);
    }
}
