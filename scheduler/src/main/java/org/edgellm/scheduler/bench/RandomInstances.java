package org.edgellm.scheduler.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.edgellm.scheduler.Channel;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.ModelSpec;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;

/**
 * Seeded random instances of every constraint profile, built like the conformance generator:
 * datasheet GPUs (L4, A10, A100-40GB), the Llama-2-7B and a 1B architecture, measured-style
 * perplexity increases of fp16/w8a8/w4a16/w4a16-kv8, SNRs of -5..30 dB through Shannon's formula.
 *
 * <p>Profiles: {@code balanced}; {@code memory} (GPU memory scaled to 62-75%); {@code band}
 * (narrowband cells); {@code deadline} (budgets scaled to 35-60%); {@code accuracy} (strict
 * perplexity tolerances, so C1 binds).
 */
public final class RandomInstances {

    public static final List<String> PROFILES =
            List.of("balanced", "memory", "band", "deadline", "accuracy");

    public static final Variant FP16 = new Variant("fp16", 16, 16, 16, 0.0);
    public static final Variant W8A8 = new Variant("w8a8", 8, 8, 16, 0.05);
    public static final Variant W4A16 = new Variant("w4a16", 4, 16, 16, 0.31);
    public static final Variant W4A16_KV8 = new Variant("w4a16-kv8", 4, 16, 8, 0.45);

    public static final ModelSpec LLAMA2_7B = new ModelSpec(32, 4096, 32000);
    public static final ModelSpec SMALL_1B = new ModelSpec(22, 2048, 32000);

    private RandomInstances() {}

    /** Settings of one random instance. */
    public record Spec(
            int requests,
            int nodes,
            double tight,
            Objective objective,
            ComputeModel computeModel,
            ModelSpec model,
            String profile) {}

    public static Spec randomSpec(Random rnd, int requests, int nodes) {
        return new Spec(
                requests,
                nodes,
                1.0,
                rnd.nextBoolean() ? Objective.REQUESTS : Objective.TOKENS,
                rnd.nextBoolean() ? ComputeModel.ROOFLINE : ComputeModel.FLOPS,
                rnd.nextInt(3) == 0 ? SMALL_1B : LLAMA2_7B,
                PROFILES.get(rnd.nextInt(PROFILES.size())));
    }

    public static Instance generate(Random rnd, Spec spec) {
        String profile = spec.profile();
        double memScale = profile.equals("memory") ? uniform(rnd, 0.62, 0.75) : 1.0;
        double bandScale = profile.equals("band") ? uniform(rnd, 0.003, 0.012) : 1.0;
        double dlScale = profile.equals("deadline") ? uniform(rnd, 0.35, 0.6) : 1.0;
        double tight = spec.tight();
        List<EdgeNode> nodes = new ArrayList<>();
        for (int j = 0; j < spec.nodes(); j++) {
            int g = rnd.nextInt(3);
            double mem = g == 2 ? 40e9 : 24e9;
            double bw = g == 0 ? 300e9 : g == 1 ? 600e9 : 1555e9;
            double p16 = g == 0 ? 121e12 : g == 1 ? 125e12 : 312e12;
            double p8 = g == 0 ? 242e12 : g == 1 ? 250e12 : 624e12;
            double p4 = g == 0 ? 242e12 : g == 1 ? 500e12 : 1248e12;
            List<Variant> vs;
            if (spec.model() != LLAMA2_7B) {
                vs =
                        pick(
                                rnd,
                                List.of(
                                        List.of(FP16, W8A8, W4A16),
                                        List.of(FP16),
                                        List.of(W8A8, W4A16_KV8)));
            } else if (mem < 30e9) {
                vs =
                        pick(
                                rnd,
                                List.of(
                                        List.of(W8A8, W4A16),
                                        List.of(W4A16),
                                        List.of(W4A16, W4A16_KV8),
                                        List.of(W8A8)));
            } else {
                vs =
                        pick(
                                rnd,
                                List.of(
                                        List.of(FP16, W4A16),
                                        List.of(FP16, W8A8),
                                        List.of(W8A8, W4A16),
                                        List.of(FP16)));
            }
            double eff = pick(rnd, List.of(0.4, 0.5, 0.6));
            double up = pick(rnd, List.of(5e6, 10e6, 20e6)) * tight * bandScale;
            double down =
                    pick(rnd, List.of(10e6, 20e6, 40e6))
                            * tight
                            * bandScale
                            * (profile.equals("band") ? 0.08 : 1.0);
            double busy = rnd.nextInt(3) == 2 ? uniform(rnd, 0, 3000) : 0.0;
            nodes.add(
                    new EdgeNode(
                            "edge-" + (j + 1),
                            mem * tight * memScale,
                            1e9,
                            bw,
                            p16,
                            p8,
                            p4,
                            eff,
                            up,
                            down,
                            busy,
                            vs));
        }
        List<Request> reqs = new ArrayList<>();
        for (int i = 0; i < spec.requests(); i++) {
            int s =
                    switch (rnd.nextInt(3)) {
                        case 0 -> 16 + rnd.nextInt(385);
                        case 1 -> 400 + rnd.nextInt(1601);
                        default -> 50 + rnd.nextInt(1151);
                    };
            int n =
                    switch (rnd.nextInt(3)) {
                        case 0 -> 8 + rnd.nextInt(93);
                        case 1 -> 100 + rnd.nextInt(351);
                        default -> 20 + rnd.nextInt(231);
                    };
            double arrival = -uniform(rnd, 0, 2000);
            Map<String, Channel> chans = new LinkedHashMap<>();
            for (EdgeNode nd : nodes) {
                if (rnd.nextDouble() < (spec.nodes() == 1 ? 0.95 : 0.8)) {
                    double snr = uniform(rnd, -5, 30);
                    double seU = log2(1 + Math.pow(10, snr / 10));
                    double seD = log2(1 + Math.pow(10, (snr + uniform(rnd, 0, 8)) / 10));
                    chans.put(
                            nd.id(),
                            new Channel(Math.round(seU * 1e4) / 1e4, Math.round(seD * 1e4) / 1e4));
                }
            }
            double ppl =
                    profile.equals("accuracy")
                            ? pick(rnd, List.of(0.0, 0.02, 0.06, 0.1, 0.35, 0.5))
                            : pick(rnd, List.of(0.0, 0.1, 0.5, 1.0, 2.0));
            double deadline = uniform(rnd, 2000, 25000) * dlScale / tight;
            double weight = pick(rnd, List.of(1.0, 1.0, 1.0, 2.0, 3.0));
            double uplinkBytes =
                    rnd.nextDouble() < 0.2 ? 10_000 + rnd.nextInt(1_990_001) : Double.NaN;
            reqs.add(
                    new Request("r" + i, arrival, s, n, deadline, ppl, weight, uplinkBytes, chans));
        }
        return new Instance(
                0.0, spec.objective(), spec.computeModel(), 32, spec.model(), nodes, reqs);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static double uniform(Random rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }

    private static <T> T pick(Random rnd, List<T> xs) {
        return xs.get(rnd.nextInt(xs.size()));
    }
}
