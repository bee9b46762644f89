package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * OT: the exact single-node solver (spec section 4). For every resident variant it searches the
 * set-enumeration tree of the candidate requests depth first.
 *
 * <ul>
 *   <li><b>Online pruning.</b> A child that is infeasible is cut with its subtree (downward
 *       closure). Before any check, a candidate whose padded KV cache cannot fit or whose compute
 *       cannot end before the earliest deadline, even with nothing else added, is dropped: that is
 *       a proof of infeasibility from the batch aggregates, not a guess.
 *   <li><b>Branch and bound.</b> A subtree is cut when its value plus an upper bound on what its
 *       remaining candidates can add is not better than the incumbent. The bound is the least of
 *       (a) a cardinality bound: with the padded maxima, memory and the deadline each candidate
 *       admits at most {@code m_x} more members once it is in, so at most the best {@code t}
 *       profits among candidates with {@code m_x >= t} (all t at once by a linear sweep, since
 *       profits come in search order); a level's {@code m_x} is at most its parent's minus one, and
 *       on lists of 32 or more candidates all are capped by the most members any batch can still
 *       take (order statistics of uplink time, padding, deadline and band cost), and each t's value
 *       by a band knapsack at the earliest end of t more members, itself capped by a Lagrangian
 *       bound with each newcomer's band cost at the later of its own earliest end and that end; (b)
 *       a fractional knapsack on the downlink band, each candidate costing its demand at the
 *       earliest compute end it can have; (c) a fractional knapsack on uplink time against the
 *       earliest deadline. With integral profits the bound is rounded down. The bound only shrinks
 *       as the candidate list loses its head, so the first child whose siblings-and-subtrees bound
 *       is not better than the incumbent is found by binary search, and a comparison stops at the
 *       first part of the bound that settles it.
 *   <li><b>Greedy incumbent.</b> On lists of 32 or more candidates, greedy batches in six orders
 *       among the candidates whose limit reaches t, for a ladder of t, and in search order inside
 *       27 boxes of prompt, output and deadline (a prompt and an output limit and a deadline floor,
 *       quantiles of the candidates), the best of them improved by a local search (drop one member,
 *       refill in search order), and greedy batches of the padding cases (P, O) of an 8 x 8 grid
 *       with the best estimates, each among the candidates whose deadline is late enough for the
 *       most members memory at (P, O) admits (its best batch gets its own local search), give every
 *       variant's search an incumbent before any search starts.
 *   <li><b>Padding boxes.</b> On lists of 64 or more candidates a variant's search first splits the
 *       pairs (padded prompt, padded output) a batch can have into at most 12 boxes, halving the
 *       open box with the largest bound at the median of its distinct values on its wider dimension
 *       and closing boxes whose bound does not beat the incumbent; each box is then searched,
 *       largest bound first, over the candidates within its upper corner and from an empty batch
 *       padded to its lower corner already. The boxes cover every pair, and a batch the floor
 *       admits is feasible, so the search stays exact; its lists are shorter and its limits
 *       tighter, so its nodes are cheaper.
 *   <li><b>Dominance.</b> Request j dominates request k when it comes earlier in the search order
 *       and is no worse in anything a constraint or the profit reads: prompt, output, deadline,
 *       uplink time, downlink demand, profit. Replacing k by j in a feasible batch keeps it
 *       feasible and its profit no lower, so some optimal batch holds every dominator of each of
 *       its members; the search adds a request only when all its dominators are in the batch or
 *       still ahead, and drops from a subtree the candidates whose dominator it left out.
 *   <li><b>Anytime.</b> With a {@link SearchBudget} the search stops when it is spent and returns
 *       the incumbent with a proven bound: the largest root bound of the variants it did not
 *       finish.
 * </ul>
 *
 * <p>The parts, package-private: {@link OtSearch} (the depth-first search of one variant and its
 * cut), {@link OtCandidates} (the candidates in search order and their dominance), {@link OtLevels}
 * (the preparation of each level: candidates, limits, limit caps), {@link OtBounds} (the bounds),
 * {@link OtIncumbent} (the greedy starting batch), {@link OtLocalSearch} (the local search that
 * improves a batch), {@link OtBatchBuilder} (the batch they build with tryAdd) and {@link
 * OtCounters} (the budget).
 */
public final class OptimalTreeSearch {

    private OptimalTreeSearch() {}

    /** Exact optimum over all requests of the instance on the given node, profits of the spec. */
    public static NodeSolution solve(Instance instance, EdgeNode node, SearchBudget budget) {
        int[] all = new int[instance.requests().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return solve(instance, node, all, instance.profits(), budget);
    }

    /**
     * Best batch on {@code node} among {@code candidates} (request indices) with the given profits
     * (indexed by request index; candidates with profit <= 0 are ignored).
     */
    public static NodeSolution solve(
            Instance instance,
            EdgeNode node,
            int[] candidates,
            double[] profit,
            SearchBudget budget) {
        Feasibility[] tests = new Feasibility[node.variants().size()];
        for (int q = 0; q < tests.length; q++) {
            tests[q] = new Feasibility(instance, node, node.variants().get(q));
        }
        return solve(tests, candidates, profit, budget);
    }

    /**
     * The same with the feasibility tests of the node's variants already built (one per resident
     * variant, in the node's order): callers that search one node many times share them.
     */
    public static NodeSolution solve(
            Feasibility[] tests, int[] candidates, double[] profit, SearchBudget budget) {
        return solve(tests, candidates, profit, budget, false);
    }

    /**
     * The same; with {@code greedyForAll} every variant builds its greedy incumbent, also those
     * whose root bound the incumbent already reaches (for tests: the answer and the nodes are the
     * same).
     */
    static NodeSolution solve(
            Feasibility[] tests,
            int[] candidates,
            double[] profit,
            SearchBudget budget,
            boolean greedyForAll) {
        long deadlineNanos =
                budget.maxMicros() > 0 ? System.nanoTime() + budget.maxMicros() * 1000L : 0;
        boolean integral = true;
        for (int c : candidates) {
            if (profit[c] != Math.rint(profit[c])) {
                integral = false;
            }
        }
        int vs = tests.length;
        OtSearch[] searches = new OtSearch[vs];
        double[] rootBound = new double[vs];
        Integer[] order = new Integer[vs];
        OtCounters counters = new OtCounters(budget, deadlineNanos);
        for (int q = 0; q < vs; q++) {
            searches[q] = new OtSearch(tests[q], candidates, profit, integral, counters);
            rootBound[q] = searches[q].rootBound();
            order[q] = q;
        }
        Arrays.sort(order, (a, b) -> Double.compare(rootBound[b], rootBound[a]));
        double best = 0;
        int[] bestBatch = new int[0];
        Variant bestVariant = null;
        // the greedy incumbents of every variant first: the best of them prunes every search,
        // also the first one, which may use up the budget alone. A variant whose root bound the
        // incumbent already reaches is not searched, and its greedy batch, worth at most that
        // bound, could not replace the incumbent: it is not built.
        for (int k = 0; k < vs; k++) {
            OtSearch s = searches[order[k]];
            if (!greedyForAll && rootBound[order[k]] <= best + tolerance(best)) {
                continue;
            }
            s.greedyOnce();
            if (s.bestValue > best + tolerance(best)) {
                best = s.bestValue;
                bestBatch = s.bestBatch;
                bestVariant = s.f.variant();
            }
        }
        double openBound = 0;
        for (int k = 0; k < vs; k++) {
            int q = order[k];
            OtSearch s = searches[q];
            if (counters.aborted) {
                openBound = Math.max(openBound, rootBound[q]);
                continue;
            }
            if (rootBound[q] <= best + tolerance(best)) {
                continue;
            }
            s.run(best);
            if (s.bestValue > best) {
                best = s.bestValue;
                bestBatch = s.bestBatch;
                bestVariant = s.f.variant();
            }
            if (counters.aborted) {
                // the boxes the search left open bound it more tightly than its root
                double left =
                        Double.isNaN(s.openBound)
                                ? rootBound[q]
                                : Math.min(rootBound[q], s.openBound);
                openBound = Math.max(openBound, left);
            }
        }
        double upper = Math.max(best, openBound);
        boolean proven = !counters.aborted || upper <= best + tolerance(best);
        return new NodeSolution(
                bestVariant,
                bestBatch,
                best,
                upper,
                proven,
                counters.nodes,
                counters.checks,
                counters.bounds);
    }

    /**
     * Fewest candidates for which a search starts with the greedy incumbent: below, the search is
     * quick anyway and the greedy's checks would outnumber the ones it saves.
     */
    static final int GREEDY_MIN = 32;

    static double tolerance(double best) {
        return 1e-9 * Math.max(1.0, Math.abs(best));
    }

    /** A search of one variant, for tests of its bound. */
    static OtSearch searchFor(Feasibility f, int[] candidates, double[] profit) {
        boolean integral = true;
        for (int c : candidates) {
            integral &= profit[c] == Math.rint(profit[c]);
        }
        return new OtSearch(
                f, candidates, profit, integral, new OtCounters(SearchBudget.UNLIMITED, 0));
    }
}
