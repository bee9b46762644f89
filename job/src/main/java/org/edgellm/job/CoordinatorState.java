package org.edgellm.job;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;

/**
 * The descriptors of the coordinator's keyed state whose values are objects: {@code slot-buffer} (a
 * list of {@link InputEvent}s per slot end), {@code pending} ({@link PendingQueue}), {@code
 * channels} ({@link UserChannels} per user) and {@code nodes} ({@link NodeRuntime} per node).
 *
 * <p>{@link #HAND_WRITTEN} is what the job uses: serializers written field by field ({@link
 * InputEventSerializer} in Flink's {@link ListSerializer}, {@link PendingQueueSerializer}, {@link
 * UserChannelsSerializer}, {@link NodeRuntimeSerializer}). Releases before them declared {@code
 * Types.POJO(...)} ({@link #POJO}, kept so that tests can write such state): Flink's reflective
 * POJO serializer, which took most of the snapshot time in the profiles of docs/bench-job.md. Their
 * snapshots accept the POJO serializer's, so that state migrates on restore. The map keys (slot
 * end, user id, node id) keep their bytes: Flink cannot migrate map keys. The user and node ids go
 * through {@link BulkStringSerializer}, which writes Flink's string format in one call and whose
 * snapshot accepts Flink's string serializer's as is.
 */
enum CoordinatorState {
    HAND_WRITTEN,
    POJO;

    MapStateDescriptor<Long, List<InputEvent>> slotBuffer() {
        return this == POJO
                ? new MapStateDescriptor<>(
                        "slot-buffer", Types.LONG, Types.LIST(Types.POJO(InputEvent.class)))
                : new MapStateDescriptor<>(
                        "slot-buffer",
                        LongSerializer.INSTANCE,
                        new ListSerializer<>(InputEventSerializer.INSTANCE));
    }

    /**
     * {@code known-id-hashes-12} ({@link KnownIdBuckets}): {@link IdBucketSerializer} (Flink's
     * long-array bytes in one write, a copy that shares the never-changed array); {@link #POJO}
     * writes them with Flink's long-array serializer, as the code that introduced the state did.
     */
    MapStateDescriptor<Long, long[]> idBuckets() {
        return this == POJO
                ? new MapStateDescriptor<>(
                        "known-id-hashes-12",
                        Types.LONG,
                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)
                : new MapStateDescriptor<>(
                        "known-id-hashes-12", LongSerializer.INSTANCE, IdBucketSerializer.INSTANCE);
    }

    ValueStateDescriptor<PendingQueue> pending() {
        return this == POJO
                ? new ValueStateDescriptor<>("pending", Types.POJO(PendingQueue.class))
                : new ValueStateDescriptor<>("pending", PendingQueueSerializer.INSTANCE);
    }

    MapStateDescriptor<String, UserChannels> channels() {
        return this == POJO
                ? new MapStateDescriptor<>("channels", Types.STRING, Types.POJO(UserChannels.class))
                : new MapStateDescriptor<>(
                        "channels", BulkStringSerializer.INSTANCE, UserChannelsSerializer.INSTANCE);
    }

    MapStateDescriptor<String, NodeRuntime> nodes() {
        return this == POJO
                ? new MapStateDescriptor<>("nodes", Types.STRING, Types.POJO(NodeRuntime.class))
                : new MapStateDescriptor<>(
                        "nodes", BulkStringSerializer.INSTANCE, NodeRuntimeSerializer.INSTANCE);
    }
}
