package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import org.edgellm.job.InputEvent;

/**
 * Runs domain schedulers over recorded events in one thread, with the event-time semantics of the
 * Flink job: each event joins the slot it falls in (a late one the next slot to close), the
 * watermark trails the latest event time by the out-of-orderness (plus one millisecond, as Flink's
 * bounded-out-of-orderness generator does), a slot closes when the watermark reaches its end, each
 * domain's timers fire in time order (one timer per domain and time), and at the end of the input
 * the watermark jumps to the end of time so that every remaining timer fires. Given events that are
 * not late in the job either (sorted within the out-of-orderness), it decides exactly as the job's
 * replay does.
 */
public final class EventTimeDriver {

    /** Receives what each closed slot produced. */
    public interface Listener {
        void slotClosed(SlotOutcome outcome);
    }

    private final DomainScheduler scheduler;
    private final DomainSettings settings;
    private final Listener listener;
    private final Map<String, Domain> domains = new HashMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long watermark = Long.MIN_VALUE;
    private long maxTime = Long.MIN_VALUE;
    private int slotsClosed;

    private record Timer(long time, String domain) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : domain.compareTo(o.domain);
        }
    }

    private static final class Domain {
        final MemoryDomainState state = new MemoryDomainState();
        final TreeMap<Long, List<InputEvent>> buffer = new TreeMap<>();
        final TreeSet<Long> timers = new TreeSet<>();
    }

    public EventTimeDriver(DomainScheduler scheduler, Listener listener) {
        this.scheduler = scheduler;
        this.settings = scheduler.settings();
        this.listener = listener;
    }

    /** One valid event (requests, channels, telemetry), in arrival order. */
    public void accept(InputEvent e) {
        if (e.time > maxTime) {
            maxTime = e.time;
            advanceTo(maxTime - settings.outOfOrdernessMs() - 1);
        }
        Domain d = domains.computeIfAbsent(e.domainId, k -> new Domain());
        long slot =
                Slots.slotOf(
                        e.time, watermark, settings.slotMs(), settings.slotPhaseMs(e.domainId));
        d.buffer.computeIfAbsent(slot, k -> new ArrayList<>(4)).add(e);
        register(e.domainId, d, slot);
    }

    /** The end of the input: every remaining timer fires. */
    public void finish() {
        advanceTo(Long.MAX_VALUE);
    }

    /** The state of a domain (null if it never had an event). */
    public MemoryDomainState state(String domain) {
        Domain d = domains.get(domain);
        return d == null ? null : d.state;
    }

    /** Buffered events not applied yet, over all domains. */
    public int buffered() {
        int n = 0;
        for (Domain d : domains.values()) {
            for (List<InputEvent> l : d.buffer.values()) {
                n += l.size();
            }
        }
        return n;
    }

    public int slotsClosed() {
        return slotsClosed;
    }

    private void register(String key, Domain d, long time) {
        if (d.timers.add(time)) {
            timers.add(new Timer(time, key));
        }
    }

    private void advanceTo(long wm) {
        if (wm <= watermark) {
            return;
        }
        watermark = wm;
        Timer t;
        while ((t = timers.peek()) != null && t.time <= watermark) {
            timers.poll();
            Domain d = domains.get(t.domain);
            d.timers.remove(t.time);
            List<InputEvent> due = new ArrayList<>();
            var head = d.buffer.headMap(t.time, true);
            for (List<InputEvent> l : head.values()) {
                due.addAll(l);
            }
            head.clear();
            SlotOutcome o =
                    scheduler.closeSlot(
                            t.domain, t.time, due, d.state, watermark == Long.MAX_VALUE);
            slotsClosed++;
            listener.slotClosed(o);
            if (o.nextWakeUp() != SlotOutcome.NONE) {
                register(t.domain, d, o.nextWakeUp());
            }
        }
    }
}
