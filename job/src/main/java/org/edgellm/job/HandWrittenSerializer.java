package org.edgellm.job;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The common part of the coordinator's hand-written state serializers: mutable values, of variable
 * length, always deep-copied (the heap backend copies a value on write after a snapshot and the
 * domain logic then changes the copy in place), never reused when reading. A value goes to a stream
 * (a checkpoint) in one write ({@link BulkWrite}); subclasses write its fields in {@link
 * #writeFields}.
 */
abstract class HandWrittenSerializer<T> extends TypeSerializerSingleton<T>
        implements BulkWrite.Fields<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final void serialize(T value, DataOutputView out) throws IOException {
        BulkWrite.write(value, out, this);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }
}
