package org.edgellm.job.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Readers of request traces in four formats, all to the same rows (arrival time in ms, prompt
 * tokens, output tokens):
 *
 * <ul>
 *   <li>{@code azure}: the Azure LLM inference traces 2023/2024, CSV with {@code TIMESTAMP} ({@code
 *       yyyy-MM-dd HH:mm:ss.fffffff}, UTC), {@code ContextTokens}, {@code GeneratedTokens};
 *   <li>{@code mooncake}: JSON lines with {@code timestamp} (ms from the trace's start), {@code
 *       input_length}, {@code output_length}; other keys are ignored;
 *   <li>{@code burstgpt}: CSV with {@code Timestamp} (s from the trace's start), {@code Request
 *       tokens}, {@code Response tokens}; a row with 0 response tokens is a failed request, skipped
 *       and counted apart from bad rows;
 *   <li>{@code csv}: any CSV with a header, naming its time, prompt and output columns; times are
 *       numbers in a given unit or ISO-8601 date-times.
 * </ul>
 *
 * <p>A row that cannot be read (a value that does not parse, a negative time or token count, a
 * missing column or key) is a bad row: counted, its line number kept (the first {@link
 * #BAD_LINES_KEPT}), and skipped. Blank lines are ignored. Rows are returned in time order: a row
 * earlier than one before it is counted as out of order and the rows are sorted stably (rows with
 * equal times keep their file order), so that a trace merged from several logs replays whole and
 * the same way every time. Numeric times (Mooncake, BurstGPT, numbers in a CSV) are read as offsets
 * from the Unix epoch; the scheduler only uses their differences.
 */
public final class RequestTraces {

    /** Line numbers of bad rows kept for the report; the count goes on. */
    public static final int BAD_LINES_KEPT = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    static final DateTimeFormatter AZURE =
            new DateTimeFormatterBuilder()
                    .appendPattern("yyyy-MM-dd HH:mm:ss")
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .toFormatter();

    private RequestTraces() {}

    /** The request trace formats, by their flag value. */
    public enum Format {
        AZURE,
        MOONCAKE,
        BURSTGPT,
        CSV;

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The format named by a flag value; null if there is none. */
        public static Format of(String flag) {
            for (Format f : values()) {
                if (f.flag().equals(flag)) {
                    return f;
                }
            }
            return null;
        }

        /** The prefix of the request ids of this format ({@code az-} as always for Azure). */
        String idPrefix() {
            return switch (this) {
                case AZURE -> "az-";
                case MOONCAKE -> "mc-";
                case BURSTGPT -> "bg-";
                case CSV -> "rq-";
            };
        }
    }

    /** The unit of numeric times. */
    public enum TimeUnit {
        S(1000.0),
        MS(1.0),
        US(0.001);

        final double ms;

        TimeUnit(double ms) {
            this.ms = ms;
        }

        public String flag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The unit named by a flag value; null if there is none. */
        public static TimeUnit of(String flag) {
            for (TimeUnit u : values()) {
                if (u.flag().equals(flag)) {
                    return u;
                }
            }
            return null;
        }
    }

    /** The columns of a generic request CSV and the unit of its numeric times. */
    public record Columns(String time, String prompt, String output, TimeUnit unit) {
        public static final Columns DEFAULT =
                new Columns("timestamp", "prompt_tokens", "output_tokens", TimeUnit.S);
    }

    /** One request: arrival in ms, prompt and output tokens. */
    public record Row(long timeMs, int promptTokens, int outputTokens) {}

    /**
     * What reading a trace found: rows kept, bad rows (count and first line numbers), failed
     * requests skipped (BurstGPT), rows out of time order (kept and sorted).
     */
    public record Stats(
            String format,
            int requestRows,
            int badRows,
            List<Integer> badLines,
            int skippedFailures,
            int outOfOrderRows) {}

    /** The rows in time order, and the stats. */
    public record Trace(List<Row> rows, Stats stats) {}

    /** A line that cannot be read; the message says why (for tests). */
    static final class BadRow extends Exception {
        BadRow(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads one line's request. */
    private interface LineParser {
        Row parse(String line) throws BadRow;
    }

    /**
     * Reads a trace: at most {@code maxSeconds} from its first row's time (<= 0: all); reading
     * stops at the first row at or past that, as a long trace need not be read to its end. A file
     * without the format's columns is refused (naming the file and the column).
     */
    public static Trace read(
            BufferedReader in, String source, Format format, Columns columns, double maxSeconds)
            throws IOException {
        int lineNo = 0;
        LineParser parser;
        if (format == Format.MOONCAKE) {
            parser = RequestTraces::mooncake;
        } else {
            String header = in.readLine();
            lineNo++;
            if (header == null) {
                throw new IllegalArgumentException(source + ": empty file");
            }
            String[] cols = Csv.split(stripBom(header));
            parser =
                    switch (format) {
                        case AZURE -> azure(cols, source);
                        case BURSTGPT -> burstGpt(cols, source);
                        case CSV -> csv(cols, source, columns == null ? Columns.DEFAULT : columns);
                        default -> throw new IllegalStateException(format.toString());
                    };
        }
        List<Row> rows = new ArrayList<>();
        List<Integer> badLines = new ArrayList<>();
        int bad = 0;
        int failures = 0;
        int outOfOrder = 0;
        long first = Long.MIN_VALUE;
        long latest = Long.MIN_VALUE;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (lineNo == 1) {
                line = stripBom(line);
            }
            Row r;
            try {
                r = parser.parse(line);
            } catch (BadRow e) {
                bad++;
                if (badLines.size() < BAD_LINES_KEPT) {
                    badLines.add(lineNo);
                }
                continue;
            }
            if (first == Long.MIN_VALUE) {
                first = r.timeMs();
            }
            if (maxSeconds > 0 && r.timeMs() - first >= maxSeconds * 1000) {
                break;
            }
            if (format == Format.BURSTGPT && r.outputTokens() == 0) {
                failures++; // a failed request: no response
                continue;
            }
            if (r.timeMs() < latest) {
                outOfOrder++;
            }
            latest = Math.max(latest, r.timeMs());
            rows.add(r);
        }
        if (outOfOrder > 0) {
            rows.sort((a, b) -> Long.compare(a.timeMs(), b.timeMs())); // stable
        }
        return new Trace(
                rows,
                new Stats(
                        format.flag(),
                        rows.size(),
                        bad,
                        List.copyOf(badLines),
                        failures,
                        outOfOrder));
    }

    // ---- the formats ------------------------------------------------------------------------

    private static LineParser azure(String[] cols, String source) {
        int ts = index(cols, "TIMESTAMP", source);
        int ctx = index(cols, "ContextTokens", source);
        int gen = index(cols, "GeneratedTokens", source);
        int need = Math.max(ts, Math.max(ctx, gen));
        return line -> {
            String[] f = fields(line, need);
            long t;
            try {
                t = LocalDateTime.parse(f[ts], AZURE).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                t = isoMillis(f[ts], "TIMESTAMP"); // with an offset, say +00:00
            }
            return row(t, tokens(f[ctx], "ContextTokens"), tokens(f[gen], "GeneratedTokens"));
        };
    }

    static Row mooncake(String line) throws BadRow {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadRow("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new BadRow("not a JSON object");
        }
        double t = number(n, "timestamp");
        return row(Math.round(t), jsonTokens(n, "input_length"), jsonTokens(n, "output_length"));
    }

    private static LineParser burstGpt(String[] cols, String source) {
        int ts = index(cols, "Timestamp", source);
        int req = index(cols, "Request tokens", source);
        int resp = index(cols, "Response tokens", source);
        int need = Math.max(ts, Math.max(req, resp));
        return line -> {
            String[] f = fields(line, need);
            long t = Math.round(number(f[ts], "Timestamp") * 1000);
            return row(t, tokens(f[req], "Request tokens"), tokens(f[resp], "Response tokens"));
        };
    }

    private static LineParser csv(String[] cols, String source, Columns c) {
        int ts = index(cols, c.time(), source);
        int prompt = index(cols, c.prompt(), source);
        int output = index(cols, c.output(), source);
        int need = Math.max(ts, Math.max(prompt, output));
        return line -> {
            String[] f = fields(line, need);
            return row(
                    time(f[ts], c.unit(), c.time()),
                    tokens(f[prompt], c.prompt()),
                    tokens(f[output], c.output()));
        };
    }

    // ---- values -------------------------------------------------------------------------------

    private static Row row(long t, int prompt, int output) throws BadRow {
        if (t < 0) {
            throw new BadRow("negative time " + t);
        }
        return new Row(t, prompt, output);
    }

    /**
     * A time in ms: a number in {@code unit}, or an ISO-8601 date-time (with an offset, or UTC
     * without one; a space may stand for the {@code T}).
     */
    static long time(String v, TimeUnit unit, String column) throws BadRow {
        if (v.isEmpty()) {
            throw new BadRow(column + ": empty");
        }
        char c = v.charAt(0);
        boolean numeric = Character.isDigit(c) || c == '-' || c == '+' || c == '.';
        if (numeric && (v.length() < 5 || v.charAt(4) != '-')) {
            double d = number(v, column);
            return Math.round(d * unit.ms);
        }
        return isoMillis(v, column);
    }

    static long isoMillis(String v, String column) throws BadRow {
        String s = v.length() > 10 && v.charAt(10) == ' ' ? v.replaceFirst(" ", "T") : v;
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new BadRow(column + ": neither a number nor an ISO-8601 time: " + v);
            }
        }
    }

    static double number(String v, String column) throws BadRow {
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new BadRow(column + ": not finite: " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new BadRow(column + ": not a number: " + v);
        }
    }

    /** A token count: a non-negative whole number ({@code 12.0} too, as some tools write it). */
    static int tokens(String v, String column) throws BadRow {
        double d = number(v, column);
        if (d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
            throw new BadRow(column + ": not a token count: " + v);
        }
        return (int) d;
    }

    private static double number(JsonNode n, String key) throws BadRow {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new BadRow("no key " + key);
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            if (!Double.isFinite(d)) {
                throw new BadRow(key + ": not finite");
            }
            return d;
        }
        if (v.isTextual()) {
            return number(v.asText().trim(), key);
        }
        throw new BadRow(key + ": not a number: " + v);
    }

    private static int jsonTokens(JsonNode n, String key) throws BadRow {
        double d = number(n, key);
        if (d < 0 || d != Math.rint(d) || d > Integer.MAX_VALUE) {
            throw new BadRow(key + ": not a token count: " + n.get(key));
        }
        return (int) d;
    }

    /** The line's fields, trimmed; a line with fewer than need + 1 fields is a bad row. */
    private static String[] fields(String line, int need) throws BadRow {
        String[] f = Csv.split(line);
        if (f.length <= need) {
            throw new BadRow("only " + f.length + " fields");
        }
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].trim();
        }
        return f;
    }

    static String stripBom(String s) {
        return !s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s;
    }

    /** The index of a header column; refuses a file without it, naming the file and the column. */
    static int index(String[] cols, String name, String source) {
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].trim().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(
                source
                        + ": no column '"
                        + name
                        + "' in the header (has: "
                        + String.join(", ", Arrays.stream(cols).map(String::trim).toList())
                        + ")");
    }
}
