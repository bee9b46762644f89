package org.edgellm.scheduler;

/**
 * How compute time is predicted: {@link #ROOFLINE} takes the max of the FLOP time and the memory
 * traffic time of every phase; {@link #FLOPS} (the paper's view) keeps the FLOP time only.
 */
public enum ComputeModel {
    ROOFLINE("roofline"),
    FLOPS("flops");

    private final String wire;

    ComputeModel(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Parses the JSON spelling; returns null when unknown. */
    public static ComputeModel fromWire(String s) {
        for (ComputeModel c : values()) {
            if (c.wire.equals(s)) {
                return c;
            }
        }
        return null;
    }
}
