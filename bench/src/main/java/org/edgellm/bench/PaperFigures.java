package org.edgellm.bench;

import java.util.ArrayList;
import java.util.List;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.Objective;

/**
 * The catalogue of {@code bench.jar paper}: which figures, in which order, on which x values and
 * seeds (figure i runs with seed + i), in the full and the quick version.
 */
final class PaperFigures {

    private PaperFigures() {}

    /**
     * Runs every figure.
     *
     * @param n random instances per point (some figures use fewer with {@code quick})
     */
    static List<PaperFigure> all(int n, long seed, boolean quick) {
        List<PaperFigure> figs = new ArrayList<>();
        int[] users = quick ? new int[] {5, 10} : new int[] {5, 10, 15, 20, 25, 30, 40, 50, 60};
        figs.add(
                PaperSweeps.singleNode(
                        "fig1-requests",
                        "Served requests on one node",
                        Objective.REQUESTS,
                        ComputeModel.ROOFLINE,
                        users,
                        n,
                        seed,
                        quick));
        figs.add(
                PaperSweeps.singleNode(
                        "fig1-tokens",
                        "Served output tokens on one node",
                        Objective.TOKENS,
                        ComputeModel.ROOFLINE,
                        users,
                        n,
                        seed + 1,
                        quick));
        figs.add(
                PaperSweeps.singleNode(
                        "fig6-flops",
                        "Served requests on one node, FLOPs-only compute model (the paper's)",
                        Objective.REQUESTS,
                        ComputeModel.FLOPS,
                        users,
                        n,
                        seed + 2,
                        quick));
        figs.add(
                PaperSweeps.sweep(
                        "fig2-variant",
                        "Served requests by the resident quantized variant (N = 30)",
                        "variant (0 fp16, 1 w8a8, 2 w4a16, 3 w4a16-kv8)",
                        quick ? new double[] {0, 2} : new double[] {0, 1, 2, 3},
                        n,
                        seed + 3,
                        (inst, x) ->
                                PaperInstances.withVariant(
                                        inst, PaperInstances.VARIANTS[(int) (double) x]),
                        "Quantization frees memory and bandwidth (w4a16) but a request whose tolerance is below the variant's perplexity increase cannot use it: with tolerances drawn from {0, 0.1, 0.5, 1, 2}, 20% of requests accept only fp16 and 40% reject w4a16-kv8."));
        figs.add(
                PaperSweeps.sweep(
                        "fig2-memory",
                        "Served requests against GPU memory (N = 30)",
                        "GPU memory (GB)",
                        quick ? new double[] {24, 48} : new double[] {16, 24, 32, 40, 48, 64, 80},
                        n,
                        seed + 4,
                        (inst, x) -> PaperInstances.withMemory(inst, x * 1e9),
                        null));
        figs.add(
                PaperSweeps.sweep(
                        "fig2-uplink",
                        "Served requests against the uplink band (N = 30)",
                        "uplink band (MHz)",
                        quick
                                ? new double[] {0.1, 10}
                                : new double[] {0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20},
                        n,
                        seed + 5,
                        (inst, x) -> PaperInstances.withUplink(inst, x * 1e6),
                        null));
        figs.add(
                PaperSweeps.sweep(
                        "fig2-budget",
                        "Served requests against the latency budget (N = 30)",
                        "latency budget (s)",
                        quick ? new double[] {4, 16} : new double[] {2, 4, 6, 8, 10, 15, 20, 30},
                        n,
                        seed + 6,
                        PaperInstances::withBudget,
                        null));
        figs.addAll(
                PaperSweeps.otVsBruteForce(
                        quick ? new int[] {8, 10} : new int[] {8, 10, 12, 14, 16, 18, 20, 22},
                        quick ? 3 : n,
                        seed + 7));
        figs.add(
                PaperSweeps.multiNodeRatio(
                        quick ? new int[] {2, 3} : new int[] {2, 3, 4, 5, 6, 8},
                        n,
                        seed + 8,
                        quick));
        figs.add(
                PaperSweeps.multiNodeScale(
                        quick ? new int[] {10, 20} : new int[] {10, 25, 50, 100, 150, 200},
                        quick ? 2 : n,
                        seed + 9));
        return figs;
    }
}
