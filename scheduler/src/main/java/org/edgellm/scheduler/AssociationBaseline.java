package org.edgellm.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Association baselines for several nodes: each request is first tied to one node, then OT picks
 * the best batch on every node among the requests tied to it.
 *
 * <ul>
 *   <li>{@code best-channel}: the node with the best downlink spectral efficiency (ties: uplink,
 *       then instance order), as a cell-association rule would.
 *   <li>{@code round-robin}: arrival order, dealt to the nodes in turn, skipping nodes without a
 *       channel to the user, as a load-balancing router would.
 * </ul>
 */
public final class AssociationBaseline implements Scheduler {

    private final boolean bestChannel;

    public AssociationBaseline(boolean bestChannel) {
        this.bestChannel = bestChannel;
    }

    @Override
    public String name() {
        return bestChannel ? "best-channel" : "round-robin";
    }

    @Override
    public Schedule solve(Instance instance, SearchBudget budget) {
        long t = System.nanoTime();
        int nodes = instance.nodes().size();
        List<List<Integer>> tied = new ArrayList<>();
        for (int j = 0; j < nodes; j++) {
            tied.add(new ArrayList<>());
        }
        List<Integer> byArrival = new ArrayList<>();
        for (int i = 0; i < instance.requests().size(); i++) {
            byArrival.add(i);
        }
        byArrival.sort(
                (a, b) -> {
                    int c =
                            Double.compare(
                                    instance.requests().get(a).arrival(),
                                    instance.requests().get(b).arrival());
                    return c != 0 ? c : Integer.compare(a, b);
                });
        int next = 0;
        for (int i : byArrival) {
            Request r = instance.requests().get(i);
            int pick = -1;
            if (bestChannel) {
                double bestD = -1;
                double bestU = -1;
                for (int j = 0; j < nodes; j++) {
                    Channel c = r.channels().get(instance.nodes().get(j).id());
                    if (c == null) {
                        continue;
                    }
                    if (c.downlinkSpectralEfficiency() > bestD
                            || (c.downlinkSpectralEfficiency() == bestD
                                    && c.uplinkSpectralEfficiency() > bestU)) {
                        bestD = c.downlinkSpectralEfficiency();
                        bestU = c.uplinkSpectralEfficiency();
                        pick = j;
                    }
                }
            } else {
                for (int step = 0; step < nodes; step++) {
                    int j = (next + step) % nodes;
                    if (r.channels().containsKey(instance.nodes().get(j).id())) {
                        pick = j;
                        next = (j + 1) % nodes;
                        break;
                    }
                }
            }
            if (pick >= 0) {
                tied.get(pick).add(i);
            }
        }
        double[] profit = instance.profits();
        Assignment a = new Assignment(instance);
        for (int j = 0; j < nodes; j++) {
            int[] cand = tied.get(j).stream().mapToInt(Integer::intValue).toArray();
            NodeSolution s =
                    OptimalTreeSearch.solve(
                            instance, instance.nodes().get(j), cand, profit, budget);
            a.count(s);
            a.set(j, s.variant(), s.batch());
        }
        return a.toSchedule(name(), (System.nanoTime() - t) / 1000, null, false);
    }
}
