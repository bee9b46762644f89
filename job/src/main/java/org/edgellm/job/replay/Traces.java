package org.edgellm.job.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Readers of radio traces, each to one SNR value per second from the trace's first sample (NaN
 * where there is none): the Irish 5G CSVs ({@code Timestamp} as {@code yyyy.MM.dd_HH.mm.ss}, {@code
 * SNR} in dB, {@code -} for a missing value, kept as missing, never as zero), and any CSV naming
 * its time column and an SNR or a throughput column. Several samples in one second: the last valid
 * one counts. A row that cannot be read is counted, its line number kept, and skipped.
 */
public final class Traces {

    private static final DateTimeFormatter IRISH =
            DateTimeFormatter.ofPattern("yyyy.MM.dd_HH.mm.ss");

    /** Spectral efficiency of 256-QAM at the highest code rate: the cap of the Shannon mapping. */
    public static final double MAX_SPECTRAL_EFFICIENCY = 7.4;

    /** The longest radio trace read (31 days of seconds): longer is a wrong time unit. */
    static final long MAX_SECONDS = 31L * 24 * 3600;

    private Traces() {}

    /** The radio trace formats, by their flag value. */
    public enum RadioFormat {
        IRISH,
        CSV;

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static RadioFormat of(String flag) {
            for (RadioFormat f : values()) {
                if (f.flag().equals(flag)) {
                    return f;
                }
            }
            return null;
        }
    }

    /** Units of a throughput column. */
    public enum ThroughputUnit {
        BPS(1),
        KBPS(1e3),
        MBPS(1e6);

        final double bitsPerSecond;

        ThroughputUnit(double bitsPerSecond) {
            this.bitsPerSecond = bitsPerSecond;
        }

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static ThroughputUnit of(String flag) {
            for (ThroughputUnit u : values()) {
                if (u.flag().equals(flag)) {
                    return u;
                }
            }
            return null;
        }
    }

    /**
     * The columns of a generic radio CSV: its time (numbers in {@code unit} or ISO-8601), and
     * either an SNR column in dB or a throughput column (in {@code throughputUnit}, over {@code
     * bandwidthMhz} of spectrum).
     */
    public record RadioColumns(
            String time,
            String snr,
            String throughput,
            RequestTraces.TimeUnit unit,
            ThroughputUnit throughputUnit,
            double bandwidthMhz) {}

    /**
     * One radio trace: SNR in dB per second from its start (NaN where missing), which seconds gap
     * filling wrote (null: none), the rows that could not be read and their first line numbers.
     */
    public record Radio(
            String name, double[] snrDb, boolean[] filled, int badRows, List<Integer> badLines) {

        public Radio(String name, double[] snrDb) {
            this(name, snrDb, null, 0, List.of());
        }

        boolean isFilled(int second) {
            return filled != null && filled[second];
        }
    }

    /** Reads an Irish 5G trace. */
    public static Radio readRadio(BufferedReader in, String name) throws IOException {
        return readRadio(in, name, RadioFormat.IRISH, null);
    }

    /** Reads a radio trace in the given format (columns: for {@code csv} only). */
    public static Radio readRadio(
            BufferedReader in, String name, RadioFormat format, RadioColumns columns)
            throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IllegalArgumentException(name + ": empty file");
        }
        String[] cols = Csv.split(RequestTraces.stripBom(header));
        boolean irish = format == RadioFormat.IRISH;
        String timeName = irish ? "Timestamp" : columns.time();
        boolean throughput = !irish && columns.throughput() != null;
        String valueName = irish ? "SNR" : throughput ? columns.throughput() : columns.snr();
        int ts = RequestTraces.index(cols, timeName, name);
        int val = RequestTraces.index(cols, valueName, name);
        int need = Math.max(ts, val);
        List<Long> times = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Integer> badLines = new ArrayList<>();
        int bad = 0;
        int lineNo = 1;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = Csv.split(line);
            long t;
            double v;
            try {
                if (f.length <= need) {
                    throw new RequestTraces.BadRow("only " + f.length + " fields");
                }
                String tv = f[ts].trim();
                t = irish ? irishTime(tv) : RequestTraces.time(tv, columns.unit(), timeName);
                if (t < 0) {
                    throw new RequestTraces.BadRow("negative time");
                }
                v = throughput ? throughputSnr(f[val].trim(), columns) : snr(f[val].trim());
            } catch (RequestTraces.BadRow e) {
                bad++;
                if (badLines.size() < RequestTraces.BAD_LINES_KEPT) {
                    badLines.add(lineNo);
                }
                continue;
            }
            min = Math.min(min, t);
            max = Math.max(max, t);
            times.add(t);
            values.add(v);
        }
        if (times.isEmpty()) {
            throw new IllegalArgumentException(
                    name + ": no readable rows (" + bad + " bad rows, lines " + badLines + ")");
        }
        long seconds = Math.floorDiv(max - min, 1000) + 1;
        if (seconds > MAX_SECONDS) {
            throw new IllegalArgumentException(
                    name
                            + ": spans "
                            + seconds
                            + " s, more than 31 days (is the time unit right?)");
        }
        double[] out = new double[(int) seconds];
        java.util.Arrays.fill(out, Double.NaN);
        for (int i = 0; i < times.size(); i++) {
            int s = (int) Math.floorDiv(times.get(i) - min, 1000);
            double v = values.get(i);
            if (!Double.isNaN(v)) {
                out[s] = v; // the last valid sample of the second
            }
        }
        return new Radio(name, out, null, bad, List.copyOf(badLines));
    }

    private static long irishTime(String v) throws RequestTraces.BadRow {
        try {
            return LocalDateTime.parse(v, IRISH).toEpochSecond(ZoneOffset.UTC) * 1000;
        } catch (DateTimeParseException e) {
            throw new RequestTraces.BadRow("Timestamp: not yyyy.MM.dd_HH.mm.ss: " + v);
        }
    }

    /** An SNR in dB; NaN for a missing value ({@code -}, empty, NaN, NA, null). */
    static double snr(String v) throws RequestTraces.BadRow {
        if (missing(v)) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isInfinite(d)) {
                throw new RequestTraces.BadRow("SNR: not finite: " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new RequestTraces.BadRow("SNR: not a number: " + v);
        }
    }

    /**
     * The SNR in dB equivalent to a measured throughput: spectral efficiency = throughput /
     * bandwidth (capped at {@link #MAX_SPECTRAL_EFFICIENCY}), SNR = 10 log10(2^efficiency - 1), the
     * inverse of {@link #spectralEfficiency}, so that the per-node path loss applies to it as to a
     * measured SNR. A throughput of 0 (no traffic, not no capacity) or a missing one is missing.
     */
    static double throughputSnr(String v, RadioColumns c) throws RequestTraces.BadRow {
        if (missing(v)) {
            return Double.NaN;
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new RequestTraces.BadRow(c.throughput() + ": not a number: " + v);
        }
        if (d < 0 || Double.isInfinite(d)) {
            throw new RequestTraces.BadRow(c.throughput() + ": not a throughput: " + v);
        }
        if (d == 0) {
            return Double.NaN;
        }
        double se =
                Math.min(
                        d * c.throughputUnit().bitsPerSecond / (c.bandwidthMhz() * 1e6),
                        MAX_SPECTRAL_EFFICIENCY);
        return snrOf(se);
    }

    /** The SNR in dB whose Shannon spectral efficiency is {@code se} bit/s/Hz. */
    static double snrOf(double se) {
        return 10 * Math.log10(Math.expm1(se * Math.log(2)));
    }

    private static boolean missing(String v) {
        return v.isEmpty()
                || v.equals("-")
                || v.equalsIgnoreCase("nan")
                || v.equalsIgnoreCase("na")
                || v.equalsIgnoreCase("null");
    }

    /** Shannon spectral efficiency of an SNR in dB, capped at 7.4 bit/s/Hz (256-QAM). */
    public static double spectralEfficiency(double snrDb) {
        return Math.min(
                Math.log1p(Math.pow(10, snrDb / 10)) / Math.log(2), MAX_SPECTRAL_EFFICIENCY);
    }
}
