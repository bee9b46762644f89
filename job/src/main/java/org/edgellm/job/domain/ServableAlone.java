package org.edgellm.job.domain;

import java.util.List;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.job.UserChannels;
import org.edgellm.scheduler.Channel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;

/**
 * Whether a pending request could be served alone from an instant t: on some node and resident
 * variant, each node busy until a time the caller gives, C1-C5 hold for the one-request batch,
 * exactly as {@link Feasibility#feasible} judges it on an {@link Instance} at t whose request
 * carries its user's fresh channels ({@link RequestView}). The one tester behind {@link Admission}
 * (every known node idle from the next slot) and the load-price policy's kill count in {@link
 * RatePolicies} (the offered nodes as they are, then after each candidate schedule).
 *
 * <p>Built once for a list of requests and nodes ({@link #ofViews} from the scheduler's views,
 * {@link #ofPending} from the pending requests and the users' channels in the domain's state): per
 * (node, variant) pair one {@link Feasibility} without requests gives the memory test (C2) and the
 * compute time; per request and pair what does not depend on the busy times is computed once:
 * accuracy (C1), memory, a fresh channel (C5), the uplink's end, the compute time alone and the
 * downlink demand. Asking again under other busy times allocates nothing: per pair one max, one
 * division and three comparisons, stopping at the first pair that serves the request.
 */
final class ServableAlone {
    /** What a pair offers a request regardless of busy times, from worst to best. */
    private static final byte INACCURATE = 0;

    private static final byte TOO_LARGE = 1;
    private static final byte NO_CHANNEL = 2;
    private static final byte USABLE = 3;

    private final double t;
    private final int count;
    private final int pairs;
    // per pair: its node's index in the nodes given, its test, its node's bands, its variant's
    // perplexity increase
    private final int[] nodeOf;
    private final Feasibility[] tests;
    private final double[] downlinkHz;
    private final double[] uplinkHz;
    private final double[] pplIncrease;
    // per node, for the request being filled: whether it has a fresh channel, its spectral
    // efficiencies
    private final boolean[] channel;
    private final double[] uplinkSe;
    private final double[] downlinkSe;
    private final double[] deadline; // per request
    // per request i and pair p, at i * pairs + p
    private final byte[] kind;
    private final double[] uplinkEnd; // t + uplink time alone
    private final double[] computeMs; // T^C(1, s_i, n_i) on the pair
    private final double[] downlinkDemand; // O_i / e^D_ij
    // per request: the best kind over the pairs, and whether some accurate pair that fits lacks a
    // fresh channel
    private final byte[] best;
    private final boolean[] waitsForChannel;

    /**
     * The tester over the scheduler's views of the requests (their channels as they carry them), as
     * the load-price policy has them.
     *
     * @param topology the model, objective, compute model and bits per token
     * @param t the instant from which the requests would be served (the instance's t0)
     * @param nodes the nodes they may run on (their busy times are not used: see {@link #servable})
     * @param requests the requests, indexed as they are given
     */
    static ServableAlone ofViews(
            Topology topology, double t, List<EdgeNode> nodes, List<Request> requests) {
        ServableAlone a = new ServableAlone(topology, t, nodes, requests.size());
        double beta = topology.bitsPerToken;
        for (int i = 0; i < a.count; i++) {
            Request r = requests.get(i);
            for (int k = 0; k < nodes.size(); k++) {
                Channel c = r.channels().get(nodes.get(k).id());
                a.channel[k] = c != null;
                a.uplinkSe[k] = c == null ? 0 : c.uplinkSpectralEfficiency();
                a.downlinkSe[k] = c == null ? 0 : c.downlinkSpectralEfficiency();
            }
            a.fill(
                    i,
                    r.promptTokens(),
                    r.maxOutputTokens(),
                    r.deadline(),
                    r.maxPplIncrease(),
                    r.uplinkBits(beta),
                    r.downlinkBits(beta));
        }
        return a;
    }

    /**
     * The tester over pending requests with their users' channels fresh since {@code freshSince},
     * read from the domain's state as {@link RequestView} reads them, without building the views
     * (Admission's case: many requests, most of them servable).
     *
     * @param topology the model, objective, compute model and bits per token
     * @param t the instant from which the requests would be served (the instance's t0)
     * @param nodes the nodes they may run on (their busy times are not used: see {@link #servable})
     * @param requests the requests, indexed as they are given
     * @param state the domain's state, for the users' channels
     * @param freshSince channels measured before this are not used
     */
    static ServableAlone ofPending(
            Topology topology,
            double t,
            List<EdgeNode> nodes,
            List<RequestEvent> requests,
            DomainState state,
            long freshSince) {
        ServableAlone a = new ServableAlone(topology, t, nodes, requests.size());
        double beta = topology.bitsPerToken;
        for (int i = 0; i < a.count; i++) {
            RequestEvent r = requests.get(i);
            UserChannels u = state.channels(r.userId);
            for (int k = 0; k < nodes.size(); k++) {
                int c = u == null ? -1 : u.indexOf(nodes.get(k).id());
                boolean fresh = c >= 0 && u.measuredAt[c] >= freshSince;
                a.channel[k] = fresh;
                a.uplinkSe[k] = fresh ? u.uplink[c] : 0;
                a.downlinkSe[k] = fresh ? u.downlink[c] : 0;
            }
            // as the view's Request.uplinkBits and downlinkBits (a negative size: the default)
            double uplinkBytes = r.uplinkBytes < 0 ? Double.NaN : r.uplinkBytes;
            a.fill(
                    i,
                    r.promptTokens,
                    r.maxOutputTokens,
                    r.deadline,
                    r.maxPplIncrease,
                    Double.isNaN(uplinkBytes) ? beta * r.promptTokens : 8.0 * uplinkBytes,
                    beta * r.maxOutputTokens);
        }
        return a;
    }

    private ServableAlone(Topology topology, double t, List<EdgeNode> nodes, int count) {
        Instance noRequests =
                new Instance(
                        t,
                        topology.objective,
                        topology.computeModel,
                        topology.bitsPerToken,
                        topology.model(),
                        nodes,
                        List.of());
        int p = 0;
        for (EdgeNode e : nodes) {
            p += e.variants().size();
        }
        this.t = t;
        this.count = count;
        pairs = p;
        nodeOf = new int[pairs];
        downlinkHz = new double[pairs];
        uplinkHz = new double[pairs];
        pplIncrease = new double[pairs];
        tests = new Feasibility[pairs];
        p = 0;
        for (int k = 0; k < nodes.size(); k++) {
            EdgeNode e = nodes.get(k);
            for (Variant v : e.variants()) {
                tests[p] = new Feasibility(noRequests, e, v);
                nodeOf[p] = k;
                downlinkHz[p] = e.downlinkHz();
                uplinkHz[p] = e.uplinkHz();
                pplIncrease[p] = v.pplIncrease();
                p++;
            }
        }
        channel = new boolean[nodes.size()];
        uplinkSe = new double[nodes.size()];
        downlinkSe = new double[nodes.size()];
        deadline = new double[count];
        kind = new byte[count * pairs];
        uplinkEnd = new double[count * pairs];
        computeMs = new double[count * pairs];
        downlinkDemand = new double[count * pairs];
        best = new byte[count];
        waitsForChannel = new boolean[count];
    }

    /**
     * Request i's entries, from its attributes and its channel to each node in {@link #channel},
     * {@link #uplinkSe} and {@link #downlinkSe}, with the expressions of {@link Feasibility}'s
     * constructor and of {@link Feasibility#feasible} for a batch of one.
     */
    private void fill(
            int i,
            int prompt,
            int output,
            double deadline,
            double maxPplIncrease,
            double uplinkBits,
            double downlinkBits) {
        this.deadline[i] = deadline;
        byte bestKind = INACCURATE;
        for (int p = 0; p < pairs; p++) {
            int at = i * pairs + p;
            int k = nodeOf[p];
            byte kindHere;
            if (!(pplIncrease[p] <= maxPplIncrease)) {
                kindHere = INACCURATE;
            } else if (!tests[p].memoryFits(1, prompt, output)) {
                kindHere = TOO_LARGE;
            } else if (!channel[k]) {
                kindHere = NO_CHANNEL;
                waitsForChannel[i] = true;
            } else {
                kindHere = USABLE;
                double up = uplinkBits / (uplinkSe[k] * uplinkHz[p]) * 1000.0;
                uplinkEnd[at] = t + (0 + up);
                computeMs[at] = tests[p].computeMs(1, prompt, output);
                downlinkDemand[at] = downlinkBits / downlinkSe[k];
            }
            kind[at] = kindHere;
            bestKind = (byte) Math.max(bestKind, kindHere);
        }
        best[i] = bestKind;
    }

    /** The number of requests. */
    int size() {
        return count;
    }

    /** Whether some pair's variant is within request i's accuracy (C1). */
    boolean accurate(int i) {
        return best[i] >= TOO_LARGE;
    }

    /** Whether request i's KV cache fits alone on some pair within its accuracy (C1, C2). */
    boolean fits(int i) {
        return best[i] >= NO_CHANNEL;
    }

    /** Whether some pair within its accuracy where it fits has a fresh channel (C1, C2, C5). */
    boolean hasChannel(int i) {
        return best[i] == USABLE;
    }

    /** Whether some pair within its accuracy where it fits lacks a fresh channel. */
    boolean waitsForChannel(int i) {
        return waitsForChannel[i];
    }

    /**
     * Whether request i could be served alone (C1-C5) on some pair, node k busy until {@code
     * busyUntil[k]}: {@link Feasibility#feasible} of the one-request batch on that node with that
     * busy time.
     */
    boolean servable(int i, double[] busyUntil) {
        if (best[i] != USABLE) {
            return false;
        }
        double d = deadline[i];
        int at = i * pairs;
        for (int p = 0; p < pairs; p++, at++) {
            if (kind[at] != USABLE) {
                continue;
            }
            double end = Math.max(uplinkEnd[at], busyUntil[nodeOf[p]]) + computeMs[at];
            if (!(d - end > 0)) {
                continue;
            }
            double need = 0 + downlinkDemand[at] * 1000.0 / (d - end);
            if (need <= downlinkHz[p]) {
                return true;
            }
        }
        return false;
    }
}
