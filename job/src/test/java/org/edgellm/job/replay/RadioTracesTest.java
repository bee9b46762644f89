package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.edgellm.job.replay.RequestTraces.TimeUnit;
import org.edgellm.job.replay.Traces.RadioColumns;
import org.edgellm.job.replay.Traces.RadioFormat;
import org.edgellm.job.replay.Traces.ThroughputUnit;
import org.junit.jupiter.api.Test;

/** The radio trace readers: Irish 5G CSVs and generic CSVs, SNR or throughput, per second. */
class RadioTracesTest {

    static final double NAN = Double.NaN;

    static Traces.Radio csv(RadioColumns c, String text) throws IOException {
        return Traces.readRadio(
                new BufferedReader(new StringReader(text)), "radio.csv", RadioFormat.CSV, c);
    }

    @Test
    void irishTraceOneValuePerSecondMissingKeptMissing() throws IOException {
        String text =
                "Timestamp,Longitude,SNR,CQI\n"
                        + "2020.02.14_13.21.26,-8.39,5.0,12\n"
                        + "2020.02.14_13.21.27,-8.39,5.0,12\n"
                        + "2020.02.14_13.21.27,-8.39,1.0,12\n" // the last valid of the second
                        + "2020.02.14_13.21.28,-8.39,-,12\n" // missing, never zero
                        + "2020.02.14_13.21.30,-8.39,-3.5,12\n" // :29 absent
                        + "2020.02.14_13.21.31,-8.39,abc,12\n" // 7: bad value
                        + "13.21.32,-8.39,2,12\n" // 8: bad time
                        + "2020.02.14_13.21.33\n" // 9: short
                        + "2020.02.14_13.21.34,-8.39,7,12\n";
        Traces.Radio r = Traces.readRadio(new BufferedReader(new StringReader(text)), "x.csv");
        assertArrayEquals(
                new double[] {5.0, 1.0, NAN, NAN, -3.5, NAN, NAN, NAN, 7.0}, r.snrDb(), 0.0);
        assertEquals(3, r.badRows());
        assertEquals(List.of(7, 8, 9), r.badLines());
    }

    @Test
    void theBundledTracesStillRead() throws IOException {
        for (String name : TraceImport.BUNDLED_RADIO) {
            try (var in = getClass().getResourceAsStream("/traces/radio/" + name)) {
                Traces.Radio r =
                        Traces.readRadio(
                                new BufferedReader(
                                        new InputStreamReader(in, StandardCharsets.UTF_8)),
                                name);
                assertTrue(r.snrDb().length > 300, name + ": " + r.snrDb().length);
                assertEquals(0, r.badRows(), name);
            }
        }
    }

    @Test
    void genericSnrCsvInMillisecondsBucketsToSeconds() throws IOException {
        RadioColumns c =
                new RadioColumns("t_ms", "sinr", null, TimeUnit.MS, ThroughputUnit.MBPS, 100);
        String text =
                "t_ms,sinr\n"
                        + "100000,10\n" // second 0
                        + "100500,12\n" // second 0, later: counts
                        + "101200,NaN\n" // second 1: missing
                        + "103999,-2.5\n" // second 3
                        + "104000,\n" // second 4: missing
                        + "104100,oops\n"; // 7: bad
        Traces.Radio r = csv(c, text);
        assertArrayEquals(new double[] {12, NAN, NAN, -2.5, NAN}, r.snrDb(), 0.0);
        assertEquals(List.of(7), r.badLines());
    }

    @Test
    void genericCsvWithIsoTimes() throws IOException {
        RadioColumns c = new RadioColumns("time", "snr", null, TimeUnit.S, ThroughputUnit.MBPS, 1);
        Traces.Radio r = csv(c, "time,snr\n2024-01-01T00:00:00Z,3\n2024-01-01T00:00:02Z,4\n");
        assertArrayEquals(new double[] {3, NAN, 4}, r.snrDb(), 0.0);
    }

    @Test
    void throughputMapsToTheSnrWhoseShannonEfficiencyIsThroughputOverBandwidth()
            throws IOException {
        RadioColumns c = new RadioColumns("s", null, "dl", TimeUnit.S, ThroughputUnit.KBPS, 20);
        String text =
                "s,dl\n"
                        + "0,40000\n" // 40 Mbit/s over 20 MHz: 2 bit/s/Hz
                        + "1,0\n" // no traffic: missing
                        + "2,10000\n" // 0.5 bit/s/Hz
                        + "3,1000000\n" // 50 bit/s/Hz: capped at 7.4
                        + "4,-5\n"; // 6: bad
        Traces.Radio r = csv(c, text);
        double[] snr = r.snrDb();
        assertEquals(10 * Math.log10(3), snr[0], 1e-9, "2^2 - 1 = 3");
        assertEquals(2.0, Traces.spectralEfficiency(snr[0]), 1e-9);
        assertTrue(Double.isNaN(snr[1]));
        assertEquals(0.5, Traces.spectralEfficiency(snr[2]), 1e-9);
        assertEquals(Traces.MAX_SPECTRAL_EFFICIENCY, Traces.spectralEfficiency(snr[3]), 1e-9);
        assertEquals(List.of(6), r.badLines());
    }

    @Test
    void aWrongTimeUnitIsRefusedRatherThanAllocatingYears() {
        RadioColumns c = new RadioColumns("t", "snr", null, TimeUnit.S, ThroughputUnit.MBPS, 1);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> csv(c, "t,snr\n0,1\n1700000000000,2\n"));
        assertTrue(e.getMessage().contains("radio.csv"), e.getMessage());
        assertTrue(e.getMessage().contains("time unit"), e.getMessage());
    }

    @Test
    void aTraceWithoutReadableRowsIsRefusedNamingIt() {
        RadioColumns c = new RadioColumns("t", "snr", null, TimeUnit.S, ThroughputUnit.MBPS, 1);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> csv(c, "t,snr\nx,1\n"));
        assertTrue(e.getMessage().startsWith("radio.csv: no readable rows"), e.getMessage());
    }
}
