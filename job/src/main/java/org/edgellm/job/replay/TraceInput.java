package org.edgellm.job.replay;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The flags that say which traces to read and how (a picocli mixin of {@code replay}, {@code
 * simulate} and {@code worker.jar feed}): the request trace and its format, the radio traces and
 * their format, and the filling of gaps in the radio traces. {@link #sources()} checks the flags
 * against each other and turns them into {@link TraceImport.Sources}. See docs/traces.md.
 */
public final class TraceInput {

    @Option(
            names = "--requests",
            paramLabel = "FILE",
            description =
                    "request trace in --requests-format (default: the bundled first 5 minutes of"
                            + " the Azure 2023 conversation trace)")
    String requests;

    @Option(
            names = "--requests-format",
            paramLabel = "FORMAT",
            converter = RequestsFormat.class,
            description =
                    "format of --requests: azure (CSV: TIMESTAMP,ContextTokens,GeneratedTokens),"
                            + " mooncake (JSON lines: timestamp in ms, input_length,"
                            + " output_length), burstgpt (CSV: Timestamp in s, Request tokens,"
                            + " Response tokens; 0 response tokens is a failure, skipped) or csv"
                            + " (the columns named by --time-column, --prompt-column,"
                            + " --output-column). Default: azure")
    String requestsFormat;

    @Option(
            names = "--requests-csv",
            paramLabel = "FILE",
            description =
                    "Azure LLM inference trace CSV: the same as --requests FILE --requests-format"
                            + " azure")
    String requestsCsv;

    @Option(
            names = "--time-column",
            paramLabel = "NAME",
            description =
                    "--requests-format csv: the arrival time column (numbers in --time-unit, or"
                            + " ISO-8601 date-times). Default: timestamp")
    String timeColumn;

    @Option(
            names = "--prompt-column",
            paramLabel = "NAME",
            description = "--requests-format csv: the prompt tokens column. Default: prompt_tokens")
    String promptColumn;

    @Option(
            names = "--output-column",
            paramLabel = "NAME",
            description = "--requests-format csv: the output tokens column. Default: output_tokens")
    String outputColumn;

    @Option(
            names = "--time-unit",
            paramLabel = "UNIT",
            converter = Unit.class,
            description =
                    "--requests-format csv: the unit of numeric times, s, ms or us. Default: s")
    String timeUnit;

    @Option(
            names = "--channels-dir",
            paramLabel = "DIR",
            description =
                    "radio traces in --channels-format: a directory searched recursively for"
                            + " .csv files, or one file (default: four bundled Irish 5G traces)")
    String channelsDir;

    @Option(
            names = "--channels-format",
            paramLabel = "FORMAT",
            converter = ChannelsFormat.class,
            description =
                    "format of --channels-dir: irish (the Irish 5G dataset's CSVs: Timestamp,"
                            + " SNR) or csv (the columns named by --channel-time-column and"
                            + " --channel-snr-column or --channel-throughput-column). Default:"
                            + " irish")
    String channelsFormat;

    @Option(
            names = "--channel-time-column",
            paramLabel = "NAME",
            description =
                    "--channels-format csv: the time column (numbers in --channel-time-unit, or"
                            + " ISO-8601 date-times). Default: timestamp")
    String channelTimeColumn;

    @Option(
            names = "--channel-snr-column",
            paramLabel = "NAME",
            description =
                    "--channels-format csv: the SNR column, in dB. Default: snr (unless"
                            + " --channel-throughput-column is given)")
    String channelSnrColumn;

    @Option(
            names = "--channel-throughput-column",
            paramLabel = "NAME",
            description =
                    "--channels-format csv: a throughput column instead of SNR, mapped to"
                            + " spectral efficiency = throughput / --channel-bandwidth-mhz (0 is"
                            + " missing)")
    String channelThroughputColumn;

    @Option(
            names = "--channel-time-unit",
            paramLabel = "UNIT",
            converter = Unit.class,
            description =
                    "--channels-format csv: the unit of numeric times, s, ms or us. Default: s")
    String channelTimeUnit;

    @Option(
            names = "--channel-throughput-unit",
            paramLabel = "UNIT",
            converter = ThroughputUnit.class,
            description = "--channel-throughput-column: its unit, bps, kbps or mbps. Default: mbps")
    String channelThroughputUnit;

    @Option(
            names = "--channel-bandwidth-mhz",
            paramLabel = "X",
            converter = Cli.PositiveDouble.class,
            description =
                    "--channel-throughput-column: the bandwidth the throughput was measured over."
                            + " Default: 100")
    Double channelBandwidthMhz;

    @Option(
            names = "--channel-gap-fill",
            paramLabel = "MODE",
            defaultValue = "interpolate",
            showDefaultValue = CommandLine.Help.Visibility.NEVER, // in the text, once
            converter = GapMode.class,
            description =
                    "gaps in the radio traces (seconds without a measurement) up to"
                            + " --channel-gap-max-ms: none (left empty: the channel ages), hold"
                            + " (the last measurement) or interpolate (linear in dB between the"
                            + " measurements around the gap). Default: interpolate")
    String channelGapFill = "interpolate";

    @Option(
            names = "--channel-gap-max-ms",
            paramLabel = "N",
            defaultValue = "900000",
            showDefaultValue = CommandLine.Help.Visibility.NEVER,
            converter = Cli.PositiveLong.class,
            description =
                    "the longest gap filled, from the measurement before it to the one after;"
                            + " longer gaps are left empty. Default: 900000")
    long channelGapMaxMs = GapFill.DEFAULT_MAX_MS;

    /** Whether the flags name no request file (the bundled sample is imported). */
    boolean bundledRequests() {
        return requests == null && requestsCsv == null;
    }

    /**
     * The sources the flags name, checked against each other; a mistake raises {@link
     * IllegalArgumentException} with one line naming the flag and the value.
     */
    public TraceImport.Sources sources() {
        if (requests != null && requestsCsv != null) {
            throw new IllegalArgumentException(
                    "--requests-csv: give either --requests or --requests-csv, not both (got "
                            + requestsCsv
                            + " and --requests "
                            + requests
                            + ")");
        }
        RequestTraces.Format format =
                requestsFormat == null
                        ? RequestTraces.Format.AZURE
                        : RequestTraces.Format.of(requestsFormat);
        if (requestsCsv != null && format != RequestTraces.Format.AZURE) {
            throw new IllegalArgumentException(
                    "--requests-format: --requests-csv reads the Azure CSV; give --requests FILE"
                            + " for "
                            + requestsFormat);
        }
        if (bundledRequests() && format != RequestTraces.Format.AZURE) {
            throw new IllegalArgumentException(
                    "--requests-format: "
                            + requestsFormat
                            + " needs --requests FILE (the bundled sample is Azure)");
        }
        RequestTraces.Columns columns = null;
        if (format == RequestTraces.Format.CSV) {
            RequestTraces.Columns d = RequestTraces.Columns.DEFAULT;
            columns =
                    new RequestTraces.Columns(
                            or(timeColumn, d.time()),
                            or(promptColumn, d.prompt()),
                            or(outputColumn, d.output()),
                            timeUnit == null ? d.unit() : RequestTraces.TimeUnit.of(timeUnit));
        } else {
            onlyWith(
                    "--requests-format csv",
                    format.flag(),
                    new String[] {"--time-column", "--prompt-column", "--output-column"},
                    timeColumn,
                    promptColumn,
                    outputColumn);
            onlyWith("--requests-format csv", format.flag(), "--time-unit", timeUnit);
        }
        Traces.RadioFormat radio =
                channelsFormat == null
                        ? Traces.RadioFormat.IRISH
                        : Traces.RadioFormat.of(channelsFormat);
        Traces.RadioColumns radioColumns = null;
        if (radio == Traces.RadioFormat.CSV) {
            if (channelsDir == null) {
                throw new IllegalArgumentException(
                        "--channels-format: csv needs --channels-dir (the bundled traces are"
                                + " Irish)");
            }
            if (channelSnrColumn != null && channelThroughputColumn != null) {
                throw new IllegalArgumentException(
                        "--channel-snr-column: give it or --channel-throughput-column, not both"
                                + " (got "
                                + channelSnrColumn
                                + " and "
                                + channelThroughputColumn
                                + ")");
            }
            boolean throughput = channelThroughputColumn != null;
            if (!throughput) {
                onlyWith(
                        "--channel-throughput-column",
                        "an SNR column",
                        "--channel-throughput-unit",
                        channelThroughputUnit);
                onlyWith(
                        "--channel-throughput-column",
                        "an SNR column",
                        "--channel-bandwidth-mhz",
                        channelBandwidthMhz);
            }
            radioColumns =
                    new Traces.RadioColumns(
                            or(channelTimeColumn, "timestamp"),
                            throughput ? null : or(channelSnrColumn, "snr"),
                            channelThroughputColumn,
                            channelTimeUnit == null
                                    ? RequestTraces.TimeUnit.S
                                    : RequestTraces.TimeUnit.of(channelTimeUnit),
                            channelThroughputUnit == null
                                    ? Traces.ThroughputUnit.MBPS
                                    : Traces.ThroughputUnit.of(channelThroughputUnit),
                            channelBandwidthMhz == null ? 100 : channelBandwidthMhz);
        } else {
            onlyWith(
                    "--channels-format csv",
                    radio.flag(),
                    new String[] {
                        "--channel-time-column",
                        "--channel-snr-column",
                        "--channel-throughput-column",
                        "--channel-time-unit",
                        "--channel-throughput-unit"
                    },
                    channelTimeColumn,
                    channelSnrColumn,
                    channelThroughputColumn,
                    channelTimeUnit,
                    channelThroughputUnit);
            onlyWith(
                    "--channels-format csv",
                    radio.flag(),
                    "--channel-bandwidth-mhz",
                    channelBandwidthMhz);
        }
        return new TraceImport.Sources(
                requests != null ? requests : requestsCsv,
                format,
                columns,
                channelsDir,
                radio,
                radioColumns,
                GapFill.Mode.of(channelGapFill),
                channelGapMaxMs);
    }

    /**
     * The flags parsed from args (each a flag of this class), checked; for a command that hands
     * flags on by name.
     */
    public static TraceImport.Sources parse(List<String> args) {
        TraceInput t = new TraceInput();
        CommandLine cl = new CommandLine(t);
        try {
            cl.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return t.sources();
    }

    private static String or(String v, String d) {
        return v == null ? d : v;
    }

    private static void onlyWith(String needs, String got, String flag, Object value) {
        onlyWith(needs, got, new String[] {flag}, value);
    }

    private static void onlyWith(String needs, String got, String[] flags, Object... values) {
        for (int i = 0; i < flags.length; i++) {
            if (values[i] != null) {
                throw new IllegalArgumentException(
                        flags[i]
                                + ": only with "
                                + needs
                                + " (got "
                                + values[i]
                                + " with "
                                + got
                                + ")");
            }
        }
    }

    // ---- value converters: one of a list, named in the error ----------------------------------

    private abstract static class OneOf implements ITypeConverter<String> {
        private final List<String> choices;

        OneOf(Object[] values, Function<Object, String> flag) {
            this.choices = Arrays.stream(values).map(flag).toList();
        }

        @Override
        public String convert(String v) {
            if (!choices.contains(v)) {
                throw new TypeConversionException(
                        "'" + v + "' is not one of " + String.join(", ", choices));
            }
            return v;
        }
    }

    static final class RequestsFormat extends OneOf {
        RequestsFormat() {
            super(RequestTraces.Format.values(), f -> ((RequestTraces.Format) f).flag());
        }
    }

    static final class ChannelsFormat extends OneOf {
        ChannelsFormat() {
            super(Traces.RadioFormat.values(), f -> ((Traces.RadioFormat) f).flag());
        }
    }

    static final class Unit extends OneOf {
        Unit() {
            super(RequestTraces.TimeUnit.values(), f -> ((RequestTraces.TimeUnit) f).flag());
        }
    }

    static final class ThroughputUnit extends OneOf {
        ThroughputUnit() {
            super(Traces.ThroughputUnit.values(), f -> ((Traces.ThroughputUnit) f).flag());
        }
    }

    static final class GapMode extends OneOf {
        GapMode() {
            super(GapFill.Mode.values(), f -> ((GapFill.Mode) f).flag());
        }
    }
}
