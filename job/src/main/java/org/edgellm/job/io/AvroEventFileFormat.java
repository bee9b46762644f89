package org.edgellm.job.io;

import java.io.IOException;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.job.EventValidator;
import org.edgellm.job.InputEvent;

/**
 * Reads the project's event files (Avro container files of one event schema) for replay. Every
 * record goes through the same single-object encoding and validation as a Kafka record, so replay
 * and live runs treat data alike.
 */
public final class AvroEventFileFormat extends SimpleStreamFormat<InputEvent> {
    private static final long serialVersionUID = 1L;

    private final EventValidator validator;
    private final EventValidator.Stream stream;

    public AvroEventFileFormat(EventValidator validator, EventValidator.Stream stream) {
        this.validator = validator;
        this.stream = stream;
    }

    static Class<? extends SpecificRecordBase> recordClass(EventValidator.Stream s) {
        return switch (s) {
            case REQUESTS -> InferenceRequest.class;
            case CHANNELS -> ChannelState.class;
            case TELEMETRY -> NodeTelemetry.class;
        };
    }

    @Override
    public StreamFormat.Reader<InputEvent> createReader(Configuration config, FSDataInputStream in)
            throws IOException {
        @SuppressWarnings("unchecked")
        Class<SpecificRecordBase> type = (Class<SpecificRecordBase>) recordClass(stream);
        DataFileStream<SpecificRecordBase> file =
                new DataFileStream<>(in, new SpecificDatumReader<>(type));
        return new StreamFormat.Reader<>() {
            long index;

            @Override
            public InputEvent read() throws IOException {
                if (!file.hasNext()) {
                    return null;
                }
                SpecificRecordBase r = file.next();
                byte[] bytes = EventCodec.encode(r);
                return validator.decode(stream, bytes, "file:" + stream, 0, index++, 0);
            }

            @Override
            public void close() throws IOException {
                file.close();
            }
        };
    }

    @Override
    public TypeInformation<InputEvent> getProducedType() {
        return TypeInformation.of(InputEvent.class);
    }
}
