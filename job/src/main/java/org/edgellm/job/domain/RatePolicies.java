package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.edgellm.job.PendingQueue;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;

/**
 * The policies of a slot's choice beyond the paper's per-slot batches (throughput-rate,
 * padding-rate, load-price): the extra solves over cut-offs of the candidates and the choice among
 * the schedules. {@link SlotPlanner} plans the slot and calls {@link #choose} with its solver.
 */
final class RatePolicies {

    /** Solves the slot over some of its candidates (null when the scheduler failed). */
    @FunctionalInterface
    interface Solver {
        Schedule solve(List<Request> requests);
    }

    private final DomainSettings settings;

    RatePolicies(DomainSettings settings) {
        this.settings = settings;
    }

    /** The paper's policy: the batches with the most requests in this slot. */
    static final String PER_SLOT = "per-slot";

    /** The policy that weighs the GPU time a slot's batches take (cut-offs by output length). */
    static final String THROUGHPUT_RATE = "throughput-rate";

    /**
     * The throughput-rate policy with cut-offs by prompt length as well (prefill pads every request
     * to the longest prompt of its batch as decode pads to the longest output), its subsets drawn
     * from {@link #WIDE} times the window.
     */
    static final String PADDING_RATE = "padding-rate";

    /**
     * padding-rate's schedules, chosen by the requests each serves minus the requests it kills,
     * less a price of the node time it takes that rises with the load (see {@link #byPrice}).
     */
    static final String LOAD_PRICE = "load-price";

    /** The cut-offs of the rate policies: quantiles of the candidates' lengths. */
    private static final double[] CUTOFFS = {0.75, 0.5, 0.25};

    /**
     * Under padding-rate, the cut-offs draw from this many times the slot's window of earliest
     * deadlines (each subset still at most the window): the cheap requests just behind it.
     */
    static final int WIDE = 2;

    /**
     * The rate policies: static batches pad every request to the longest output (and prompt) of its
     * batch, so one long request can hold a node for many slots. Besides the schedule over every
     * candidate, they solve over the candidates whose output is at most the 75th, 50th and 25th
     * percentile of theirs (and, under padding-rate and load-price, whose prompt is).
     * Throughput-rate and padding-rate keep the schedule with the most requests per millisecond of
     * compute time (the first of equal ones: the full set wins ties); load-price chooses by {@link
     * #byPrice}. Under padding-rate and load-price, {@code requests} are the {@link #WIDE} times
     * wider window: the quantiles are of them, and each subset keeps its {@code window} earliest
     * deadlines ({@link DomainSettings#window}, the size of the full schedule's candidate list).
     * Every schedule comes from the same solver, so each stays feasible under C1-C5.
     */
    Schedule choose(
            Schedule full,
            List<Request> requests,
            List<EdgeNode> offered,
            double t0,
            PendingQueue q,
            int domainNodes,
            Solver solver,
            Supplier<ServableAlone> alone,
            int window) {
        if (requests.size() < 2) {
            return full;
        }
        List<Schedule> options = new ArrayList<>();
        options.add(full);
        addCutoffs(options, requests, Request::maxOutputTokens, solver, window);
        if (!settings.policy().equals(THROUGHPUT_RATE)) {
            addCutoffs(options, requests, Request::promptTokens, solver, window);
        }
        if (settings.policy().equals(LOAD_PRICE)) {
            return options.get(
                    byPrice(
                            options,
                            requests,
                            offered,
                            alone.get(),
                            arrivalsPerMs(q, t0, settings.slotMs()),
                            domainNodes));
        }
        Schedule best = full;
        double bestRate = rate(full);
        for (Schedule s : options) {
            if (rate(s) > bestRate) {
                best = s;
                bestRate = rate(s);
            }
        }
        return best;
    }

    /**
     * The load-price choice among a slot's schedules (the full one first). Each schedule is worth
     * the requests it serves minus the requests it kills: the candidates it leaves pending that one
     * offered node could serve alone at the next slot if nothing were decided now, but not after
     * this schedule's batches (their deadlines cannot wait for the nodes it occupies). From that
     * worth it pays for its compute time at a price per millisecond of {@code u * r}: r is the best
     * worth per millisecond of compute time among the schedules, u the load, the recent arrivals
     * per millisecond times the full schedule's compute milliseconds per request it serves, over
     * the domain's nodes, at most 1. Under light load (u near 0) the schedule that serves the most
     * and kills the fewest wins, as the paper's per-slot choice would; at full load (u = 1) the one
     * with the best worth per millisecond of node time, as padding-rate's. The first of equal
     * scores wins (the full set). Returns the index of the chosen schedule. "Servable alone" is
     * {@link ServableAlone}'s test, built once per slot over the wide window.
     */
    private int byPrice(
            List<Schedule> options,
            List<Request> requests,
            List<EdgeNode> offered,
            ServableAlone alone,
            double arrivalsPerMs,
            int domainNodes) {
        int count = requests.size();
        double[] busyNow = new double[offered.size()];
        for (int k = 0; k < busyNow.length; k++) {
            busyNow[k] = offered.get(k).busyUntil();
        }
        boolean[] servableNow = new boolean[count];
        for (int i = 0; i < count; i++) {
            servableNow[i] = alone.servable(i, busyNow);
        }
        int m = options.size();
        double[] ms = new double[m];
        int[] worth = new int[m];
        int fullServed = 0;
        double[] busyAfter = new double[busyNow.length];
        for (int k = 0; k < m; k++) {
            Schedule s = options.get(k);
            Set<String> served = new HashSet<>();
            for (ScheduledBatch b : s.batches()) {
                served.addAll(b.requests());
                ms[k] += b.timeline().computeEndMs() - b.timeline().computeStartMs();
            }
            // the nodes' busy times after this schedule's batches
            boolean changed = false;
            for (int j = 0; j < busyNow.length; j++) {
                double busy = busyNow[j];
                String id = offered.get(j).id();
                for (ScheduledBatch b : s.batches()) {
                    if (b.node().equals(id)) {
                        busy = Math.max(busy, b.timeline().computeEndMs());
                    }
                }
                busyAfter[j] = busy;
                changed |= busy != busyNow[j];
            }
            int kills = 0;
            for (int i = 0; changed && i < count; i++) {
                // only what was servable and is left pending can be killed
                if (servableNow[i]
                        && !served.contains(requests.get(i).id())
                        && !alone.servable(i, busyAfter)) {
                    kills++;
                }
            }
            worth[k] = served.size() - kills;
            if (k == 0) {
                fullServed = served.size();
            }
        }
        double msPerRequest = fullServed > 0 ? ms[0] / fullServed : 0;
        double load = Math.min(1.0, arrivalsPerMs * msPerRequest / Math.max(1, domainNodes));
        double bestRate = 0;
        for (int k = 0; k < m; k++) {
            if (ms[k] > 0) {
                bestRate = Math.max(bestRate, worth[k] / ms[k]);
            }
        }
        double price = load * bestRate;
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < m; k++) {
            double score = worth[k] - price * ms[k];
            if (score > bestScore + SCORE_TOLERANCE) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    /** Scores closer than this count as equal (the earlier schedule wins). */
    private static final double SCORE_TOLERANCE = 1e-9;

    /**
     * The recent arrival rate of a domain: its pending requests that arrived within the two slots
     * before t0, per millisecond (those already decided in the slot before are not counted: an
     * estimate from below, without state beyond the queue).
     */
    static double arrivalsPerMs(PendingQueue q, double t0, long slotMs) {
        int recent = 0;
        for (int i = 0; i < q.size; i++) {
            if (q.get(i).arrivalTime > t0 - 2 * slotMs) {
                recent++;
            }
        }
        return recent / (2.0 * slotMs);
    }

    /**
     * Adds to {@code options} the solves over the candidates whose {@code length} is at most each
     * cut-off's quantile of theirs (each subset at most {@code window}, its earliest deadlines;
     * none that equals the one before or every candidate).
     */
    private void addCutoffs(
            List<Schedule> options,
            List<Request> requests,
            ToIntFunction<Request> length,
            Solver solver,
            int window) {
        int[] lengths = requests.stream().mapToInt(length).sorted().toArray();
        int lastLimit = Integer.MAX_VALUE;
        for (double q : CUTOFFS) {
            int limit = lengths[(int) Math.floor(q * (lengths.length - 1))];
            if (limit >= lastLimit) {
                continue; // the same subset as the cut-off before
            }
            lastLimit = limit;
            List<Request> sub = new ArrayList<>();
            for (Request r : requests) {
                if (length.applyAsInt(r) <= limit && sub.size() < window) {
                    sub.add(r);
                }
            }
            if (sub.isEmpty() || sub.size() == requests.size()) {
                continue;
            }
            Schedule s = solver.solve(sub);
            if (s != null) {
                options.add(s);
            }
        }
    }

    /** Requests per millisecond of compute time over a schedule's batches (0 for none). */
    static double rate(Schedule s) {
        double ms = 0;
        int n = 0;
        for (ScheduledBatch b : s.batches()) {
            ms += b.timeline().computeEndMs() - b.timeline().computeStartMs();
            n += b.requests().size();
        }
        return ms <= 0 ? 0 : n / ms;
    }
}
