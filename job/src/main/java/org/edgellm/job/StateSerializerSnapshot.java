package org.edgellm.job;

import java.io.IOException;
import java.util.function.IntFunction;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer: the version of the format its serializer writes (the
 * snapshot's own version, which Flink stores beside it), and nothing else.
 *
 * <p>On restore, Flink asks the snapshot of the new serializer whether it can use the state written
 * under the old snapshot ({@link #resolveSchemaCompatibility}):
 *
 * <ul>
 *   <li>a snapshot of this class with the current version: compatible as is;
 *   <li>one with an older version this code still reads: compatible after migration, with the
 *       serializer of that version ({@link #restoreSerializer}) reading the old bytes;
 *   <li>Flink's POJO serializer snapshot of the same class (the state of releases that declared
 *       {@code Types.POJO(...)}): compatible after migration, the restored POJO serializer reading;
 *   <li>anything else: incompatible (the restore fails naming the state).
 * </ul>
 *
 * <p>After migration the heap backend simply keeps the objects it deserialized with the old
 * serializer; RocksDB reads every stored value with the old serializer and writes it with the new
 * one (map keys are never migrated: the coordinator's keys keep their types). A version a later
 * release wrote cannot be read here ({@link #readSnapshot} fails).
 *
 * <p>To add a field to a state class: write it in the serializer, raise its version, and keep a
 * serializer (or a branch) that reads the previous format, returned for it by {@code forVersion}.
 */
public abstract class StateSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private final Class<T> type;
    private final int current;
    private final IntFunction<TypeSerializer<T>> forVersion;

    /** The version of the format this snapshot stands for (current unless read). */
    private int version;

    /**
     * @param type the class serialized
     * @param current the version of the format written now
     * @param forVersion the serializer reading the format of a version, or null for one not read
     */
    protected StateSerializerSnapshot(
            Class<T> type, int current, IntFunction<TypeSerializer<T>> forVersion) {
        this.type = type;
        this.current = current;
        this.forVersion = forVersion;
        this.version = current;
    }

    @Override
    public int getCurrentVersion() {
        return current;
    }

    /** The version of the format this snapshot stands for. */
    public int version() {
        return version;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
        // nothing beyond the version, which Flink writes
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
            throws IOException {
        if (readVersion < 1 || readVersion > current || forVersion.apply(readVersion) == null) {
            throw new IOException(
                    "serializer snapshot of "
                            + type.getSimpleName()
                            + ": version "
                            + readVersion
                            + " cannot be read by this release (it reads 1 to "
                            + current
                            + ")");
        }
        version = readVersion;
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return forVersion.apply(version);
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> old) {
        if (old.getClass() == getClass()) {
            int v = ((StateSerializerSnapshot<T>) old).version;
            if (v == current) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            return v < current && forVersion.apply(v) != null
                    ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
        if (old instanceof PojoSerializerSnapshot && pojoClass(old) == type) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    /** The class a POJO serializer snapshot was written for. */
    private static Class<?> pojoClass(TypeSerializerSnapshot<?> pojo) {
        Object instance = pojo.restoreSerializer().createInstance();
        return instance == null ? null : instance.getClass();
    }
}
