package org.edgellm.scheduler;

/**
 * The decoder-only transformer architecture shared by all variants (spec section 1).
 *
 * @param layers L
 * @param hidden h
 * @param vocab V
 */
public record ModelSpec(int layers, int hidden, int vocab) {

    /** Weight bytes of a variant: (12 L h^2 + V h) * weightBits / 8. */
    public double weightBytes(Variant v) {
        double h = hidden;
        return (12.0 * layers * h * h + (double) vocab * h) * v.weightBits() / 8.0;
    }

    /** KV-cache bytes of one sequence position under a variant: 2 L h kvBits / 8. */
    public double kvBytesPerToken(Variant v) {
        return 2.0 * layers * hidden * (v.kvBits() / 8.0);
    }
}
