package org.edgellm.job;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of the input streams ({@link InputEvent}) with the hand-written {@link
 * InputEventSerializer}. Set on the sources and on the validate operators, so that the {@code
 * keyBy} uses it; the coordinator's {@code slot-buffer} state uses the same serializer ({@link
 * CoordinatorState}).
 */
public final class InputEventTypeInfo extends TypeInformation<InputEvent> {
    private static final long serialVersionUID = 1L;

    public static final InputEventTypeInfo INSTANCE = new InputEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<InputEvent> getTypeClass() {
        return InputEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<InputEvent> createSerializer(SerializerConfig config) {
        return InputEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "InputEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return InputEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof InputEventTypeInfo;
    }
}
