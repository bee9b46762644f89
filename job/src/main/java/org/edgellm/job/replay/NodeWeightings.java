package org.edgellm.job.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The node weightings under which {@link WindowSweep} charges a window's requests against its node
 * time (docs/upper-bound.md, Lemma 3 and "Node subsets as weightings").
 */
final class NodeWeightings {

    private NodeWeightings() {}

    /** Largest node count for which the one-node and all-but-one weightings are tried. */
    static final int SUBSETS_UP_TO = 8;

    /**
     * The node weightings tried (Lemma 3 holds for any weights >= 0): all nodes at 1; each node at
     * the largest median charge over its own median charge (a slow node's time counts less); and,
     * up to {@value #SUBSETS_UP_TO} nodes, each node alone and all nodes but one at 1. A node of
     * weight 0 adds no node time and charges nothing for the requests it can serve, so a one-node
     * weighting bounds the requests that only that node can serve by that node's time (on the Azure
     * hour: the interactive requests with long answers, which only edge-a's fp16 serves within
     * their deadline).
     */
    static double[][] of(int nodes, double[][] charge) {
        List<double[]> ws = new ArrayList<>();
        double[] ones = new double[nodes];
        Arrays.fill(ones, 1.0);
        ws.add(ones);
        double[] median = new double[nodes];
        double maxMedian = 0;
        for (int j = 0; j < nodes; j++) {
            double[] finite =
                    Arrays.stream(charge[j]).filter(x -> x < Double.POSITIVE_INFINITY).toArray();
            if (finite.length > 0) {
                Arrays.sort(finite);
                median[j] = finite[finite.length / 2];
                maxMedian = Math.max(maxMedian, median[j]);
            }
        }
        double[] byMedian = new double[nodes];
        for (int j = 0; j < nodes; j++) {
            byMedian[j] = median[j] > 0 ? maxMedian / median[j] : 0;
        }
        ws.add(byMedian);
        if (nodes >= 2 && nodes <= SUBSETS_UP_TO) {
            for (int j = 0; j < nodes; j++) {
                double[] alone = new double[nodes];
                alone[j] = 1.0;
                ws.add(alone);
                if (nodes >= 3) {
                    double[] allBut = ones.clone();
                    allBut[j] = 0;
                    ws.add(allBut);
                }
            }
        }
        return ws.toArray(new double[0][]);
    }
}
