package org.edgellm.job.replay;

import java.util.Locale;

/**
 * Fills the gaps of a radio trace: runs of seconds without a measurement. A gap is as long as the
 * time between the measurements on either side of it (a missing second between two measurements is
 * a 2 s gap). A gap up to {@code maxMs} long is filled with the measurement before it ({@code
 * hold}) or with values on the straight line, in dB, between the measurements on either side
 * ({@code interpolate}); a longer gap is left empty, so the channel ages and its users' requests
 * may be rejected as NO_CHANNEL, as without filling. The trace is taken as a loop (the import
 * replays it from a phase and wraps around), so missing seconds at its end and at its start form
 * one gap between its last and its first measurement.
 */
public final class GapFill {

    /** How gaps are filled, by their flag value. */
    public enum Mode {
        NONE,
        HOLD,
        INTERPOLATE;

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode of(String flag) {
            for (Mode m : values()) {
                if (m.flag().equals(flag)) {
                    return m;
                }
            }
            return null;
        }
    }

    /** The default of replay, simulate and feed: see docs/traces.md for the measured effect. */
    public static final Mode DEFAULT_MODE = Mode.INTERPOLATE;

    /** The default longest gap filled, in ms: see docs/traces.md for why. */
    public static final long DEFAULT_MAX_MS = 900_000;

    /**
     * What filling one trace did: gaps and seconds filled, gaps left empty (longer than the limit;
     * with {@code none}, every gap).
     */
    public record Result(Traces.Radio radio, int gapsFilled, long secondsFilled, int gapsLeft) {}

    private GapFill() {}

    /**
     * Fills the gaps of a trace of one value per second (NaN: missing). A trace without any
     * measurement is returned as it is.
     */
    public static Result fill(Traces.Radio r, Mode mode, long maxMs) {
        double[] in = r.snrDb();
        int n = in.length;
        int anyValid = -1;
        for (int i = 0; i < n; i++) {
            if (!Double.isNaN(in[i])) {
                anyValid = i;
                break;
            }
        }
        if (anyValid < 0) {
            return new Result(r, 0, 0, 0);
        }
        double[] out = in.clone();
        boolean[] filled = new boolean[n];
        int gapsFilled = 0;
        long secondsFilled = 0;
        int gapsLeft = 0;
        // walk the loop once, from the first measurement back to it
        int i = anyValid;
        int walked = 0;
        while (walked < n) {
            // i holds a measurement; find the next one around the loop
            int missing = 0;
            while (missing < n - 1 && Double.isNaN(in[(i + 1 + missing) % n])) {
                missing++;
            }
            if (missing > 0) {
                long gapMs = (missing + 1) * 1000L;
                if (mode != Mode.NONE && gapMs <= maxMs) {
                    double a = in[i];
                    double b = in[(i + 1 + missing) % n];
                    for (int k = 1; k <= missing; k++) {
                        double v = mode == Mode.HOLD ? a : a + (b - a) * k / (missing + 1);
                        int at = (i + k) % n;
                        out[at] = Math.round(v * 100) / 100.0;
                        filled[at] = true;
                    }
                    gapsFilled++;
                    secondsFilled += missing;
                } else {
                    gapsLeft++;
                }
            }
            walked += missing + 1;
            i = (i + 1 + missing) % n;
        }
        if (mode == Mode.NONE) {
            return new Result(r, 0, 0, gapsLeft);
        }
        return new Result(
                new Traces.Radio(r.name(), out, filled, r.badRows(), r.badLines()),
                gapsFilled,
                secondsFilled,
                gapsLeft);
    }
}
