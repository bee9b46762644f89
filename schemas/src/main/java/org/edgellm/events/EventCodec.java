package org.edgellm.events;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Avro single-object encoding of the events (there is no schema registry): every message starts
 * with the marker {@code C3 01} and the 8-byte fingerprint of its writer schema, so a reader knows
 * which schema wrote it. Readers know the current schemas and every earlier version kept in {@code
 * schemas/history/}, and resolve old data into the current classes by Avro's evolution rules.
 *
 * <p>Decoding is size-limited before anything is parsed and never throws anything but {@link
 * DecodeException}, whose message says what was wrong.
 */
public final class EventCodec {

    /** Default largest accepted message, in bytes. */
    public static final int DEFAULT_MAX_BYTES = 1 << 20;

    private static final SchemaStore.Cache HISTORY = new SchemaStore.Cache();

    static {
        for (String v :
                new String[] {
                    "InferenceRequest-v1.avsc",
                    "BatchDecision-v1.avsc",
                    "BatchDecision-v2.avsc",
                    "NodeTelemetry-v1.avsc",
                    "NodeTelemetry-v2.avsc",
                    "Rejection-v1.avsc",
                    "SlotReport-v1.avsc"
                }) {
            try (InputStream in = EventCodec.class.getResourceAsStream("/schemas/history/" + v)) {
                if (in == null) {
                    throw new IllegalStateException("missing schema resource " + v);
                }
                HISTORY.addSchema(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final BinaryMessageDecoder<InferenceRequest> REQUESTS =
            InferenceRequest.createDecoder(HISTORY);
    private static final BinaryMessageDecoder<ChannelState> CHANNELS =
            ChannelState.createDecoder(HISTORY);
    private static final BinaryMessageDecoder<NodeTelemetry> TELEMETRY =
            NodeTelemetry.createDecoder(HISTORY);
    private static final BinaryMessageDecoder<BatchDecision> DECISIONS =
            BatchDecision.createDecoder(HISTORY);

    private static final BinaryMessageDecoder<Rejection> REJECTIONS =
            Rejection.createDecoder(HISTORY);

    private static final BinaryMessageDecoder<SlotReport> REPORTS =
            SlotReport.createDecoder(HISTORY);

    private EventCodec() {}

    /**
     * One encoder per generated class: an encoder computes its schema's fingerprint when it is
     * made, and is thread-safe afterwards.
     */
    private static final ClassValue<
                    org.apache.avro.message.BinaryMessageEncoder<SpecificRecordBase>>
            ENCODERS =
                    new ClassValue<>() {
                        @Override
                        protected org.apache.avro.message.BinaryMessageEncoder<SpecificRecordBase>
                                computeValue(Class<?> type) {
                            org.apache.avro.Schema schema = SpecificData.get().getSchema(type);
                            return new org.apache.avro.message.BinaryMessageEncoder<>(
                                    SpecificData.getForSchema(schema), schema);
                        }
                    };

    /** Single-object encoding of any generated event. */
    public static byte[] encode(SpecificRecordBase record) {
        try {
            ByteBuffer b = ENCODERS.get(record.getClass()).encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + record.getSchema().getName(), e);
        }
    }

    public static InferenceRequest decodeRequest(byte[] bytes, int maxBytes)
            throws DecodeException {
        return decode(REQUESTS, bytes, maxBytes, "InferenceRequest");
    }

    public static ChannelState decodeChannel(byte[] bytes, int maxBytes) throws DecodeException {
        return decode(CHANNELS, bytes, maxBytes, "ChannelState");
    }

    public static BatchDecision decodeDecision(byte[] bytes, int maxBytes) throws DecodeException {
        return decode(DECISIONS, bytes, maxBytes, "BatchDecision");
    }

    public static Rejection decodeRejection(byte[] bytes, int maxBytes) throws DecodeException {
        return decode(REJECTIONS, bytes, maxBytes, "Rejection");
    }

    public static SlotReport decodeReport(byte[] bytes, int maxBytes) throws DecodeException {
        return decode(REPORTS, bytes, maxBytes, "SlotReport");
    }

    public static NodeTelemetry decodeTelemetry(byte[] bytes, int maxBytes) throws DecodeException {
        return decode(TELEMETRY, bytes, maxBytes, "NodeTelemetry");
    }

    /** Decodes with a decoder that knows only the current schema of a class. */
    public static <T> T decode(
            BinaryMessageDecoder<T> decoder, byte[] bytes, int maxBytes, String what)
            throws DecodeException {
        if (bytes == null) {
            throw new DecodeException(what + ": no value (null record)");
        }
        if (bytes.length > maxBytes) {
            throw new DecodeException(
                    what + ": " + bytes.length + " bytes exceed the limit of " + maxBytes);
        }
        if (bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != 0x01) {
            throw new DecodeException(
                    what
                            + ": not Avro single-object encoded (bad header, "
                            + bytes.length
                            + " bytes)");
        }
        try {
            return decoder.decode(bytes);
        } catch (org.apache.avro.message.MissingSchemaException e) {
            throw new DecodeException(
                    what + ": written with an unknown schema (" + e.getMessage() + ")");
        } catch (IOException
                | AvroRuntimeException
                | IndexOutOfBoundsException
                | NegativeArraySizeException
                | OutOfMemoryError
                | ClassCastException
                | IllegalArgumentException
                | UnsupportedOperationException e) { // e.g. a string length beyond Avro's limit
            throw new DecodeException(
                    what
                            + ": corrupt or truncated ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + ")");
        }
    }

    /** A message that cannot be decoded; the message says why. */
    public static final class DecodeException extends Exception {
        public DecodeException(String message) {
            super(message);
        }
    }
}
