package org.edgellm.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.NodeTelemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge GPU worker of one node. It reads the decision topic with {@code read_committed}, takes
 * the batches for its node in order, runs them on its backend and reports back:
 *
 * <ul>
 *   <li>one {@link Completion} per request, produced in a Kafka transaction together with the
 *       consumed offsets (consume-process-produce exactly once);
 *   <li>a {@link DeadLetter} (on the dead-letter topic, in the same transaction as its offset) for
 *       a record keyed by this node that is not a decision for this node: undecodable, or naming
 *       another node. Nothing read is dropped silently.
 *   <li>{@link NodeTelemetry} heartbeats: healthy, busy-until (the expected end of the batch it
 *       runs, or now when idle), the measured slowdown (measured over predicted compute time,
 *       smoothed), which the job folds into its predictions, and finished-through (the slot end of
 *       the last decision whose completions are committed), by which the job tells finished batches
 *       from lost ones.
 * </ul>
 *
 * <h2>Each decision once, across crashes</h2>
 *
 * A decision D of this node, read at offset o of its partition, goes through these steps; {@link
 * FinishedLog} is the worker's state directory, every write to it forced to disk:
 *
 * <ol>
 *   <li>D committed in the log: a duplicate (a restart, or the job's at-least-once mode); only the
 *       offset is committed.
 *   <li>D pending in the log (run before, its transaction not committed): its stored completions
 *       are taken; otherwise D runs on the backend ({@link Step#BEFORE_RUN}, {@link
 *       Step#AFTER_RUN}).
 *   <li>D recorded pending with its completions' bytes and (topic, partition, o) ({@link
 *       Step#AFTER_LOG}).
 *   <li>One transaction: the completions and the offset o + 1 ({@link Step#BEFORE_COMMIT}), then
 *       the commit ({@link Step#AFTER_COMMIT}).
 *   <li>D recorded committed; finished-through moves to D's slot end.
 * </ol>
 *
 * At start, {@code initTransactions} fences the previous producer of this node and completes its
 * last transaction (an open one is aborted). Then every pending decision of the log is settled by
 * the group's committed offset of its partition, which moves only in this node's transactions: at
 * or above o + 1, the transaction that carried D's completions committed, and D is recorded
 * committed; below it, that transaction was aborted and D stays pending. Finished-through starts at
 * the largest slot end of the committed decisions. A crash at each point:
 *
 * <ul>
 *   <li><b>before the run</b>: nothing written; o is not committed, D is delivered again and runs.
 *   <li><b>after the run, before the log</b>: the results exist only in memory and are lost; D is
 *       delivered again and runs again (the GPU work twice, the completions committed once).
 *   <li><b>after the log, before the commit</b> (also a commit that failed or timed out): settled
 *       at start by the committed offset. Aborted: D stays pending, is delivered again from the
 *       uncommitted offset, and its stored completions are published in the new transaction without
 *       running it again. Committed (the commit reached the broker): as below. Finished-through
 *       does not reach D's slot end before the commit that carries them.
 *   <li><b>after the commit, before the committed mark</b>: the start finds the offset past o and
 *       records D committed; D is not delivered again from o, and a later copy is skipped.
 *   <li><b>after the mark</b>: D is committed in the log and on Kafka.
 * </ul>
 *
 * <h2>Leases: fencing against re-dispatch</h2>
 *
 * A decision since schema v3 carries a lease ({@code leaseUntil}). Past it, by this worker's clock,
 * the worker neither starts the batch nor publishes its completions, even completions stored before
 * a crash: it records the decision refused in the log (so a later copy is skipped), commits only
 * the offset, and names the decision in the {@code refused} list of its heartbeats for ten minutes.
 * The job may give the batch's requests to another node once a refusal says so, or once a heartbeat
 * stamped after the lease does not show the batch finished: no heartbeat is sent while a commit is
 * in flight (from the last lease check until finished-through has moved), so such a heartbeat
 * proves the batch will never be committed, whatever the commit's duration (a broker outage can
 * hold it for many seconds). Both the lease check and the heartbeat's stamp read this worker's
 * clock. A worker not heard since the lease is judged later (a heartbeat timeout after it, and not
 * while the job works off a backlog).
 *
 * <p>The settling assumes that nobody else moves the group's offsets (resetting them by hand, or
 * the broker expiring them after the group was empty for {@code offsets.retention.minutes}): an
 * offset found missing counts as not committed.
 *
 * <h2>Its pieces</h2>
 *
 * This class is the loop that ties them, and the transactional path of a decision ({@code handle}),
 * whose order of operations is the protocol above: {@link DeadLetters} tells decisions from dead
 * letters and builds the dead-letter record; {@link BatchRunner} runs a batch and keeps busy-until
 * and the measured slowdown; {@link Leases} judges leases and keeps the refusals; {@link
 * Heartbeats} builds and sends the heartbeats; {@link PendingDecisions} settles the log at start;
 * {@link ClientProperties} configures the Kafka clients. The commit-in-flight flag and
 * finished-through stay here: they are set at given points of that path.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /**
     * Settings of one worker; {@code capabilities} go with every heartbeat, or null for none;
     * records keyed by this node that are no decision for it go to {@code deadLetterTopic}.
     */
    public record Settings(
            String bootstrapServers,
            String nodeId,
            String domainId,
            String decisionsTopic,
            String completionsTopic,
            String telemetryTopic,
            Path stateDir,
            long heartbeatMs,
            Map<String, String> kafka,
            org.edgellm.events.NodeCapabilities capabilities,
            String deadLetterTopic) {

        /** The job's default dead-letter topic. */
        public static final String DEFAULT_DEAD_LETTER_TOPIC = "dead-letters";

        /** Settings with the default dead-letter topic. */
        public Settings(
                String bootstrapServers,
                String nodeId,
                String domainId,
                String decisionsTopic,
                String completionsTopic,
                String telemetryTopic,
                Path stateDir,
                long heartbeatMs,
                Map<String, String> kafka,
                org.edgellm.events.NodeCapabilities capabilities) {
            this(
                    bootstrapServers,
                    nodeId,
                    domainId,
                    decisionsTopic,
                    completionsTopic,
                    telemetryTopic,
                    stateDir,
                    heartbeatMs,
                    kafka,
                    capabilities,
                    DEFAULT_DEAD_LETTER_TOPIC);
        }
    }

    /** The steps of a decision at which {@link Steps} is called. */
    enum Step {
        /** Not yet run: nothing written. */
        BEFORE_RUN,
        /** Run, its completions in memory only. */
        AFTER_RUN,
        /** Recorded pending in the log with its completions; no transaction begun. */
        AFTER_LOG,
        /** Completions and offset sent in the open transaction, not yet acknowledged. */
        AFTER_SEND,
        /**
         * Completions and offset acknowledged in the open transaction, the lease checked a last
         * time; not committed.
         */
        BEFORE_COMMIT,
        /** Committed on Kafka, not yet recorded committed in the log. */
        AFTER_COMMIT
    }

    /** Called at each step of a decision of this node; a test makes it throw to crash there. */
    @FunctionalInterface
    interface Steps {
        Steps NONE = (step, decision) -> {};

        void at(Step step, BatchDecision decision) throws Exception;
    }

    private final Settings s;
    private final FinishedLog finished;
    private final Steps steps;
    private final WorkerMetrics metrics;
    private final LongSupplier clock;
    private final AtomicBoolean running = new AtomicBoolean(true);

    /** Runs the batches; busy-until and the measured slowdown. */
    private final BatchRunner runner;

    /** The lease checks and the refusals the heartbeats repeat. */
    private final Leases leases;

    /** Slot end of the last decision finished (decisions of a node arrive in slot order). */
    private volatile long finishedThrough;

    /**
     * Set before the last lease check of a batch and cleared once its commit has returned and
     * {@link #finishedThrough} has moved: no heartbeat is sent in between. So a heartbeat stamped
     * after a batch's lease that does not show it finished proves it will never be committed (its
     * commit would have had to pass the lease check before that stamp, and would have kept the
     * heartbeat back until finished-through showed it): the job settles it at once.
     */
    private volatile boolean committing;

    /** The heartbeats, built from the state above. */
    private final Heartbeats telemetry;

    private volatile long batches;
    private volatile long deadLetters;

    public Worker(Settings s, Backend backend) throws java.io.IOException {
        this(s, backend, Steps.NONE);
    }

    /** A worker that reports to {@code metrics} (served or not by its owner). */
    public Worker(Settings s, Backend backend, WorkerMetrics metrics) throws java.io.IOException {
        this(s, backend, Steps.NONE, metrics);
    }

    Worker(Settings s, Backend backend, Steps steps) throws java.io.IOException {
        this(s, backend, steps, new WorkerMetrics(s.nodeId()));
    }

    Worker(Settings s, Backend backend, Steps steps, WorkerMetrics metrics)
            throws java.io.IOException {
        this(s, backend, steps, metrics, System::currentTimeMillis);
    }

    /** With a given wall clock (epoch ms): the one a lease is judged by. */
    Worker(Settings s, Backend backend, Steps steps, WorkerMetrics metrics, LongSupplier clock)
            throws java.io.IOException {
        this.clock = clock;
        this.s = s;
        this.steps = steps;
        this.metrics = metrics;
        this.finished = new FinishedLog(s.stateDir().resolve("finished-" + s.nodeId() + ".log"));
        this.runner =
                new BatchRunner(
                        backend,
                        metrics,
                        new SlowdownFile(s.stateDir().resolve("slowdown-" + s.nodeId())));
        this.leases = new Leases(finished, clock);
        this.telemetry = new Heartbeats(s, clock, new HeartbeatState());
    }

    /** What the heartbeats report, read when they are built. */
    private final class HeartbeatState implements Heartbeats.State {
        @Override
        public boolean running() {
            return running.get();
        }

        @Override
        public boolean committing() {
            return committing;
        }

        @Override
        public long finishedThrough() {
            return finishedThrough;
        }

        @Override
        public List<String> refused() {
            return leases.recent();
        }

        @Override
        public double busyUntil() {
            return runner.busyUntil();
        }

        @Override
        public double slowdown() {
            return runner.slowdown();
        }
    }

    public void stop() {
        running.set(false);
    }

    /** The batches whose completions this worker committed (run here, or stored before a crash). */
    public long batches() {
        return batches;
    }

    /** The dead letters this worker committed. */
    public long deadLetters() {
        return deadLetters;
    }

    /** The slot end the heartbeats report as finished through (epoch ms). */
    long finishedThrough() {
        return finishedThrough;
    }

    /** Runs until {@link #stop()}, or until a step fails (then the worker is stopped). */
    public void run() throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(ClientProperties.consumer(s));
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(ClientProperties.transactional(s));
                KafkaProducer<byte[], byte[]> heartbeats =
                        new KafkaProducer<>(ClientProperties.heartbeats(s))) {
            // fences the previous producer of this node and completes its last transaction, so
            // the committed offsets read next are final
            producer.initTransactions();
            finishedThrough =
                    Math.max(finishedThrough, PendingDecisions.settle(finished, consumer));
            leases.reload();
            consumer.subscribe(List.of(s.decisionsTopic()));
            Thread beat = new Thread(() -> telemetry.loop(heartbeats), "heartbeat-" + s.nodeId());
            beat.setDaemon(true);
            beat.start();
            try {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        if (!running.get()) {
                            break;
                        }
                        handle(r, consumer, producer);
                    }
                    metrics.decisionsLag(lag(consumer));
                }
            } finally {
                // stopped or crashed: no heartbeat outlives the loop
                running.set(false);
                beat.interrupt();
                beat.join();
            }
        }
    }

    private void handle(
            ConsumerRecord<byte[], byte[]> r,
            KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> producer)
            throws Exception {
        DeadLetters.Read read = DeadLetters.read(r, s.nodeId());
        BatchDecision d = read.decision();
        String error = read.error();
        if (error != null) {
            LOG.warn(
                    "undecodable decision at {}-{}@{}, to {}: {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    s.deadLetterTopic(),
                    error);
        }
        List<FinishedLog.Stored> out = List.of();
        if (d != null && finished.contains(d.getDecisionId())) {
            d = null; // committed or refused before: a copy (at-least-once) or a restart
        }
        if (d != null && leases.over(d)) {
            refuse(d, "before its run");
            d = null; // only the offset is committed
        }
        if (d != null) {
            FinishedLog.Pending before = finished.pending(d.getDecisionId());
            if (before != null) {
                // run before a crash, not committed: publish what it produced, not run it again
                out = before.completions();
            } else {
                steps.at(Step.BEFORE_RUN, d);
                out = runner.run(d);
                steps.at(Step.AFTER_RUN, d);
            }
            // from here until the commit has returned and finished-through has moved, no heartbeat
            // is sent: a heartbeat sent after the lease must prove the batch will never commit
            committing = true;
            if (leases.over(d)) {
                committing = false;
                // it ran past its lease: the job may already have given its requests to another
                // node, so its completions must not be published
                refuse(d, "after its run");
                d = null;
                out = List.of();
            }
        }
        if (d != null) {
            finished.addPending(
                    new FinishedLog.Pending(
                            d.getDecisionId(),
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            d.getSlotEnd().toEpochMilli(),
                            out));
            steps.at(Step.AFTER_LOG, d);
        }

        producer.beginTransaction();
        for (FinishedLog.Stored c : out) {
            producer.send(new ProducerRecord<>(s.completionsTopic(), c.key(), c.value()));
        }
        if (error != null) {
            producer.send(DeadLetters.record(s.deadLetterTopic(), r, s.nodeId(), error));
        }
        if (d != null) {
            // the proof that the batch finished travels in its own transaction: a read_committed
            // job sees this heartbeat exactly when it can see the completions, so a worker that
            // dies right after its commit is not taken for one that never committed
            producer.send(
                    telemetry.record(
                            clock.getAsLong(),
                            Math.max(finishedThrough, d.getSlotEnd().toEpochMilli()),
                            leases.recent()));
        }
        producer.sendOffsetsToTransaction(next(r), consumer.groupMetadata());
        if (d != null) {
            steps.at(Step.AFTER_SEND, d);
            // the sends wait while the broker is away (an outage can last many seconds): once they
            // are acknowledged, the lease is checked a last time, so that a commit begins only
            // within the lease; past it, the transaction is aborted and the batch refused
            producer.flush();
            if (leases.over(d)) {
                producer.abortTransaction();
                refuse(d, "while its completions waited for the broker");
                committing = false;
                producer.beginTransaction();
                producer.sendOffsetsToTransaction(next(r), consumer.groupMetadata());
                producer.commitTransaction();
                return;
            }
            steps.at(Step.BEFORE_COMMIT, d);
        }
        producer.commitTransaction();
        if (error != null) {
            deadLetters++;
            metrics.deadLetterCommitted();
        }
        if (d != null) {
            steps.at(Step.AFTER_COMMIT, d);
            finished.markCommitted(d.getDecisionId());
            batches++;
            metrics.batchCommitted(d, out);
            // its completions committed: finished
            finishedThrough = Math.max(finishedThrough, d.getSlotEnd().toEpochMilli());
            // heartbeats again; a commit that threw leaves them off (its outcome is unknown until
            // a restart's initTransactions settles it)
            committing = false;
        }
    }

    /** The group offset that marks the record handled: the one after it. */
    private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecord<byte[], byte[]> r) {
        return Map.of(
                new TopicPartition(r.topic(), r.partition()),
                new OffsetAndMetadata(r.offset() + 1));
    }

    /**
     * Refuses a decision whose lease is over ({@link Leases#refuse}: recorded durably, named in the
     * heartbeats' list), then lets finished-through pass it. Leases are checked before the run,
     * after it, and once the transaction's sends are acknowledged, just before the commit; a commit
     * that passed the last check can still be held by a broker that dies during it. The heartbeats
     * stay off meanwhile ({@link #committing}), so the job never takes a heartbeat for proof that
     * such a batch will not commit.
     */
    private void refuse(BatchDecision d, String when) throws java.io.IOException {
        leases.refuse(d, when);
        // handled: finished-through passes it (after the refusal is in the heartbeats' list), so
        // the job sees progress; a node whose batches were all refused is not taken for stalled
        finishedThrough = Math.max(finishedThrough, d.getSlotEnd().toEpochMilli());
        metrics.batchRefused();
    }

    /**
     * Records of the assigned partitions not yet handled, from the consumer's cached end offsets
     * (the last stable offset under read_committed) and positions; unknown partitions count 0.
     */
    private static long lag(KafkaConsumer<byte[], byte[]> consumer) {
        long sum = 0;
        for (TopicPartition tp : consumer.assignment()) {
            sum += consumer.currentLag(tp).orElse(0);
        }
        return sum;
    }

    @Override
    public void close() throws java.io.IOException {
        stop();
        finished.close();
    }
}
