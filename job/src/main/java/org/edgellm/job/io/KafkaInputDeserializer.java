package org.edgellm.job.io;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.edgellm.job.EventValidator;
import org.edgellm.job.InputEvent;

/**
 * Decodes and validates one Kafka record; never throws: a bad record becomes an {@link InputEvent}
 * of kind INVALID (dead letter) or INVALID_REQUEST (rejection), with the reason. An event whose
 * time is further than the allowed clock skew from the record's timestamp is refused too, so that
 * one bad clock cannot drag the watermark.
 */
public final class KafkaInputDeserializer implements KafkaRecordDeserializationSchema<InputEvent> {
    private static final long serialVersionUID = 1L;

    private final EventValidator validator;
    private final EventValidator.Stream stream;
    private final long maxClockSkewMs;

    public KafkaInputDeserializer(
            EventValidator validator, EventValidator.Stream stream, long maxClockSkewMs) {
        this.validator = validator;
        this.stream = stream;
        this.maxClockSkewMs = maxClockSkewMs;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputEvent> out) {
        InputEvent e =
                validator.decode(
                        stream,
                        record.value(),
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.timestamp());
        if (e.kind <= InputEvent.TELEMETRY
                && record.timestamp() > 0
                && Math.abs(e.time - record.timestamp()) > maxClockSkewMs) {
            String why =
                    "event time "
                            + e.time
                            + " is more than "
                            + maxClockSkewMs
                            + " ms from the record timestamp "
                            + record.timestamp();
            if (e.kind == InputEvent.REQUEST) {
                e =
                        InputEvent.invalidRequest(
                                e.request.requestId,
                                e.request.userId,
                                e.domainId,
                                "arrivalTime: " + why,
                                record.timestamp());
            } else {
                e =
                        InputEvent.invalid(
                                why,
                                record.value(),
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                record.timestamp());
            }
        }
        out.collect(e);
    }

    @Override
    public TypeInformation<InputEvent> getProducedType() {
        return TypeInformation.of(InputEvent.class);
    }
}
