package org.edgellm.job;

import static org.edgellm.job.StateFields.readRequest;
import static org.edgellm.job.StateFields.writeRequest;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link PendingQueue} (the coordinator's {@code pending} state) by hand: its size, then
 * its array as it is (its length, which is the queue's capacity, and each slot with a presence
 * mark: the unused slots past the size cost one byte each), so a restored queue is the same object
 * graph. State of earlier releases, written with Flink's POJO serializer, migrates on restore
 * ({@link StateSerializerSnapshot}).
 */
public final class PendingQueueSerializer extends HandWrittenSerializer<PendingQueue> {
    private static final long serialVersionUID = 1L;

    public static final PendingQueueSerializer INSTANCE = new PendingQueueSerializer();

    @Override
    public PendingQueue createInstance() {
        return new PendingQueue();
    }

    @Override
    public PendingQueue copy(PendingQueue from) {
        if (from == null) {
            return null;
        }
        PendingQueue q = new PendingQueue();
        q.size = from.size;
        if (from.items == null) {
            q.items = null;
        } else {
            q.items = new RequestEvent[from.items.length];
            for (int i = 0; i < from.items.length; i++) {
                q.items[i] = StateFields.copy(from.items[i]);
            }
        }
        return q;
    }

    @Override
    public void writeFields(PendingQueue q, DataOutputView out) throws IOException {
        out.writeInt(q.size);
        if (q.items == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(q.items.length);
        for (RequestEvent r : q.items) {
            writeRequest(r, out);
        }
    }

    @Override
    public PendingQueue deserialize(DataInputView in) throws IOException {
        PendingQueue q = new PendingQueue();
        q.size = in.readInt();
        int n = in.readInt();
        if (n < 0) {
            q.items = null;
            return q;
        }
        q.items = new RequestEvent[n];
        for (int i = 0; i < n; i++) {
            q.items[i] = readRequest(in);
        }
        return q;
    }

    @Override
    public TypeSerializerSnapshot<PendingQueue> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: size, then the array with its requests. */
    public static final class Snapshot extends StateSerializerSnapshot<PendingQueue> {
        static final int VERSION = 1;

        public Snapshot() {
            super(PendingQueue.class, VERSION, v -> v == 1 ? INSTANCE : null);
        }
    }
}
