package org.edgellm.job.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Readers of the recorded traces: the Azure LLM inference trace CSV ({@code TIMESTAMP,
 * ContextTokens, GeneratedTokens}) and the Irish 5G radio trace CSVs (one row per second; {@code -}
 * is a missing value, kept as missing, never as zero). A malformed line is counted and skipped.
 */
public final class Traces {

    private static final DateTimeFormatter AZURE =
            new DateTimeFormatterBuilder()
                    .appendPattern("yyyy-MM-dd HH:mm:ss")
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .toFormatter();
    private static final DateTimeFormatter RADIO =
            DateTimeFormatter.ofPattern("yyyy.MM.dd_HH.mm.ss");

    private Traces() {}

    /** One request of the Azure trace. */
    public record AzureRow(long epochMs, int contextTokens, int generatedTokens) {}

    /** The Azure trace rows, in file order, and the number of lines skipped as malformed. */
    public record Azure(List<AzureRow> rows, int skipped) {}

    /** Reads at most {@code maxSeconds} of the trace from its first timestamp (<= 0: all). */
    public static Azure readAzure(BufferedReader in, String source, double maxSeconds)
            throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IOException(source + ": empty file");
        }
        String[] cols = header.split(",");
        int ts = index(cols, "TIMESTAMP", source);
        int ctx = index(cols, "ContextTokens", source);
        int gen = index(cols, "GeneratedTokens", source);
        List<AzureRow> rows = new ArrayList<>();
        int skipped = 0;
        long first = Long.MIN_VALUE;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                long t =
                        LocalDateTime.parse(f[ts].trim(), AZURE)
                                .toInstant(ZoneOffset.UTC)
                                .toEpochMilli();
                if (first == Long.MIN_VALUE) {
                    first = t;
                }
                if (maxSeconds > 0 && t - first >= maxSeconds * 1000) {
                    break;
                }
                rows.add(
                        new AzureRow(
                                t,
                                Integer.parseInt(f[ctx].trim()),
                                Integer.parseInt(f[gen].trim())));
            } catch (DateTimeParseException
                    | NumberFormatException
                    | ArrayIndexOutOfBoundsException e) {
                skipped++;
            }
        }
        return new Azure(rows, skipped);
    }

    /** One radio trace: SNR in dB per second from its start (NaN where missing). */
    public record Radio(String name, double[] snrDb) {}

    public static Radio readRadio(BufferedReader in, String name) throws IOException {
        String header = in.readLine();
        if (header == null) {
            throw new IOException(name + ": empty file");
        }
        String[] cols = header.split(",");
        int ts = index(cols, "Timestamp", name);
        int snr = index(cols, "SNR", name);
        Map<Long, Double> bySecond = new HashMap<>();
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split(",", -1);
            if (f.length <= Math.max(ts, snr)) {
                continue;
            }
            long t;
            try {
                t = LocalDateTime.parse(f[ts].trim(), RADIO).toEpochSecond(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                continue;
            }
            if (first == Long.MIN_VALUE) {
                first = t;
            }
            if (t < first) {
                continue;
            }
            last = Math.max(last, t);
            String v = f[snr].trim();
            double d = Double.NaN;
            if (!v.isEmpty() && !v.equals("-")) {
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    d = Double.NaN;
                }
            }
            if (!Double.isNaN(d) || !bySecond.containsKey(t - first)) {
                bySecond.put(t - first, d);
            }
        }
        if (first == Long.MIN_VALUE) {
            throw new IOException(name + ": no timestamped rows");
        }
        double[] out = new double[(int) (last - first + 1)];
        for (int s = 0; s < out.length; s++) {
            out[s] = bySecond.getOrDefault((long) s, Double.NaN);
        }
        return new Radio(name, out);
    }

    private static int index(String[] cols, String name, String source) throws IOException {
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IOException(source + ": no column " + name);
    }

    /** Shannon spectral efficiency of an SNR in dB, capped at 7.4 bit/s/Hz (256-QAM). */
    public static double spectralEfficiency(double snrDb) {
        return Math.min(Math.log1p(Math.pow(10, snrDb / 10)) / Math.log(2), 7.4);
    }
}
