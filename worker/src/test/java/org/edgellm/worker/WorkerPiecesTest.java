package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.edgellm.events.ChannelState;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.replay.TraceImport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerPiecesTest {

    @TempDir Path dir;

    @Test
    void heartbeatCapabilitiesComeFromTheTopology() throws Exception {
        var caps = WorkerMain.capabilities(null, "domain-1", "edge-a");
        assertEquals(40e9, caps.getMemoryBytes());
        assertEquals(2, caps.getVariants().size());
        assertNull(WorkerMain.capabilities(null, "domain-1", "nowhere"));
    }

    @Test
    void feedsTheProjectsEventFiles() throws Exception {
        try (DataFileWriter<InferenceRequest> w =
                new DataFileWriter<>(new SpecificDatumWriter<>(InferenceRequest.class))) {
            w.create(InferenceRequest.getClassSchema(), dir.resolve("requests.avro").toFile());
            for (int k : new int[] {3, 1, 2}) {
                w.append(
                        InferenceRequest.newBuilder()
                                .setRequestId("q" + k)
                                .setUserId("u")
                                .setDomainId("domain-1")
                                .setArrivalTime(Instant.ofEpochMilli(1000L * k))
                                .setPromptTokens(10)
                                .setMaxOutputTokens(5)
                                .build());
            }
        }
        try (DataFileWriter<ChannelState> w =
                new DataFileWriter<>(new SpecificDatumWriter<>(ChannelState.class))) {
            w.create(ChannelState.getClassSchema(), dir.resolve("channels.avro").toFile());
            w.append(
                    ChannelState.newBuilder()
                            .setUserId("u")
                            .setDomainId("domain-1")
                            .setNodeId("edge-a")
                            .setMeasuredAt(Instant.ofEpochMilli(500))
                            .setUplinkSpectralEfficiency(2)
                            .setDownlinkSpectralEfficiency(3)
                            .build());
        }
        TraceImport.Imported imp = Feeder.fromEventFiles(dir);
        assertEquals(
                List.of("q1", "q2", "q3"),
                imp.requests().stream().map(InferenceRequest::getRequestId).toList());
        assertEquals(1, imp.channels().size());
        assertEquals(500, imp.spanStart());
    }

    @Test
    void reportPrintsATable() {
        var o = Report.compute(List.of(ReportTest.c("r", "b", 0, 100, 150, true)), List.of());
        String t = Report.table(o);
        assertTrue(
                t.contains("deadline attainment") && t.contains("prediction error, quarter 4"), t);
    }
}
