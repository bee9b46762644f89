package org.edgellm.job.replay;

import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.ModelSpec;
import org.edgellm.scheduler.Variant;

/**
 * A batch's compute time split into a part paid once per decode step, whatever the batch's size,
 * and a part that each member pays at its own lengths (docs/upper-bound.md, step (c)).
 *
 * <p>For a batch of {@code b} sequences padded to {@code s} prompt and {@code n} output tokens on
 * one node and variant, {@code T^C(b, s, n) >= n * stepMs() + b * ownMs(s, n)}, and {@code ownMs}
 * grows with {@code s} and {@code n}; so a batch costs at least {@code stepMs()} times its longest
 * output plus the sum of its members' {@code ownMs} at their own lengths. With the roofline model a
 * decode step costs {@code max(FLOPs, memory) >= memory = weights / W + b * (KV read per sequence)
 * / W}: the weights are read once per step; the prefill costs {@code max(FLOPs, memory) >= max(b *
 * FLOP part, b * KV-write part)}, both proportional to {@code b}. With the FLOPs-only model every
 * term is proportional to {@code b}: nothing is fixed. The coefficients are those of {@code
 * org.edgellm.scheduler.Feasibility}.
 *
 * @param stepMs the time per decode step that does not depend on the batch size, in ms
 * @param prefillFlopsMs per-sequence prefill FLOP time per prompt token (times {@code s}), ms
 * @param prefillQuadMs per-sequence prefill FLOP time per squared prompt token, ms
 * @param kvMs per-sequence memory time per prompt token written at prefill, and per context token
 *     read at each decode step, ms
 * @param decodeFlopsMs per-sequence FLOP time per decode step (FLOPs-only model), ms
 * @param attentionFlopsMs per-sequence FLOP time per context token per decode step (FLOPs-only
 *     model), ms
 * @param flopsOnly whether the FLOPs-only model applies
 */
record FixedPart(
        double stepMs,
        double prefillFlopsMs,
        double prefillQuadMs,
        double kvMs,
        double decodeFlopsMs,
        double attentionFlopsMs,
        boolean flopsOnly) {

    static FixedPart of(ModelSpec m, ComputeModel model, EdgeNode node, Variant variant) {
        double l = m.layers();
        double h = m.hidden();
        double kv = m.kvBytesPerToken(variant) / (2.0 * l * h);
        double flops = node.efficiency() * node.peakFlops(variant.activationBits());
        double bandwidth = node.memoryBandwidth();
        boolean flopsOnly = model == ComputeModel.FLOPS;
        return new FixedPart(
                flopsOnly ? 0.0 : m.weightBytes(variant) / bandwidth * 1000.0,
                l * 24.0 * h * h / flops * 1000.0,
                l * 4.0 * h / flops * 1000.0,
                2.0 * l * h * kv / bandwidth * 1000.0,
                l * 24.0 * h * h / flops * 1000.0,
                l * 4.0 * h / flops * 1000.0,
                flopsOnly);
    }

    /** The per-sequence part at a sequence's own prompt s and output n, in ms. */
    double ownMs(int s, int n) {
        double prefill = prefillFlopsMs * s + prefillQuadMs * (double) s * s;
        double steps = (double) n * s + (double) n * (n + 1) / 2.0; // sum of contexts s+1..s+n
        if (flopsOnly) {
            return prefill + decodeFlopsMs * n + attentionFlopsMs * steps;
        }
        return Math.max(prefill, kvMs * s) + kvMs * steps;
    }
}
