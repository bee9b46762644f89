package org.edgellm.worker;

import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The settings of a {@link Worker}'s three Kafka clients. */
final class ClientProperties {
    private ClientProperties() {}

    /** What every client of the worker shares: the brokers, then the user's settings. */
    static Properties common(Worker.Settings s) {
        Properties p = new Properties();
        p.put("bootstrap.servers", s.bootstrapServers());
        p.putAll(s.kafka());
        return p;
    }

    /**
     * The decision consumer: group {@code worker-<node>}, {@code read_committed}, offsets committed
     * only in the worker's transactions.
     */
    static Properties consumer(Worker.Settings s) {
        Properties cp = common(s);
        cp.put("group.id", "worker-" + s.nodeId());
        cp.put("isolation.level", "read_committed");
        cp.put("enable.auto.commit", "false");
        cp.put("auto.offset.reset", "earliest");
        cp.put("max.poll.records", "20");
        // static membership: a worker restarted after a crash takes its partitions back at once
        // instead of waiting for the dead member's session to time out (45 s by default); the
        // user's settings win
        cp.putIfAbsent("group.instance.id", "worker-" + s.nodeId());
        cp.putIfAbsent("session.timeout.ms", "10000");
        cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
        cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return cp;
    }

    /**
     * The transactional producer of completions, dead letters and in-transaction heartbeats:
     * transactional id {@code worker-<node>}, so a restarted worker fences its predecessor.
     */
    static Properties transactional(Worker.Settings s) {
        Properties pp = common(s);
        pp.put("transactional.id", "worker-" + s.nodeId());
        pp.put("key.serializer", ByteArraySerializer.class.getName());
        pp.put("value.serializer", ByteArraySerializer.class.getName());
        return pp;
    }

    /** The producer of the periodic heartbeats (not transactional). */
    static Properties heartbeats(Worker.Settings s) {
        Properties hp = common(s);
        hp.put("key.serializer", ByteArraySerializer.class.getName());
        hp.put("value.serializer", ByteArraySerializer.class.getName());
        return hp;
    }
}
