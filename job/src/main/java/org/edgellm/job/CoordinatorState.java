package org.edgellm.job;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;

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
 * end, user id, node id) keep their serializers: Flink cannot migrate map keys.
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

    ValueStateDescriptor<PendingQueue> pending() {
        return this == POJO
                ? new ValueStateDescriptor<>("pending", Types.POJO(PendingQueue.class))
                : new ValueStateDescriptor<>("pending", PendingQueueSerializer.INSTANCE);
    }

    MapStateDescriptor<String, UserChannels> channels() {
        return this == POJO
                ? new MapStateDescriptor<>("channels", Types.STRING, Types.POJO(UserChannels.class))
                : new MapStateDescriptor<>(
                        "channels", StringSerializer.INSTANCE, UserChannelsSerializer.INSTANCE);
    }

    MapStateDescriptor<String, NodeRuntime> nodes() {
        return this == POJO
                ? new MapStateDescriptor<>("nodes", Types.STRING, Types.POJO(NodeRuntime.class))
                : new MapStateDescriptor<>(
                        "nodes", StringSerializer.INSTANCE, NodeRuntimeSerializer.INSTANCE);
    }
}
