package org.edgellm.scheduler;

/**
 * A quantized variant of the model resident on an edge node (spec section 1).
 *
 * @param name identifier, e.g. {@code w4a16}
 * @param weightBits bits per weight
 * @param activationBits activation precision, one of 4, 8 or 16: selects the node's peak FLOP/s
 * @param kvBits bits per KV-cache element
 * @param pplIncrease measured perplexity increase over the full-precision model
 */
public record Variant(
        String name, int weightBits, int activationBits, int kvBits, double pplIncrease) {}
