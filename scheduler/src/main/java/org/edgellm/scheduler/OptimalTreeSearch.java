package org.edgellm.scheduler;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

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
 *       among the candidates whose limit reaches t, for a ladder of t, improved by a local search
 *       (drop one member, refill in search order), give every variant's search an incumbent before
 *       any search starts.
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
        long deadlineNanos =
                budget.maxMicros() > 0 ? System.nanoTime() + budget.maxMicros() * 1000L : 0;
        boolean integral = true;
        for (int c : candidates) {
            if (profit[c] != Math.rint(profit[c])) {
                integral = false;
            }
        }
        int vs = tests.length;
        Search[] searches = new Search[vs];
        double[] rootBound = new double[vs];
        Integer[] order = new Integer[vs];
        Counters counters = new Counters(budget, deadlineNanos);
        for (int q = 0; q < vs; q++) {
            searches[q] = new Search(tests[q], candidates, profit, integral, counters);
            rootBound[q] = searches[q].rootBound();
            order[q] = q;
        }
        Arrays.sort(order, (a, b) -> Double.compare(rootBound[b], rootBound[a]));
        double best = 0;
        int[] bestBatch = new int[0];
        Variant bestVariant = null;
        // the greedy incumbents of every variant first: the best of them prunes every search,
        // also the first one, which may use up the budget alone
        for (int k = 0; k < vs; k++) {
            Search s = searches[order[k]];
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
            Search s = searches[q];
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
                openBound = Math.max(openBound, rootBound[q]);
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

    /** The orders of the limit cap: uplink time, prompt, output, deadline. */
    private static final int ORDER_KINDS = 4;

    /** Orders the greedy incumbent tries (see Search.greedy). */
    private static final int GREEDY_ORDERS = 6;

    /**
     * Fewest candidates for which a search starts with the greedy incumbent: below, the search is
     * quick anyway and the greedy's checks would outnumber the ones it saves.
     */
    static final int GREEDY_MIN = 32;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static double tolerance(double best) {
        return 1e-9 * Math.max(1.0, Math.abs(best));
    }

    private static final class Counters {
        final SearchBudget budget;
        final long deadlineNanos;
        long nodes;
        long checks;
        long bounds;
        long calls;
        boolean aborted;

        final long cpuDeadlineNanos;

        Counters(SearchBudget budget, long deadlineNanos) {
            this.budget = budget;
            this.deadlineNanos = deadlineNanos;
            this.cpuDeadlineNanos =
                    budget.maxCpuMicros() > 0
                            ? THREADS.getCurrentThreadCpuTime() + budget.maxCpuMicros() * 1000L
                            : 0;
        }

        boolean spent() {
            if (aborted) {
                return true;
            }
            if (budget.maxNodes() > 0 && nodes >= budget.maxNodes()) {
                aborted = true;
            } else if ((deadlineNanos != 0 || cpuDeadlineNanos != 0) && (++calls & 15) == 0) {
                aborted =
                        (deadlineNanos != 0 && System.nanoTime() > deadlineNanos)
                                || (cpuDeadlineNanos != 0
                                        && THREADS.getCurrentThreadCpuTime() > cpuDeadlineNanos);
            }
            return aborted;
        }
    }

    /** A search of one variant, for tests of its bound. */
    static Search searchFor(Feasibility f, int[] candidates, double[] profit) {
        boolean integral = true;
        for (int c : candidates) {
            integral &= profit[c] == Math.rint(profit[c]);
        }
        return new Search(f, candidates, profit, integral, new Counters(SearchBudget.UNLIMITED, 0));
    }

    /** The search for one variant. */
    static final class Search {
        final Feasibility f;
        final double[] profit; // by request index
        final boolean integral;
        final Counters counters;
        final int[] req; // request index of every position, in search order
        final double[] pp; // profit of every position
        final double[] upMs; // uplink time of every position
        final int[] pPrompt; // and the other attributes the hot loops read, by position
        final int[] pOutput;
        final double[] pDeadline;
        final double[] pDemand;
        final int words;
        final long[][] dom; // per position: earlier positions that dominate it (bitset)
        final boolean[] hasDom;
        final int[] all; // every position, in order (read only)
        final int[] upByRatio; // positions by uplink time per profit, ascending
        final int[][] kOf; // per depth: index in items[d] of a position (valid when stamped)
        final long[][] stampOf;
        final long[] stamp;
        long serial;
        final int[] sortTmpOrder;
        final double[] sortTmpKey;
        final long[] inPath; // bitset of positions in the current batch

        // per depth scratch
        final Feasibility.BatchState[] state;
        final int[] path; // request indices of the batch
        final int[][] items; // positions of the candidates of the node at depth d
        final long[][] limit;
        final double[][] bandCost;
        final double[][] endOne; // per depth: each item's compute end if it joins alone
        final int[][] bandOrder;
        final double[][] sortKey;
        final int[][] feasible; // indices (in items[d]) of feasible children
        final Feasibility.BatchState[][] childState;
        final int[][] feasPos; // index in the list passed down of each items[d] index, or -1
        final int[][] feasItems;
        final boolean[] bandSorted;
        // bound scratch (bounds do not nest)
        final int[] bucketHead;
        final int[] bucketNext;
        final double[] cardProfit;
        double[] jointCost;
        double[] jointProfit;
        int[] jointItem;
        final IntToDoubleFunction bandJoint = this::bandJoint;
        int jointD;
        int jointC;
        int jointM;
        int jointCount;
        // positions by uplink time, prompt, output (ascending) and deadline (descending)
        int[][] ordersAll; // built on first use
        int[][][] orders; // per kind and depth: that depth's candidates in the order
        int[] orderCount;
        long[] orderStamp; // the stamp of the node the lists were built for
        double[][] upPrefix; // per depth: sums of its t shortest uplink times
        double[] bandSorted2;
        final int[] cardLimit;
        final ComputeCache computeCache;
        final ComputeCache checkCache; // computeCache on long lists, else null
        long coveredMem;
        final double[] cardPrefix;
        final long[] cardSel;
        final int[][] upOrder; // per depth: its items by uplink time per profit (when built)
        final int[] upCount;
        final boolean[] upBuilt;

        /** Whether a level takes its parent's limits as caps (false only in tests). */
        boolean inheritLimits = true;

        /**
         * Whether limits are capped by order statistics (uplink, padding, deadline; by default on
         * lists of GREEDY_MIN candidates or more; tests turn it off or on).
         */
        boolean capByUplink;

        /** Whether limits are capped by the band as well (false only in tests). */
        boolean capByBand = true;

        /** Whether the cardinality sweep caps each t by the band knapsack (as capByUplink). */
        boolean bandInSweep;

        /** Whether the greedy's batch is improved by a local search (false only in tests). */
        boolean useLocalSearch = true;

        /** Whether the band sweep couples the band costs with the batch's end (tests). */
        boolean coupledBand = true;

        /** Whether run starts with the greedy incumbent (false only in tests). */
        boolean useGreedy = true;

        boolean greedyDone;

        double bestValue;
        int[] bestBatch = new int[0];
        double value;

        Search(
                Feasibility f,
                int[] candidates,
                double[] profit,
                boolean integral,
                Counters counters) {
            this.f = f;
            this.profit = profit;
            this.integral = integral;
            this.counters = counters;
            int count = 0;
            int[] tmp = new int[candidates.length];
            Feasibility.BatchState empty = new Feasibility.BatchState();
            empty.clear();
            Feasibility.BatchState one = new Feasibility.BatchState();
            for (int c : candidates) {
                if (profit[c] > 0 && f.eligible(c) && f.tryAdd(empty, c, tmp, one)) {
                    tmp[count++] = c;
                }
            }
            req = Arrays.copyOf(tmp, count);
            sortCandidates(req, f, profit);
            pp = new double[count];
            for (int k = 0; k < count; k++) {
                pp[k] = profit[req[k]];
            }
            upMs = new double[count];
            pPrompt = new int[count];
            pOutput = new int[count];
            pDeadline = new double[count];
            pDemand = new double[count];
            for (int k = 0; k < count; k++) {
                int x = req[k];
                upMs[k] = f.uplinkMs(x);
                pPrompt[k] = f.prompt(x);
                pOutput[k] = f.output(x);
                pDeadline[k] = f.deadline(x);
                pDemand[k] = f.downlinkDemand(x);
            }
            words = (count + 63) >>> 6;
            dom = new long[count][];
            hasDom = new boolean[count];
            for (int k = 0; k < count; k++) {
                for (int j = 0; j < k; j++) {
                    if (dominates(j, k)) {
                        if (dom[k] == null) {
                            dom[k] = new long[words];
                        }
                        dom[k][j >>> 6] |= 1L << j;
                        hasDom[k] = true;
                    }
                }
            }
            inPath = new long[Math.max(1, words)];
            all = identity(count);
            upByRatio = identity(count);
            double[] upKey = new double[count];
            for (int k = 0; k < count; k++) {
                upKey[k] = f.uplinkMs(req[k]) / pp[k];
            }
            sortTmpOrder = new int[count + 1];
            sortTmpKey = new double[count + 1];
            KeyedSort.sortByKey(upByRatio, upKey, count, sortTmpOrder, sortTmpKey);
            kOf = new int[count + 1][];
            stampOf = new long[count + 1][];
            stamp = new long[count + 1];
            state = new Feasibility.BatchState[count + 2];
            state[0] = new Feasibility.BatchState();
            state[0].clear();
            path = new int[count + 1];
            items = new int[count + 1][];
            limit = new long[count + 1][];
            bandCost = new double[count + 1][];
            endOne = new double[count + 1][];
            bandOrder = new int[count + 1][];
            sortKey = new double[count + 1][];
            feasible = new int[count + 1][];
            childState = new Feasibility.BatchState[count + 1][];
            feasPos = new int[count + 1][];
            feasItems = new int[count + 1][];
            bandSorted = new boolean[count + 1];
            bucketHead = new int[count + 2];
            bucketNext = new int[count + 1];
            // the limit caps and the band sweep pay off on long lists only (GREEDY_MIN): small
            // lists are searched often (GAH) and quickly, where their set-up would dominate
            capByUplink = count >= GREEDY_MIN;
            bandInSweep = count >= GREEDY_MIN;
            cardProfit = new double[count + 1];
            // the compute cache grows with the list (small lists are searched often, by GAH, and
            // each search zeroes its cache: on them 8 entries per candidate hit as often as 16)
            computeCache = new ComputeCache(f, (count >= GREEDY_MIN ? 16 : 8) * count);
            // the search's checks take their compute times from the cache on long lists only
            // (on short ones its misses would count as evaluations of their own)
            checkCache = count >= GREEDY_MIN ? computeCache : null;
            cardLimit = new int[count + 1];
            cardPrefix = new double[count + 2];
            cardSel = new long[words + 1];
            upOrder = new int[count + 1][];
            upCount = new int[count + 1];
            upBuilt = new boolean[count + 1];
        }

        /** For tests: whether position j dominates position k (j < k). */
        boolean dominatesAt(int j, int k) {
            return j < k && dominates(j, k);
        }

        /**
         * Whether the request at position j dominates the one at position k: it is no worse in
         * every attribute the constraints and the profit read, so in any feasible batch with k but
         * not j, j can replace k.
         */
        private boolean dominates(int j, int k) {
            return pp[j] >= pp[k]
                    && pPrompt[j] <= pPrompt[k]
                    && pOutput[j] <= pOutput[k]
                    && pDeadline[j] >= pDeadline[k]
                    && upMs[j] <= upMs[k]
                    && pDemand[j] <= pDemand[k];
        }

        /** Whether some dominator of position y below position lim is outside the batch. */
        private boolean dominatedBelow(int y, int lim) {
            if (!hasDom[y]) {
                return false;
            }
            long[] dy = dom[y];
            int full = lim >>> 6;
            for (int w = 0; w < full; w++) {
                if ((dy[w] & ~inPath[w]) != 0) {
                    return true;
                }
            }
            int rest = lim & 63;
            if (rest != 0) {
                long mask = (1L << rest) - 1;
                return (dy[full] & ~inPath[full] & mask) != 0;
            }
            return false;
        }

        private void ensureDepth(int d, int size) {
            if (items[d] == null || items[d].length < size) {
                int cap = Math.max(size, 4);
                items[d] = new int[cap];
                limit[d] = new long[cap];
                bandCost[d] = new double[cap];
                // only the band sweep reads them (long lists): short lists do not allocate them
                endOne[d] = bandInSweep ? new double[cap] : null;
                bandOrder[d] = new int[cap];
                sortKey[d] = new double[cap];
                feasible[d] = new int[cap];
                feasPos[d] = new int[cap];
                feasItems[d] = new int[cap];
                childState[d] = new Feasibility.BatchState[cap]; // filled on demand
            }
            if (kOf[d] == null) {
                kOf[d] = new int[req.length];
                stampOf[d] = new long[req.length];
            }
        }

        /**
         * Sorts request indices into search order: profit descending, then padding (prompt plus
         * output) ascending, then deadline descending, then index: stable primitive sorts from the
         * last key to the first.
         */
        static void sortCandidates(int[] a, Feasibility f, double[] profit) {
            int n = a.length;
            Arrays.sort(a);
            int[] o2 = new int[n];
            double[] k2 = new double[n];
            double[] key = new double[n];
            for (int pass = 0; pass < 3; pass++) {
                for (int i = 0; i < n; i++) {
                    int x = a[i];
                    key[i] =
                            switch (pass) {
                                case 0 -> -f.deadline(x);
                                case 1 -> f.prompt(x) + f.output(x);
                                default -> -profit[x];
                            };
                }
                KeyedSort.sortByKey(a, key, n, o2, k2);
            }
        }

        /** Upper bound of the whole variant: the bound at the root over every candidate. */
        double rootBound() {
            int m = prepare(0, all, 0, req.length, -1);
            if (m == 0) {
                return 0;
            }
            int[] fp = feasPos[0];
            for (int k = 0; k < m; k++) {
                fp[k] = k;
            }
            return bound(0, m, 0);
        }

        private static int[] identity(int n) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = i;
            }
            return a;
        }

        /** Candidates in search order (request indices). For tests. */
        int[] order() {
            return req.clone();
        }

        /**
         * For tests: the bound on what the candidates after the batch's last position can add to
         * the batch {@code batch} (positions in increasing order), as the search computes it at
         * that node; NaN when the batch is infeasible.
         */
        double boundAt(int[] batch) {
            int m = prepareAt(batch);
            if (m < 0) {
                return Double.NaN;
            }
            return bound(batch.length, m, 0);
        }

        /**
         * For tests: the limit of every candidate position at the node of {@code batch} (as
         * boundAt), -1 for positions the node dropped; null when the batch is infeasible.
         */
        long[] limitsAt(int[] batch) {
            int m = prepareAt(batch);
            if (m < 0) {
                return null;
            }
            long[] out = new long[req.length];
            Arrays.fill(out, -1);
            int d = batch.length;
            for (int k = 0; k < m; k++) {
                out[items[d][k]] = limit[d][k];
            }
            return out;
        }

        /**
         * For tests: the band sweep's cap (bandJoint) on the profit of t more members, among all
         * candidates of the node of {@code batch} (as boundAt); NaN when the batch is infeasible,
         * when the node keeps fewer than t candidates, or when the limit caps, whose order lists it
         * reads, did not run there.
         */
        double bandSweepAt(int[] batch, int t) {
            int m = prepareAt(batch);
            int d = batch.length;
            if (m < t || orderStamp == null || orderStamp[d] != stamp[d]) {
                return Double.NaN;
            }
            jointD = d;
            jointC = 0;
            jointM = m;
            jointCount = -1;
            return bandJoint(t);
        }

        /** Prepares every level of the path to {@code batch}; the count at its node, or -1. */
        private int prepareAt(int[] batch) {
            Arrays.fill(inPath, 0L);
            value = 0;
            for (int d = 0; d < batch.length; d++) {
                // every level is prepared, as in the search: a level inherits its parent's limits
                int prev = d == 0 ? -1 : batch[d - 1];
                prepare(d, all, prev + 1, req.length, prev);
                Feasibility.BatchState next = new Feasibility.BatchState();
                if (!f.tryAdd(state[d], req[batch[d]], path, next)) {
                    return -1;
                }
                state[d + 1] = next;
                path[d] = req[batch[d]];
                inPath[batch[d] >>> 6] |= 1L << batch[d];
                value += pp[batch[d]];
            }
            int d = batch.length;
            int last = d == 0 ? -1 : batch[d - 1];
            int m = prepare(d, all, last + 1, req.length, last);
            int[] fp = feasPos[d];
            for (int k = 0; k < m; k++) {
                fp[k] = k;
            }
            return m;
        }

        void run(double incumbent) {
            if (incumbent > bestValue) {
                bestValue = incumbent;
                bestBatch = new int[0]; // the caller's incumbent, not a batch of this variant
            }
            greedyOnce();
            value = 0;
            Arrays.fill(inPath, 0L);
            expand(0, all, 0, req.length, -1);
        }

        /** The greedy incumbent, once per search, for lists of at least GREEDY_MIN candidates. */
        void greedyOnce() {
            if (!greedyDone && useGreedy && req.length >= GREEDY_MIN) {
                greedy();
            }
            greedyDone = true;
        }

        /**
         * A first incumbent before the search, which it then only has to prove or beat: greedy
         * batches, each among the candidates whose limit at the root is at least t, for t = 1, 2,
         * 3, 4, 8, 16, ... up to the largest limit, and each t in six orders (below). A high t
         * keeps the candidates with short padding and late deadlines, which many can share a batch
         * with; the depth-first search in profit order alone finds such batches late. Every batch
         * is built with {@link Feasibility#tryAdd}, so it is feasible by the search's own test;
         * these checks count as feasibility checks.
         */
        private void greedy() {
            int m = prepare(0, all, 0, req.length, -1);
            int[] it = items[0];
            long[] lim = limit[0];
            long maxLim = 0;
            for (int k = 0; k < m; k++) {
                maxLim = Math.max(maxLim, lim[k]);
            }
            // the orders (stable sorts, ties in search order): search order (profit first),
            // padding ascending, profit per padding, latest deadline, shortest uplink, downlink
            // cost (at the earliest end) per profit
            int[][] orders = new int[GREEDY_ORDERS][m];
            double[] key = new double[m];
            for (int o = 0; o < GREEDY_ORDERS; o++) {
                for (int k = 0; k < m; k++) {
                    int x = req[it[k]];
                    double pad = f.prompt(x) + f.output(x);
                    orders[o][k] = k;
                    key[k] =
                            switch (o) {
                                case 0 -> k;
                                case 1 -> pad;
                                case 2 -> -pp[it[k]] / pad;
                                case 3 -> -f.deadline(x);
                                case 4 -> f.uplinkMs(x);
                                default -> bandCost[0][k] / pp[it[k]];
                            };
                }
                KeyedSort.sortByKey(orders[o], key, m, sortTmpOrder, sortTmpKey);
            }
            Feasibility.BatchState cur = new Feasibility.BatchState();
            Feasibility.BatchState next = new Feasibility.BatchState();
            int[] members = new int[req.length];
            int eligiblePrev = -1;
            int[] gBatch = null;
            double gVal = 0;
            for (long t = 1; t <= maxLim; t = t < 4 ? t + 1 : t * 2) {
                int eligible = 0;
                for (int k = 0; k < m; k++) {
                    if (lim[k] >= t) {
                        eligible++;
                    }
                }
                if (eligible == eligiblePrev) {
                    continue; // the same candidates, the same batches
                }
                eligiblePrev = eligible;
                for (int[] order : orders) {
                    cur.clear();
                    double v = 0;
                    for (int r = 0; r < m; r++) {
                        int k = order[r];
                        if (lim[k] < t) {
                            continue;
                        }
                        int x = req[it[k]];
                        counters.checks++;
                        if (f.tryAdd(cur, x, members, next, computeCache)) {
                            members[cur.size] = x;
                            Feasibility.BatchState tmp = cur;
                            cur = next;
                            next = tmp;
                            v += pp[it[k]];
                        }
                    }
                    if (v > gVal + tolerance(gVal)) {
                        gVal = v;
                        gBatch = Arrays.copyOf(members, cur.size);
                    }
                }
            }
            if (gBatch != null && useLocalSearch) {
                gBatch = localSearch(gBatch, it, m);
                gVal = 0;
                for (int x : gBatch) {
                    gVal += profit[x];
                }
            }
            if (gBatch != null && gVal > bestValue + tolerance(bestValue)) {
                bestValue = gVal;
                bestBatch = gBatch;
            }
        }

        /** Rounds of improvement the local search after the greedy makes at most. */
        static final int LOCAL_ROUNDS = 30;

        /**
         * Improves a feasible batch (request indices) among the root's candidates (positions
         * it[0..m)): drop one member, then add every candidate outside that still fits, in search
         * order; the first drop that raises the profit is taken, at most LOCAL_ROUNDS times. Every
         * batch is built with {@link Feasibility#tryAdd}, so the result is feasible by the search's
         * own test.
         */
        private int[] localSearch(int[] batch, int[] it, int m) {
            int[] posOf = new int[batch.length];
            boolean[] in = new boolean[req.length];
            int[] cand = new int[m];
            long[] rootLim = new long[m];
            for (int k = 0; k < m; k++) {
                cand[k] = it[k];
                rootLim[k] = limit[0][k];
            }
            // positions of the batch's members
            int size = 0;
            for (int x : batch) {
                for (int k = 0; k < m; k++) {
                    if (req[it[k]] == x) {
                        posOf[size++] = it[k];
                        in[it[k]] = true;
                        break;
                    }
                }
            }
            if (size != batch.length) {
                return batch;
            }
            double val = 0;
            for (int r = 0; r < size; r++) {
                val += pp[posOf[r]];
            }
            // prefix[q]: the state of the batch's first q members (in search order); dropping
            // member r starts from prefix[r] and re-adds the members after it
            Feasibility.BatchState[] prefix = new Feasibility.BatchState[req.length + 1];
            for (int q = 0; q <= req.length; q++) {
                prefix[q] = new Feasibility.BatchState();
            }
            Feasibility.BatchState cur = new Feasibility.BatchState();
            Feasibility.BatchState next = new Feasibility.BatchState();
            int[] members = new int[req.length];
            int[] pos = new int[req.length];
            for (int round = 0; round < LOCAL_ROUNDS; round++) {
                boolean improved = false;
                // drop the least profitable members first (the last in search order)
                Arrays.sort(posOf, 0, size);
                prefix[0].clear();
                boolean ok = true;
                for (int q = 0; q < size && ok; q++) {
                    counters.checks++;
                    ok = f.tryAdd(prefix[q], req[posOf[q]], members, prefix[q + 1], computeCache);
                    members[q] = req[posOf[q]];
                    pos[q] = posOf[q];
                }
                if (!ok) {
                    break; // cannot happen: the batch was built by tryAdd
                }
                for (int r = size - 1; r >= 0 && !improved; r--) {
                    int drop = posOf[r];
                    cur.copyFrom(prefix[r]);
                    double v = 0;
                    for (int q = 0; q < r; q++) {
                        v += pp[posOf[q]];
                    }
                    for (int q = r + 1; q < size && ok; q++) {
                        int y = posOf[q];
                        counters.checks++;
                        if (f.tryAdd(cur, req[y], members, next, computeCache)) {
                            members[cur.size] = req[y];
                            pos[cur.size] = y;
                            Feasibility.BatchState tmp = cur;
                            cur = next;
                            next = tmp;
                            v += pp[y];
                        } else {
                            ok = false;
                        }
                    }
                    if (!ok) {
                        break;
                    }
                    for (int k = 0; k < m; k++) {
                        int y = cand[k];
                        if (in[y] || y == drop || rootLim[k] <= cur.size) {
                            continue; // in, dropped, or its root limit admits no batch this large
                        }
                        counters.checks++;
                        if (f.tryAdd(cur, req[y], members, next, computeCache)) {
                            members[cur.size] = req[y];
                            pos[cur.size] = y;
                            Feasibility.BatchState tmp = cur;
                            cur = next;
                            next = tmp;
                            v += pp[y];
                        }
                    }
                    if (v > val + tolerance(val)) {
                        Arrays.fill(in, false);
                        for (int q = 0; q < cur.size; q++) {
                            in[pos[q]] = true;
                        }
                        size = cur.size;
                        if (posOf.length < size) {
                            posOf = new int[req.length];
                        }
                        System.arraycopy(pos, 0, posOf, 0, size);
                        val = v;
                        improved = true;
                    } else {
                        // members[] and pos[] after r were overwritten: restore the batch order
                        for (int q = r; q < size; q++) {
                            members[q] = req[posOf[q]];
                            pos[q] = posOf[q];
                        }
                    }
                }
                if (!improved) {
                    break;
                }
            }
            int[] out = new int[size];
            for (int q = 0; q < size; q++) {
                out[q] = req[posOf[q]];
            }
            return out;
        }

        /**
         * Fills items/limit/costs of depth d from the candidate positions in[from..to) relative to
         * the batch of depth d (whose last position is last, -1 at the root); drops candidates
         * proven unable to join and those dominated by a request the subtree leaves out. Returns
         * the count.
         */
        private int prepare(int d, int[] in, int from, int to, int last) {
            ensureDepth(d, to - from);
            bandSorted[d] = false;
            upBuilt[d] = false;
            stamp[d] = ++serial;
            long st = stamp[d];
            int[] ko = kOf[d];
            long[] so = stampOf[d];
            Feasibility.BatchState b = state[d];
            int[] it = items[d];
            long[] lim = limit[d];
            double[] band = bandCost[d];
            double[] ends = endOne[d];
            int m = 0;
            double t0 = f.t0();
            double busy = f.busyUntil();
            // The parent's limits: its batch lacks only the member added last, so a candidate's
            // limit here is at most its limit there minus one (padding, uplink and compute end
            // can only grow, the earliest deadline only shrink). Valid only when depth d - 1 was
            // prepared for the parent batch, which the search and boundAt guarantee.
            boolean inherit = d > 0 && inheritLimits;
            int[] pko = inherit ? kOf[d - 1] : null;
            long[] pso = inherit ? stampOf[d - 1] : null;
            long pst = inherit ? stamp[d - 1] : 0;
            long[] plim = inherit ? limit[d - 1] : null;
            // no batch adds more members than the candidates outside it
            long room = req.length - b.size;
            coveredMem = Long.MIN_VALUE;
            for (int k = from; k < to; k++) {
                int y = in[k];
                long cap = Long.MAX_VALUE;
                if (inherit) {
                    if (pso[y] != pst) {
                        continue; // it could not join the parent's batch
                    }
                    cap = plim[pko[y]] - 1;
                    if (cap < 1) {
                        continue;
                    }
                }
                if (last > 0 && dominatedBelow(y, last)) {
                    continue;
                }
                int s = Math.max(b.maxPrompt, pPrompt[y]);
                int n = Math.max(b.maxOutput, pOutput[y]);
                // a candidate within the batch's padding leaves it unchanged: its memory limit and
                // compute times are the node's own, computed once (the same calls, the same values)
                boolean covered = s == b.maxPrompt && n == b.maxOutput;
                long memRoom;
                if (covered) {
                    if (coveredMem == Long.MIN_VALUE) {
                        coveredMem = f.maxBatchForMemory(s, n);
                    }
                    memRoom = coveredMem;
                } else {
                    memRoom = f.maxBatchForMemory(s, n);
                }
                long memLim = Math.min(Math.min(memRoom - b.size, cap), room);
                if (memLim < 1) {
                    continue;
                }
                double dMin = Math.min(b.minDeadline, pDeadline[y]);
                double start = Math.max(t0 + b.uplinkMs + upMs[y], busy);
                double end1 = start + computeAt(b.size, 1, s, n);
                if (!(dMin - end1 > 0)) {
                    continue;
                }
                long l = memLim;
                double endMax = start + computeAt(b.size, (int) memLim, s, n);
                if (!(dMin - endMax > 0)) {
                    l = deadlineLimit(b.size, memLim, s, n, start, dMin, end1, endMax);
                }
                it[m] = y;
                ko[y] = m;
                so[y] = st;
                lim[m] = l;
                band[m] = pDemand[y] * 1000.0 / (pDeadline[y] - end1);
                if (ends != null) {
                    ends[m] = end1;
                }
                m++;
            }
            if (capByUplink && m > 0) {
                m = capByUplink(d, m, b);
            }
            return m;
        }

        /**
         * The largest count t in [1, memLim) of new members, this candidate among them, whose
         * compute still ends before dMin, when t = 1 does and t = memLim does not (end1 and endMax
         * are those two ends); kept out of prepare, which calls it rarely, so that prepare stays
         * small for the JIT.
         */
        private long deadlineLimit(
                int size,
                long memLim,
                int s,
                int n,
                double start,
                double dMin,
                double end1,
                double endMax) {
            // the largest count t in [1, memLim) with dMin - (start + T(size + t)) > 0.
            // T is convex in the batch size (a sum of maxima of linear functions), so
            // the chord from t = 1 to memLim lies above it and the line through sizes
            // size and size + 1 lies below it: they bracket the answer.
            long lo = 1; // feasible count
            long hi = memLim; // infeasible count
            double budgetMs = dMin - start;
            double t1 = end1 - start;
            double tM = endMax - start;
            if (memLim > 2) {
                double slope = (tM - t1) / (memLim - 1);
                long guess = 1 + (long) Math.floor((budgetMs - t1) / slope);
                if (guess > lo && guess < hi) {
                    if (dMin - (start + computeAt(size, (int) guess, s, n)) > 0) {
                        lo = guess;
                    } else {
                        hi = guess;
                    }
                }
                double t0s = computeAt(size, 0, s, n);
                double step = t1 - t0s;
                if (step > 0) {
                    long guess2 = 1 + (long) Math.ceil((budgetMs - t1) / step);
                    if (guess2 > lo && guess2 < hi) {
                        if (dMin - (start + computeAt(size, (int) guess2, s, n)) > 0) {
                            lo = guess2;
                        } else {
                            hi = guess2;
                        }
                    }
                }
            }
            while (hi - lo > 1) {
                long mid = (lo + hi) >>> 1;
                if (dMin - (start + computeAt(size, (int) mid, s, n)) > 0) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /**
         * Caps every limit of depth d at the most members the batch can still take. Any t more
         * members, whichever they are, have uplink times summing to at least the t shortest among
         * the candidates, a padded prompt (output) at least the t-th shortest prompt (output) and
         * an earliest deadline at most the t-th latest deadline: the largest t for which memory and
         * the deadline admit a batch with these order statistics bounds them all (every test only
         * gets harder as t grows: binary search), then the band (bandCap). Returns the count (0
         * when no candidate fits).
         */
        private int capByUplink(int d, int m, Feasibility.BatchState b) {
            if (orders == null) {
                allocateCapScratch();
            }
            // the candidates of this node in each order, filtered from the parent's lists
            if (ordersAll == null) {
                buildOrders();
            }
            boolean fromParent = d > 0 && orderStamp[d - 1] == stamp[d - 1];
            long[] so = stampOf[d];
            long st = stamp[d];
            int count = 0;
            for (int kind = 0; kind < ORDER_KINDS; kind++) {
                int[] src = fromParent ? orders[kind][d - 1] : ordersAll[kind];
                int n = fromParent ? orderCount[d - 1] : ordersAll[kind].length;
                if (orders[kind][d] == null || orders[kind][d].length < n) {
                    orders[kind][d] = new int[Math.max(n, 4)];
                }
                int[] dst = orders[kind][d];
                count = 0;
                for (int r = 0; r < n; r++) {
                    int y = src[r];
                    if (so[y] == st) {
                        dst[count++] = y;
                    }
                }
            }
            orderCount[d] = count;
            orderStamp[d] = st;
            int[] byUp = orders[0][d];
            if (upPrefix[d] == null || upPrefix[d].length < count + 1) {
                upPrefix[d] = new double[count + 1];
            }
            double[] prefix = upPrefix[d];
            prefix[0] = 0;
            for (int r = 0; r < count; r++) {
                prefix[r + 1] = prefix[r] + upMs[byUp[r]];
            }
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (fitsAny(d, b, mid)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (lo > 0 && capByBand) {
                lo = bandCap(d, m, b, lo);
            }
            if (lo == 0) {
                return 0;
            }
            long[] lim = limit[d];
            for (int k = 0; k < m; k++) {
                lim[k] = Math.min(lim[k], lo);
            }
            return m;
        }

        /**
         * The scratch of the limit caps and the band sweep, on their first use (small lists never
         * use it, and GAH searches many of them).
         */
        private void allocateCapScratch() {
            int count = req.length;
            jointCost = new double[count + 2];
            jointProfit = new double[count + 2];
            jointItem = new int[count + 2];
            orders = new int[ORDER_KINDS][count + 1][];
            orderCount = new int[count + 1];
            orderStamp = new long[count + 1];
            upPrefix = new double[count + 1][];
            bandSorted2 = new double[count + 1];
        }

        /** The candidate positions in each order of the limit cap, sorted once per search. */
        private void buildOrders() {
            int count = req.length;
            ordersAll = new int[ORDER_KINDS][];
            double[] orderKey = new double[count];
            for (int kind = 0; kind < ORDER_KINDS; kind++) {
                ordersAll[kind] = identity(count);
                for (int k = 0; k < count; k++) {
                    orderKey[k] =
                            switch (kind) {
                                case 0 -> upMs[k];
                                case 1 -> pPrompt[k];
                                case 2 -> pOutput[k];
                                default -> -pDeadline[k];
                            };
                }
                KeyedSort.sortByKey(
                        ordersAll[kind], orderKey, count, new int[count], new double[count]);
            }
        }

        /** The padded prompt at least t more members give the batch (order statistic). */
        private int promptAt(int d, Feasibility.BatchState b, int t) {
            return Math.max(b.maxPrompt, pPrompt[orders[1][d][t - 1]]);
        }

        private int outputAt(int d, Feasibility.BatchState b, int t) {
            return Math.max(b.maxOutput, pOutput[orders[2][d][t - 1]]);
        }

        /** The earliest compute end t more members can have (they start after all uploads). */
        private double endAt(int d, Feasibility.BatchState b, int t) {
            return Math.max(f.t0() + b.uplinkMs + upPrefix[d][t], f.busyUntil())
                    + compute(b.size + t, promptAt(d, b, t), outputAt(d, b, t));
        }

        /** Whether memory and the earliest deadline admit some t more members (relaxed). */
        private boolean fitsAny(int d, Feasibility.BatchState b, int t) {
            int s = promptAt(d, b, t);
            int n = outputAt(d, b, t);
            if (f.maxBatchForMemory(s, n) - b.size < t) {
                return false;
            }
            double dMin = Math.min(b.minDeadline, pDeadline[orders[3][d][t - 1]]);
            double slack = 1e-9 * Math.max(1.0, Math.abs(dMin));
            return dMin - endAt(d, b, t) > -slack;
        }

        /**
         * (e) For the cardinality sweep of the bound being computed (depth jointD, items with
         * feasPos >= jointC): an upper bound on the profit of t more members, the fractional
         * knapsack of their band costs (each at its earliest end) within what the band leaves at
         * the earliest end of t more members (endAt) once the members already in have their demand;
         * by binary search on prefix sums in the order by cost per profit (built once per bound).
         */
        private double bandJoint(int t) {
            int d = jointD;
            Feasibility.BatchState b = state[d];
            double end = endAt(d, b, t);
            double room = f.downlinkHz();
            for (int k = 0; k < b.size; k++) {
                int i = path[k];
                double left = f.deadline(i) - end;
                if (!(left > 0)) {
                    return 0; // no t more fit: a member would miss its deadline
                }
                room -= f.downlinkDemand(i) * 1000.0 / left;
            }
            // a relative slack absorbs the rounding of this relaxed room
            room += 1e-9 * Math.max(1.0, f.downlinkHz());
            if (room < 0) {
                return 0; // costs are not negative
            }
            if (jointCount < 0) {
                int m = jointM;
                int[] it = items[d];
                int[] fp = feasPos[d];
                double[] cost = bandCost[d];
                int[] order = bandOrderOf(d, m);
                int r = 0;
                jointCost[0] = 0;
                jointProfit[0] = 0;
                for (int q = 0; q < m; q++) {
                    int k = order[q];
                    if (fp[k] >= jointC) {
                        jointCost[r + 1] = jointCost[r] + cost[k];
                        jointProfit[r + 1] = jointProfit[r] + pp[it[k]];
                        jointItem[r + 1] = k;
                        r++;
                    }
                }
                jointCount = r;
            }
            int n = jointCount;
            int lo = 0; // the largest r with jointCost[r] <= room
            int hi = n;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (jointCost[mid] <= room) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            double plain;
            double lambda;
            if (lo == n) {
                plain = jointProfit[n];
                lambda = 0;
            } else {
                int k = jointItem[lo + 1];
                double c = bandCost[d][k];
                plain = jointProfit[lo] + pp[items[d][k]] * (room - jointCost[lo]) / c;
                lambda = pp[items[d][k]] / c;
            }
            return coupledBand && endOne[d] != null
                    ? Math.min(plain, coupledBand(d, t, end, room, lambda))
                    : plain;
        }

        /**
         * The band knapsack of bandJoint coupled with the batch's end: each newcomer's cost is
         * taken at the later of its own earliest end and the earliest end of t more members ({@code
         * end}), and a newcomer whose deadline is not after that end, or whose limit is below t,
         * cannot be one of the t. For any multiplier lambda >= 0, lambda * room + the sum of max(0,
         * p - lambda * cost) bounds the profit of newcomers whose costs fit the room (weak
         * duality). With lambda the multiplier of the knapsack at the own-end costs, which are not
         * larger, the value is at most that knapsack's.
         */
        private double coupledBand(int d, int t, double end, double room, double lambda) {
            int n = jointCount;
            int[] it = items[d];
            long[] lim = limit[d];
            double[] ends = endOne[d];
            double s = lambda * room;
            int count = 0;
            for (int r = 1; r <= n; r++) {
                int k = jointItem[r];
                if (lim[k] < t) {
                    continue;
                }
                int y = it[k];
                double left = pDeadline[y] - Math.max(ends[k], end);
                if (!(left > 0)) {
                    continue;
                }
                count++;
                double gain = pp[y] - lambda * (pDemand[y] * 1000.0 / left);
                if (gain > 0) {
                    s += gain;
                }
            }
            return count < t ? 0 : s; // fewer than t candidates can be among t more members
        }

        /**
         * The most members, at most {@code most}, that the downlink band admits: t more members end
         * no earlier than after the batch's uploads, the t shortest of theirs and T(size + t) at
         * the batch's padding; at that end the members already in need their demand over their time
         * left, and each newcomer at least its band cost at its own earliest end. The largest t
         * whose total fits the band, by binary search (the total grows with t).
         */
        private int bandCap(int d, int m, Feasibility.BatchState b, int most) {
            double[] costs = bandSorted2;
            double slack = 1e-9 * Math.max(1.0, f.downlinkHz());
            int hi = Math.min(most, m);
            // any hi of the costs that fit show that the hi smallest fit: no cap below hi, and
            // no sort needed (with hi == m these are all of them)
            System.arraycopy(bandCost[d], 0, costs, 0, m);
            if (bandFits(d, b, hi, costs, slack)) {
                return hi;
            }
            Arrays.sort(costs, 0, m);
            int lo = 0;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (bandFits(d, b, mid, costs, slack)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        private boolean bandFits(
                int d, Feasibility.BatchState b, int t, double[] sortedCosts, double slack) {
            double end = endAt(d, b, t);
            double need = 0;
            for (int k = 0; k < t; k++) {
                need += sortedCosts[k];
            }
            for (int k = 0; k < b.size; k++) {
                int i = path[k];
                double left = f.deadline(i) - end;
                if (!(left > 0)) {
                    return false;
                }
                need += f.downlinkDemand(i) * 1000.0 / left;
            }
            return need <= f.downlinkHz() + slack;
        }

        /** {@code f.computeMs(size + t, s, n)}, through the compute cache. */
        private double computeAt(int size, int t, int s, int n) {
            return compute(size + t, s, n);
        }

        /** {@code f.computeMs(b, s, n)}, through the compute cache. */
        double compute(int b, int s, int n) {
            return computeCache.computeMs(b, s, n);
        }

        /**
         * Upper bound on the profit that a subset of the items of depth d with feasPos >= c can add
         * to the batch of depth d.
         */
        private double bound(int d, int m, int c) {
            return bound(d, m, c, Double.NEGATIVE_INFINITY);
        }

        /**
         * The same, but it may stop as soon as the bound it has is at most {@code enough} (and
         * return that bound): callers that only compare it with a threshold skip the dearer parts.
         */
        private double bound(int d, int m, int c, double enough) {
            counters.bounds++;
            int[] it = items[d];
            int[] fp = feasPos[d];
            long[] lim = limit[d];
            double[] bc = bandCost[d];
            double sum = 0;
            long minLim = Long.MAX_VALUE;
            int count = 0;
            double bandSum = 0;
            double upSum = 0;
            double[] pj = cardProfit;
            int[] tl = cardLimit;
            for (int k = 0; k < m; k++) {
                if (fp[k] < c) {
                    continue;
                }
                int y = it[k];
                double p = pp[y];
                long l = lim[k];
                sum += p;
                minLim = Math.min(minLim, l);
                bandSum += bc[k];
                upSum += upMs[y];
                // the cardinality bound's input, gathered in the same pass
                pj[count] = p;
                tl[count++] = (int) Math.min(l, Integer.MAX_VALUE);
            }
            if (count == 0) {
                return 0;
            }
            double ub = round(sum);
            if (ub <= enough) {
                return ub;
            }
            // (a) cardinality: a batch that adds t of them has every member's limit >= t, so it
            // adds at most the best t profits among the items whose limit admits t; joint with
            // the band (e) when all of them would not fit the band at the earliest end
            Feasibility.BatchState b = state[d];
            boolean joint =
                    bandInSweep
                            && bandSum > f.downlinkHz() - b.downlinkNeed
                            && orderStamp != null // the caps ran (their orders exist)
                            && orderStamp[d] == stamp[d];
            if (minLim < count || joint) {
                jointD = d;
                jointC = c;
                jointM = m;
                jointCount = -1;
                ub = Math.min(ub, round(cardinality(count, enough, joint ? bandJoint : null)));
                if (ub <= enough) {
                    return ub;
                }
            }
            // (c) uplink time before the earliest deadline
            double upCap;
            if (b.size > 0) {
                double compute = compute(b.size, b.maxPrompt, b.maxOutput);
                upCap = b.minDeadline - f.t0() - b.uplinkMs - compute;
            } else {
                upCap = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < m; k++) {
                    if (fp[k] >= c) {
                        int x = req[it[k]];
                        upCap =
                                Math.max(
                                        upCap,
                                        f.deadline(x)
                                                - f.t0()
                                                - compute(1, f.prompt(x), f.output(x)));
                    }
                }
            }
            if (upSum > upCap) {
                ub = Math.min(ub, round(uplinkKnapsack(d, c, upCap)));
                if (ub <= enough) {
                    return ub;
                }
            }
            // (b) downlink band
            double bandCap = f.downlinkHz() - b.downlinkNeed;
            if (bandSum > bandCap) {
                ub = Math.min(ub, round(knapsack(d, m, c, bc, bandCap, bandOrder[d])));
                if (ub <= enough) {
                    return ub;
                }
            }
            return ub;
        }

        /** With integral profits a bound rounds down. */
        private double round(double ub) {
            return integral ? Math.floor(ub + 1e-9) : ub;
        }

        /**
         * The cardinality bound of the count items that bound() gathered into cardProfit and
         * cardLimit.
         */
        private double cardinality(int count, double enough, IntToDoubleFunction cap) {
            return maxTopProfits(
                    cardProfit,
                    cardLimit,
                    count,
                    enough,
                    cap,
                    bucketHead,
                    bucketNext,
                    cardPrefix,
                    cardSel);
        }

        /**
         * max over t of the sum of the t largest profits among the items whose limit is at least t,
         * for items {@code 0..count)} whose profits {@code p} do not increase (search order) and
         * whose limits {@code lim} are not negative (a limit above count counts as count): the t
         * largest of a set are then its first t. t runs down from the largest limit; the items
         * whose limit is t join the eligible set, and a bitset keeps the first t eligible items
         * (the last selected one leaves when t drops or an earlier one joins), O(count) word
         * operations in all. Stops early when no smaller t can beat the best so far (the first t -
         * 1 profits bound every smaller t), or when both are at most {@code enough}; the value
         * returned is then still an upper bound. The other arrays are scratch: head count + 1, next
         * count, pre count + 1, sel (count + 63) / 64 long.
         */
        static double maxTopProfits(
                double[] p,
                int[] lim,
                int count,
                double enough,
                IntToDoubleFunction cap,
                int[] head,
                int[] next,
                double[] pre,
                long[] sel) {
            Arrays.fill(head, 0, count + 1, -1);
            int top = 0;
            double run = 0;
            pre[0] = 0;
            for (int j = 0; j < count; j++) {
                int t = Math.min(lim[j], count);
                next[j] = head[t];
                head[t] = j;
                top = Math.max(top, t);
                run += p[j];
                pre[j + 1] = run;
            }
            Arrays.fill(sel, 0, (count + 63) >>> 6, 0L);
            int selCount = 0;
            int hi = -1; // the last selected index
            double sum = 0;
            double best = 0;
            for (int t = top; t >= 1; t--) {
                while (selCount > t) {
                    sel[hi >>> 6] &= ~(1L << hi);
                    sum -= p[hi];
                    selCount--;
                    hi = highest(sel, hi);
                }
                for (int q = head[t]; q >= 0; q = next[q]) {
                    if (selCount < t) {
                        sel[q >>> 6] |= 1L << q;
                        sum += p[q];
                        selCount++;
                        hi = Math.max(hi, q);
                    } else if (q < hi) {
                        sel[q >>> 6] |= 1L << q;
                        sel[hi >>> 6] &= ~(1L << hi);
                        sum += p[q] - p[hi];
                        hi = highest(sel, hi);
                    }
                }
                double g = sum;
                if (cap != null && g > best && g > enough) {
                    g = Math.min(g, cap.applyAsDouble(t));
                }
                best = Math.max(best, g);
                double rest = pre[t - 1];
                if (rest <= best || (best <= enough && rest <= enough)) {
                    return Math.max(best, rest);
                }
            }
            return best;
        }

        /** The highest set bit of the bitset at or below {@code from}, or -1. */
        private static int highest(long[] bits, int from) {
            for (int w = from >>> 6; w >= 0; w--) {
                if (bits[w] != 0) {
                    return (w << 6) + 63 - Long.numberOfLeadingZeros(bits[w]);
                }
            }
            return -1;
        }

        /**
         * Fractional knapsack on uplink time: the costs do not depend on the batch, so the items
         * are taken in the search's fixed order by uplink time per profit.
         */
        private double uplinkKnapsack(int d, int c, double cap) {
            int[] fp = feasPos[d];
            int[] ko = kOf[d];
            int[] order = upOrder(d);
            int n = upCount[d];
            double s = 0;
            if (cap <= 0) {
                // only free items fit
                for (int r = 0; r < n; r++) {
                    int y = order[r];
                    if (fp[ko[y]] >= c && f.uplinkMs(req[y]) <= 0) {
                        s += pp[y];
                    }
                }
                return s;
            }
            double left = cap;
            for (int r = 0; r < n; r++) {
                int y = order[r];
                int k = ko[y];
                if (fp[k] < c) {
                    continue;
                }
                double p = pp[y];
                double cost = f.uplinkMs(req[y]);
                if (cost <= left) {
                    left -= cost;
                    s += p;
                } else {
                    s += p * left / cost;
                    break;
                }
            }
            return s;
        }

        /**
         * The items of depth d in the fixed order by uplink time per profit, filtered once per node
         * from the parent's list (a superset) or, at the root, from the whole order.
         */
        private int[] upOrder(int d) {
            if (!upBuilt[d]) {
                int[] src = upByRatio;
                int n = upByRatio.length;
                if (d > 0 && upBuilt[d - 1]) {
                    src = upOrder[d - 1];
                    n = upCount[d - 1];
                }
                if (upOrder[d] == null || upOrder[d].length < n) {
                    upOrder[d] = new int[Math.max(n, 4)];
                }
                int[] dst = upOrder[d];
                long[] so = stampOf[d];
                long st = stamp[d];
                int count = 0;
                for (int r = 0; r < n; r++) {
                    int y = src[r];
                    if (so[y] == st) {
                        dst[count++] = y;
                    }
                }
                upCount[d] = count;
                upBuilt[d] = true;
            }
            return upOrder[d];
        }

        /** The order by band cost per profit of every item of depth d, sorted once per node. */
        private int[] bandOrderOf(int d, int m) {
            int[] order = bandOrder[d];
            if (!bandSorted[d]) {
                int[] it = items[d];
                double[] cost = bandCost[d];
                double[] key = sortKey[d];
                for (int k = 0; k < m; k++) {
                    order[k] = k;
                    key[k] = cost[k] / pp[it[k]];
                }
                KeyedSort.sortByKey(order, key, m, sortTmpOrder, sortTmpKey);
                bandSorted[d] = true;
            }
            return order;
        }

        /** Fractional knapsack on the downlink band: capacity cap, item costs cost[k]. */
        private double knapsack(int d, int m, int c, double[] cost, double cap, int[] order) {
            if (cap <= 0) {
                // only free items fit
                double s = 0;
                for (int k = 0; k < m; k++) {
                    if (feasPos[d][k] >= c && cost[k] <= 0) {
                        s += pp[items[d][k]];
                    }
                }
                return s;
            }
            int[] it = items[d];
            int[] fp = feasPos[d];
            bandOrderOf(d, m);
            double s = 0;
            double left = cap;
            for (int r = 0; r < m; r++) {
                int k = order[r];
                if (fp[k] < c) {
                    continue;
                }
                double p = pp[it[k]];
                if (cost[k] <= left) {
                    left -= cost[k];
                    s += p;
                } else {
                    s += p * left / cost[k];
                    break;
                }
            }
            return s;
        }

        /**
         * The smallest index r in [lo, hi] with value + bound(key(r)) not better than the
         * incumbent, where the bound shrinks as r grows and r = hi is known to qualify. key(r) is r
         * itself, or the feasPos of the r-th feasible child when feas is given.
         */
        private int cut(int d, int m, int lo, int hi, int[] feas, int keyEnd) {
            if (lo < hi && req.length >= GREEDY_MIN) {
                // on long lists most often the whole range is cut: one bound settles it (on short
                // ones the binary search's first bounds are cheap and this one would mostly be
                // an extra bound)
                int c = feas == null ? lo : feasPos[d][feas[lo]];
                double enough = bestValue + tolerance(bestValue) - value;
                if (bound(d, m, c, enough) <= enough) {
                    return lo;
                }
                lo++;
            }
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                int c = feas == null ? mid : feasPos[d][feas[mid]];
                double enough = bestValue + tolerance(bestValue) - value;
                if (bound(d, m, c, enough) <= enough) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        private void expand(int d, int[] in, int from, int to, int last) {
            if (d == 0) {
                counters.nodes++; // the root
            }
            if (counters.spent()) {
                return;
            }
            int m = prepare(d, in, from, to, last);
            if (m == 0) {
                return;
            }
            int[] it = items[d];
            int[] fp = feasPos[d];
            for (int k = 0; k < m; k++) {
                fp[k] = k; // before checks: the suffix from k
            }
            int[] feas = feasible[d];
            Feasibility.BatchState[] cs = childState[d];
            int fm = 0;
            int cut = cut(d, m, 0, m, null, 0);
            int k = 0;
            for (; k < cut; k++) {
                int y = it[k];
                if (dominatedBelow(y, y)) {
                    continue; // passed down unchecked: a later child may hold its dominator
                }
                int x = req[y];
                counters.checks++;
                if (cs[fm] == null) {
                    cs[fm] = new Feasibility.BatchState();
                }
                if (f.tryAdd(state[d], x, path, cs[fm], checkCache)) {
                    counters.nodes++;
                    feas[fm++] = k;
                    double v = value + pp[y];
                    if (v > bestValue + tolerance(bestValue)) {
                        bestValue = v;
                        bestBatch = Arrays.copyOf(path, d + 1);
                        bestBatch[d] = x;
                        cut = cut(d, m, k + 1, cut, null, 0);
                    }
                } else {
                    fp[k] = -2; // proven infeasible
                }
            }
            // Candidates passed down: every index not proven infeasible (feasible children, the
            // dominated ones and the ones the bound spared from a check), in order. feasPos =
            // index in that list.
            int[] childItems = feasItems[d];
            int pass = 0;
            for (int r = 0; r < m; r++) {
                if (fp[r] != -2) {
                    fp[r] = pass;
                    childItems[pass++] = it[r];
                } else {
                    fp[r] = -1;
                }
            }
            int cut2 = cut(d, m, 0, fm, feas, 0);
            for (int r = 0; r < cut2; r++) {
                int c = fp[feas[r]];
                if (c + 1 >= pass) {
                    continue; // a leaf: already counted at its check
                }
                int y = it[feas[r]];
                int x = req[y];
                path[d] = x;
                inPath[y >>> 6] |= 1L << y;
                Feasibility.BatchState saved = state[d + 1];
                state[d + 1] = cs[r];
                double before = value;
                double inc = bestValue;
                value += pp[y];
                expand(d + 1, childItems, c + 1, pass, y);
                value = before;
                state[d + 1] = saved;
                inPath[y >>> 6] &= ~(1L << y);
                if (counters.aborted) {
                    return;
                }
                if (bestValue != inc) {
                    cut2 = cut(d, m, r + 1, cut2, feas, 0);
                }
                // the child's expansion reused depth d+1 scratch only; ours is intact
            }
        }
    }
}
