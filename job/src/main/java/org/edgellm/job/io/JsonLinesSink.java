package org.edgellm.job.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A bounded-run sink for replay: each subtask appends one JSON line per record to {@code
 * DIR/PREFIX-SUBTASK.jsonl}. Replay merges and sorts the parts when the job has finished.
 */
public final class JsonLinesSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Renders a record as one line of JSON. */
    @FunctionalInterface
    public interface Renderer<T> extends Serializable {
        String render(T value);
    }

    private final String dir;
    private final String prefix;
    private final Renderer<T> renderer;

    public JsonLinesSink(Path dir, String prefix, Renderer<T> renderer) {
        this.dir = dir.toString();
        this.prefix = prefix;
        this.renderer = renderer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        Path file = Path.of(dir, prefix + "-" + subtask + ".jsonl");
        Files.createDirectories(file.getParent());
        BufferedWriter w =
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) throws IOException {
                w.write(renderer.render(element));
                w.write('\n');
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                w.flush();
            }

            @Override
            public void close() throws IOException {
                w.close();
            }
        };
    }
}
