package org.edgellm.job;

import java.io.IOException;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes one serialized state value to a stream in a single call, with exactly the bytes that
 * writing it field by field would produce.
 *
 * <p>The heap state backend writes a checkpoint through a {@code java.io.DataOutputStream} over the
 * checkpoint file: every {@code write(int)} there is a synchronized call, and Flink's string format
 * ({@code StringValue.writeString}) makes one such call per character. In a profile of the job at
 * 10,000 requests/s with exactly-once (checkpoints every 100 ms), the checkpoint threads spent
 * about half their time in that one method (docs/bench-job.md). A value written first into a
 * per-thread array-backed buffer and then handed over whole costs one call instead of one per byte.
 * Where the output already is such a buffer (the network at the {@code keyBy}, RocksDB's values),
 * the value is written straight into it. A buffer grown beyond {@link #KEPT_BYTES} for one large
 * value is dropped after it (such a value regrows one each time); one value cannot exceed the 2 GB
 * of an array.
 */
final class BulkWrite {
    /** What writes a value field by field (a hand-written serializer). */
    interface Fields<T> {
        void writeFields(T value, DataOutputView out) throws IOException;
    }

    private static final int START_BYTES = 4096;

    /** A buffer that grew beyond this for one large value is not kept for the next. */
    static final int KEPT_BYTES = 1 << 20;

    private static final ThreadLocal<BulkWrite> PER_THREAD =
            ThreadLocal.withInitial(BulkWrite::new);

    private DataOutputSerializer buffer = new DataOutputSerializer(START_BYTES);

    /** Whether this thread is writing a value through the buffer (a value nested in another). */
    private boolean busy;

    private BulkWrite() {}

    /** Writes the value's fields to out, through this thread's buffer when out is a stream. */
    static <T> void write(T value, DataOutputView out, Fields<T> fields) throws IOException {
        if (out instanceof DataOutputSerializer) {
            fields.writeFields(value, out);
            return;
        }
        BulkWrite b = PER_THREAD.get();
        if (b.busy) {
            // only if a writer handed the outer stream to a nested one: write through
            fields.writeFields(value, out);
            return;
        }
        b.busy = true;
        try {
            fields.writeFields(value, b.buffer);
            out.write(b.buffer.getSharedBuffer(), 0, b.buffer.length());
        } finally {
            if (b.buffer.getSharedBuffer().length > KEPT_BYTES) {
                b.buffer = new DataOutputSerializer(START_BYTES);
            } else {
                b.buffer.clear();
            }
            b.busy = false;
        }
    }
}
