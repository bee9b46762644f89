package org.edgellm.scheduler;

/** What a slot maximises: served requests (weighted) or served output tokens (weighted). */
public enum Objective {
    REQUESTS("requests"),
    TOKENS("tokens");

    private final String wire;

    Objective(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Parses the JSON spelling; returns null when unknown. */
    public static Objective fromWire(String s) {
        for (Objective o : values()) {
            if (o.wire.equals(s)) {
                return o;
            }
        }
        return null;
    }
}
