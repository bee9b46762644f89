package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.edgellm.job.replay.RequestTraces.Columns;
import org.edgellm.job.replay.RequestTraces.Format;
import org.edgellm.job.replay.RequestTraces.Row;
import org.edgellm.job.replay.RequestTraces.TimeUnit;
import org.edgellm.job.replay.RequestTraces.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The request trace readers: good rows as written, bad rows counted with their physical line
 * numbers (the header is line 1), BurstGPT's failures apart, rows out of order sorted in.
 */
class RequestTracesTest {

    static Trace read(Format f, Columns c, String text) throws IOException {
        return RequestTraces.read(new BufferedReader(new StringReader(text)), "test-file", f, c, 0);
    }

    static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void azureGoodAndBadRows() throws IOException {
        String text =
                "TIMESTAMP,ContextTokens,GeneratedTokens\n" // 1
                        + "2023-11-16 18:15:46.6805900,374,44\n" // 2
                        + "2023-11-16 18:15:47,12,-3\n" // 3: negative tokens
                        + "\n" // 4: blank, ignored
                        + "not a time,10,10\n" // 5
                        + "2023-11-16 18:15:48.5,100\n" // 6: a missing column
                        + "2023-11-16 18:15:50.9951690,396,109\n" // 7
                        + "2023-11-16 18:15:51,abc,1\n" // 8
                        + "2023-11-16 18:15:52.0090000+00:00,5,6\n"; // 9: with an offset
        Trace t = read(Format.AZURE, null, text);
        assertEquals(
                List.of(
                        new Row(ms("2023-11-16T18:15:46.680Z"), 374, 44),
                        new Row(ms("2023-11-16T18:15:50.995Z"), 396, 109),
                        new Row(ms("2023-11-16T18:15:52.009Z"), 5, 6)),
                t.rows());
        assertEquals(4, t.stats().badRows());
        assertEquals(List.of(3, 5, 6, 8), t.stats().badLines());
        assertEquals(3, t.stats().requestRows());
        assertEquals(0, t.stats().skippedFailures());
        assertEquals("azure", t.stats().format());
    }

    @Test
    void aFileWithoutTheFormatsColumnsIsRefusedNamingFileAndColumn() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> read(Format.AZURE, null, "TIMESTAMP,Context,GeneratedTokens\n"));
        assertTrue(e.getMessage().contains("test-file"), e.getMessage());
        assertTrue(e.getMessage().contains("'ContextTokens'"), e.getMessage());
        assertTrue(e.getMessage().contains("has: TIMESTAMP, Context"), e.getMessage());
    }

    @Test
    void mooncakeJsonLines() throws IOException {
        String text =
                "{\"timestamp\": 0, \"input_length\": 6955, \"output_length\": 52,"
                        + " \"hash_ids\": [46, 47]}\n" // 1, other keys ignored
                        + "{\"timestamp\": 27482, \"input_length\": 6472, \"output_length\": 26}\n"
                        + "{\"timestamp\": 30000, \"input_length\": 10}\n" // 3: no output_length
                        + "{\"timestamp\": 31000, \"input_length\": 10, \"output_length\": -1}\n"
                        + "not json at all\n" // 5
                        + "\n" // 6: blank
                        + "[1, 2, 3]\n" // 7: not an object
                        + "{\"timestamp\": 35000.4, \"input_length\": 7,"
                        + " \"output_length\": 8.0}\n" // 8: 8.0 is a count
                        + "{\"timestamp\": 36000, \"input_length\": 7.5, \"output_length\": 8}\n"
                        + "{\"timestamp\": -5, \"input_length\": 7, \"output_length\": 8}\n";
        Trace t = read(Format.MOONCAKE, null, text);
        assertEquals(
                List.of(new Row(0, 6955, 52), new Row(27482, 6472, 26), new Row(35000, 7, 8)),
                t.rows());
        assertEquals(List.of(3, 4, 5, 7, 9, 10), t.stats().badLines());
        assertEquals(6, t.stats().badRows());
    }

    @Test
    void burstGptFailuresAreSkippedAndCountedApartFromBadRows() throws IOException {
        String text =
                "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
                        + "5,ChatGPT,472,18,490,Conversation log\n" // 2
                        + "45,ChatGPT,1087,0,1087,Conversation log\n" // 3: failed
                        + "118.5,GPT-4,417,276,693,Conversation log\n" // 4
                        + "120,ChatGPT,,12,12,Conversation log\n" // 5: bad
                        + "121,ChatGPT,1000,0,1000,API log\n" // 6: failed
                        + "x,ChatGPT,10,10,20,API log\n"; // 7: bad
        Trace t = read(Format.BURSTGPT, null, text);
        assertEquals(List.of(new Row(5000, 472, 18), new Row(118500, 417, 276)), t.rows());
        assertEquals(2, t.stats().skippedFailures());
        assertEquals(2, t.stats().badRows());
        assertEquals(List.of(5, 7), t.stats().badLines());
    }

    @ParameterizedTest
    @CsvSource({"s,10,12.5", "ms,10000,12500", "us,10000000,12500000.0"})
    void genericCsvInEachTimeUnit(String unit, String first, String second) throws IOException {
        Columns c = new Columns("t", "in", "out", TimeUnit.of(unit));
        String text =
                "id,t,in,out\n"
                        + ("a," + first + ",100,20\n")
                        + ("b," + second + ",200,30\n")
                        + "c,,5,5\n"; // 4: empty time
        Trace t = read(Format.CSV, c, text);
        assertEquals(List.of(new Row(10_000, 100, 20), new Row(12_500, 200, 30)), t.rows());
        assertEquals(List.of(4), t.stats().badLines());
    }

    @Test
    void genericCsvWithIsoTimesQuotedFieldsAndDefaultColumns() throws IOException {
        String text =
                "\uFEFFtimestamp,prompt_tokens,output_tokens,note\n"
                        + "2024-05-10T12:00:00Z,10,1,\"a, quoted \"\"note\"\"\"\n"
                        + "2024-05-10T14:00:01+02:00,11,2,x\n" // the same day, 12:00:01 UTC
                        + "2024-05-10 12:00:02.250,12,3,no zone: UTC\n"
                        + "2024-05-10T12:00:03,13,4,x\n"
                        + "yesterday,14,5,x\n"; // 6
        Trace t = read(Format.CSV, Columns.DEFAULT, text);
        long base = ms("2024-05-10T12:00:00Z");
        assertEquals(
                List.of(
                        new Row(base, 10, 1),
                        new Row(base + 1000, 11, 2),
                        new Row(base + 2250, 12, 3),
                        new Row(base + 3000, 13, 4)),
                t.rows());
        assertEquals(List.of(6), t.stats().badLines());
    }

    @Test
    void rowsOutOfOrderAreCountedAndSortedStably() throws IOException {
        String text =
                "{\"timestamp\": 1000, \"input_length\": 1, \"output_length\": 1}\n"
                        + "{\"timestamp\": 3000, \"input_length\": 2, \"output_length\": 1}\n"
                        + "{\"timestamp\": 2000, \"input_length\": 3, \"output_length\": 1}\n"
                        + "{\"timestamp\": 1000, \"input_length\": 4, \"output_length\": 1}\n"
                        + "{\"timestamp\": 4000, \"input_length\": 5, \"output_length\": 1}\n";
        Trace t = read(Format.MOONCAKE, null, text);
        assertEquals(2, t.stats().outOfOrderRows());
        assertEquals(
                List.of(1, 4, 3, 2, 5),
                t.rows().stream().map(Row::promptTokens).toList(),
                "by time; the two rows at 1000 ms in file order");
    }

    @Test
    void onlyTheFirstTenBadLinesAreKeptButAllAreCounted() throws IOException {
        StringBuilder b = new StringBuilder("Timestamp,Request tokens,Response tokens\n");
        for (int i = 0; i < 25; i++) {
            b.append("bad,1,1\n");
        }
        b.append("1,1,1\n");
        Trace t = read(Format.BURSTGPT, null, b.toString());
        assertEquals(25, t.stats().badRows());
        assertEquals(List.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11), t.stats().badLines());
        assertEquals(1, t.rows().size());
    }

    @Test
    void theWindowCountsFromTheFirstRow() throws IOException {
        String text =
                "{\"timestamp\": 5000, \"input_length\": 1, \"output_length\": 1}\n"
                        + "{\"timestamp\": 64999, \"input_length\": 2, \"output_length\": 1}\n"
                        + "{\"timestamp\": 65000, \"input_length\": 3, \"output_length\": 1}\n"
                        + "{\"timestamp\": 6000, \"input_length\": 4, \"output_length\": 1}\n";
        Trace t =
                RequestTraces.read(
                        new BufferedReader(new StringReader(text)), "f", Format.MOONCAKE, null, 60);
        assertEquals(List.of(1, 2), t.rows().stream().map(Row::promptTokens).toList());
        // failures count only within the window
        String burst =
                "Timestamp,Request tokens,Response tokens\n"
                        + "0,1,1\n"
                        + "30,2,0\n"
                        + "70,3,0\n"
                        + "80,4,4\n";
        Trace b =
                RequestTraces.read(
                        new BufferedReader(new StringReader(burst)),
                        "f",
                        Format.BURSTGPT,
                        null,
                        60);
        assertEquals(List.of(new Row(0, 1, 1)), b.rows());
        assertEquals(1, b.stats().skippedFailures());
    }
}
