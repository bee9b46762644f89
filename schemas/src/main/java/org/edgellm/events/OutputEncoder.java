package org.edgellm.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The single-object encodings of the job's two most frequent outputs, {@link BatchDecision} and
 * {@link SlotReport}, written field by field: the same bytes as {@link EventCodec#encode} (Avro's
 * generic writer), a fraction of its work. The generated classes have no custom coders (their
 * {@code timestamp-millis} fields go through conversions), so Avro's writer looks every field up by
 * position, boxes it and converts the timestamps; the job's sinks encode thousands of decisions and
 * reports a second, and encoding decisions alone was about 6 % of its coordinators' CPU at 40,000
 * requests/s (docs/bench-job.md).
 *
 * <p>Written against version 3 of {@code schemas/avro/BatchDecision.avsc} and version 2 of {@code
 * SlotReport.avsc}: {@code OutputEncoderTest} compares the bytes with Avro's writer on random
 * records, so a field added to a schema (even a null one, which Avro writes as a union index) fails
 * it until this class writes the field too. One instance per thread: it reuses its buffer.
 */
public final class OutputEncoder {
    private static final byte[] DECISION = header(BatchDecision.getClassSchema());
    private static final byte[] REPORT = header(SlotReport.getClassSchema());

    private byte[] buf = new byte[1024];
    private int pos;

    /** The single-object header: the marker and the schema's fingerprint, little-endian. */
    private static byte[] header(Schema schema) {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fp >>> (8 * i));
        }
        return h;
    }

    /**
     * The decision's single-object encoding.
     *
     * @throws NullPointerException when a field the schema does not allow to be null is null (as
     *     Avro's writer does)
     */
    public byte[] decision(BatchDecision d) {
        start(DECISION);
        writeString(d.getDecisionId());
        writeString(d.getDomainId());
        writeLong(d.getSlotEnd().toEpochMilli());
        writeString(d.getNodeId());
        writeString(d.getVariant());
        writeString(d.getAlgorithm());
        writeDouble(d.getUplinkMs());
        writeDouble(d.getComputeStartMs());
        writeDouble(d.getComputeEndMs());
        writeDouble(d.getCertifiedRatio());
        writeDouble(d.getAssumedSlowdown());
        if (d.getLeaseUntil() == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeLong(d.getLeaseUntil().toEpochMilli());
        }
        List<DecidedRequest> rs = d.getRequests();
        int n = rs.size();
        if (n > 0) {
            writeLong(n);
            for (int i = 0; i < n; i++) {
                writeRequest(rs.get(i));
            }
        }
        writeLong(0);
        return Arrays.copyOf(buf, pos);
    }

    /**
     * The report's single-object encoding (its map of rejections in the map's own order, as Avro's
     * writer).
     *
     * @throws NullPointerException when a field the schema does not allow to be null is null
     */
    public byte[] report(SlotReport r) {
        start(REPORT);
        writeString(r.getDomainId());
        writeLong(r.getSlotEnd().toEpochMilli());
        writeLong(r.getPending());
        writeLong(r.getAssigned());
        Map<String, Integer> rejected = r.getRejected();
        if (!rejected.isEmpty()) {
            writeLong(rejected.size());
            for (Map.Entry<String, Integer> e : rejected.entrySet()) {
                writeString(e.getKey());
                writeLong(e.getValue());
            }
        }
        writeLong(0);
        writeLong(r.getNodesOffered());
        writeDouble(r.getObjective());
        writeDouble(r.getUpperBound());
        writeLong(r.getSolveMicros());
        writeLong(r.getNodesVisited());
        writeLong(r.getFeasibilityChecks());
        writeBoolean(r.getProvenOptimal());
        writeBoolean(r.getFallback());
        return Arrays.copyOf(buf, pos);
    }

    private void start(byte[] header) {
        pos = 0;
        ensure(header.length);
        System.arraycopy(header, 0, buf, 0, header.length);
        pos = header.length;
    }

    private void writeBoolean(boolean b) {
        ensure(1);
        buf[pos++] = (byte) (b ? 1 : 0);
    }

    private void writeRequest(DecidedRequest r) {
        writeString(r.getRequestId());
        writeString(r.getUserId());
        writeLong(r.getArrivalTime().toEpochMilli());
        writeDouble(r.getDeadlineMs());
        writeLong(r.getPromptTokens());
        writeLong(r.getMaxOutputTokens());
        writeDouble(r.getMaxPplIncrease());
        writeDouble(r.getPredictedFinishMs());
        writeDouble(r.getUplinkShareHz());
        writeDouble(r.getDownlinkShareHz());
        if (r.getPromptText() == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeString(r.getPromptText());
        }
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
        }
    }

    /** Avro's long (and int): zig-zag, then 7 bits per byte, low bits first. */
    private void writeLong(long v) {
        ensure(10);
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        buf[pos++] = (byte) z;
    }

    /** Avro's double: the IEEE bits (NaN's payload kept), little-endian. */
    private void writeDouble(double d) {
        ensure(8);
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
    }

    /** Avro's string: its UTF-8 length, then the bytes; ASCII written without a copy. */
    private void writeString(String s) {
        int len = s.length(); // NullPointerException on null, as Avro's writer
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            writeLong(len);
            ensure(len);
            for (int i = 0; i < len; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
        } else {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeLong(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }
    }
}
