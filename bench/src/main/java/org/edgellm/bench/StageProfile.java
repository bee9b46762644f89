package org.edgellm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * CPU samples by stage and GC pauses of a JFR recording ({@code jdk.ExecutionSample}, {@code
 * jdk.GarbageCollection}), for {@link KafkaJobBenchmark}: each sample's stack is mapped to a stage
 * of the job by the classes on it.
 */
final class StageProfile {
    static final List<String> STAGES =
            List.of(
                    "fetch (Kafka consumer in the job)",
                    "decode",
                    "validate",
                    "shuffle (serialize, network, deserialize)",
                    "coordinate",
                    "keyed state and checkpoints",
                    "solve",
                    "encode",
                    "produce (Kafka producer in the job)",
                    "Flink runtime, other",
                    "broker",
                    "bench load generator",
                    "bench decision reader",
                    "other");

    long samples;
    final Map<String, Long> byStage = new LinkedHashMap<>();
    long gcCount;
    long gcPauseNanos;
    long gcMaxNanos;
    String gcName = "";

    /** The profile of the recording's events that start within [from, to). */
    static StageProfile read(Path file, Instant from, Instant to) throws IOException {
        StageProfile p = new StageProfile();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getStartTime().isBefore(from) || !e.getStartTime().isBefore(to)) {
                continue;
            }
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                p.samples++;
                p.byStage.merge(
                        stage(e.getThread("sampledThread"), e.getStackTrace()), 1L, Long::sum);
            } else if (type.equals("jdk.GarbageCollection")) {
                p.gcCount++;
                long sum = e.getDuration("sumOfPauses").toNanos();
                p.gcPauseNanos += sum;
                p.gcMaxNanos = Math.max(p.gcMaxNanos, e.getDuration("longestPause").toNanos());
                String name = e.getString("name");
                if (!p.gcName.contains(name)) {
                    p.gcName = p.gcName.isEmpty() ? name : p.gcName + ", " + name;
                }
            }
        }
        return p;
    }

    static final List<String> BROKER =
            List.of(
                    "kafka.",
                    "org.apache.kafka.server.",
                    "org.apache.kafka.storage.",
                    "org.apache.kafka.raft.",
                    "org.apache.kafka.controller.",
                    "org.apache.kafka.coordinator.",
                    "org.apache.kafka.network.",
                    "org.apache.kafka.metadata.",
                    "org.apache.kafka.image.",
                    "org.apache.kafka.queue.",
                    "org.apache.kafka.common.test.");

    /** One frame of a sampled stack: its class and method names. */
    record Frame(String className, String method) {}

    /** The stage of one JFR sample. */
    static String stage(RecordedThread thread, RecordedStackTrace trace) {
        String tn = thread == null || thread.getJavaName() == null ? "" : thread.getJavaName();
        List<Frame> frames = null;
        if (trace != null) {
            List<RecordedFrame> recorded = trace.getFrames();
            frames = new ArrayList<>(recorded.size());
            for (RecordedFrame f : recorded) {
                frames.add(new Frame(f.getMethod().getType().getName(), f.getMethod().getName()));
            }
        }
        return stage(tn, frames);
    }

    /**
     * The stage of one sample: by thread for the bench's own clients, else by its stack (leaf
     * first; null when the sample has no stack).
     */
    static String stage(String tn, List<Frame> frames) {
        if (tn.startsWith("bench-load") || tn.endsWith("| bench-load")) {
            return "bench load generator";
        }
        if (tn.startsWith("bench-read") || tn.endsWith("| bench-read")) {
            return "bench decision reader";
        }
        if (frames == null) {
            return "other";
        }
        for (Frame f : frames) {
            String c = f.className();
            for (String b : BROKER) {
                if (c.startsWith(b)) {
                    return "broker";
                }
            }
        }
        String weak = null;
        for (Frame f : frames) { // leaf first: the innermost stage wins
            String c = f.className();
            String m = f.method();
            if (c.startsWith("org.edgellm.scheduler.")) {
                return "solve";
            }
            if (c.equals("org.edgellm.events.EventCodec")) {
                return m.startsWith("encode") ? "encode" : "decode";
            }
            if (c.startsWith("org.edgellm.job.io.KafkaIo$")) {
                return "encode";
            }
            if (c.equals("org.edgellm.job.EventValidator")) {
                return m.equals("decode") ? "decode" : "validate";
            }
            if (c.equals("org.edgellm.job.io.KafkaInputDeserializer")
                    || c.startsWith("org.edgellm.job.SchedulerPipeline$Split")) {
                return "validate";
            }
            if (c.startsWith("org.apache.flink.runtime.state.")
                    || c.startsWith("org.apache.flink.state.")
                    || c.startsWith("org.apache.flink.contrib.streaming.state.")
                    || c.startsWith("org.rocksdb.")
                    || c.startsWith("org.apache.flink.runtime.checkpoint.")) {
                return "keyed state and checkpoints";
            }
            if (handWrittenSerializer(c)) {
                // like Flink's own serializers: the caller decides (keyed state, the network)
                if (weak == null) {
                    weak = "shuffle (serialize, network, deserialize)";
                }
                continue;
            }
            if (c.startsWith("org.edgellm.job.")) {
                return "coordinate";
            }
            if (c.startsWith("org.apache.flink.connector.kafka.sink.")
                    || c.startsWith("org.apache.kafka.clients.producer.")) {
                return "produce (Kafka producer in the job)";
            }
            if (c.startsWith("org.apache.flink.connector.kafka.source.")
                    || c.startsWith("org.apache.kafka.clients.consumer.")) {
                return "fetch (Kafka consumer in the job)";
            }
            if (weak == null
                    && (c.startsWith("org.apache.flink.api.java.typeutils.")
                            || c.startsWith("org.apache.flink.api.common.typeutils.")
                            || c.startsWith("org.apache.flink.formats.avro.typeutils.")
                            || c.startsWith("com.esotericsoftware.kryo.")
                            || c.startsWith("org.apache.flink.runtime.io.network.")
                            || c.startsWith("org.apache.flink.runtime.plugable.")
                            || c.startsWith("org.apache.flink.streaming.runtime.io.")
                            || c.startsWith("org.apache.flink.streaming.runtime.streamrecord."))) {
                weak = "shuffle (serialize, network, deserialize)";
            }
        }
        if (weak != null) {
            return weak;
        }
        for (Frame f : frames) {
            String c = f.className();
            if (c.startsWith("org.apache.flink.")) {
                return "Flink runtime, other";
            }
            if (c.startsWith("org.apache.kafka.clients.")) {
                return "fetch (Kafka consumer in the job)";
            }
        }
        return "other";
    }

    /**
     * The job's hand-written serializers and their shared field code: classed like Flink's
     * serializers, by the frames that call them, so that a heap snapshot or copy-on-write through
     * them counts as keyed state (not as the coordinator, their package), and the network's as the
     * shuffle.
     */
    static boolean handWrittenSerializer(String className) {
        return className.startsWith("org.edgellm.job.")
                && (className.endsWith("Serializer")
                        || className.endsWith("SerializerSnapshot")
                        || className.equals("org.edgellm.job.StateFields"));
    }

    /** The share of the samples in a stage (0 without samples). */
    double share(String stage) {
        return samples == 0 ? 0 : byStage.getOrDefault(stage, 0L) / (double) samples;
    }
}
