package org.edgellm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.TelemetryEvent;
import org.edgellm.job.Topology;
import org.edgellm.job.domain.Decision;
import org.edgellm.job.domain.DomainScheduler;
import org.edgellm.job.domain.DomainSettings;
import org.edgellm.job.domain.MemoryDomainState;
import org.edgellm.job.domain.SlotOutcome;
import org.edgellm.job.domain.Slots;

/**
 * How long a slot's outcome waits on its subtask's thread behind the other domains' closings, with
 * aligned and with staggered slot ends ({@code --slot-stagger}), without Kafka or Flink. The
 * Flink-free domain core ({@link DomainScheduler#closeSlot} over in-memory state) gets the load of
 * {@code bench.jar job} (a channel state and a request per pair, round the domains, ten users per
 * domain, 15-s deadlines, the shape's sizes; every node's heartbeat ten times a second reporting
 * the batches finished as predicted) with the job's live at-least-once settings and the benchmark's
 * topology and 100-ms slots. The watermark advances in steps of the job's watermark interval; at
 * each step the timers it passes fire per subtask (domain index modulo the subtasks) in time order,
 * then by domain, as Flink's timer service fires them, and a slot's wait is the thread CPU time of
 * the closings before it in that step and subtask plus its own. Nothing reads the wall clock, so
 * the decisions of a mode are the same in every round; only the CPU times vary.
 */
final class SlotWaitBench {

    /** One run of one mode. */
    record Result(
            String stagger,
            int round,
            long decidedSlots,
            double[] decidedWaitMs, // mean, p50, p99, max
            long slots,
            double[] allWaitMs,
            int maxClosingsPerStep, // most closings one subtask did in one watermark step
            double closeCpuMs,
            long decidedRequests,
            long rejected) {}

    static final long SLOT_MS = JobBenchSetup.SLOT_MS;
    static final long STEP_MS = 20;

    private SlotWaitBench() {}

    static Result run(
            String stagger,
            int round,
            int domains,
            int seconds,
            int warmupSeconds,
            String policy,
            int ratePerDomain,
            int subtasks,
            KafkaJobBenchmark.Shape shape) {
        int nodes = 2;
        Topology topo = Topology.parse(JobBenchSetup.topology(domains, nodes), "slot-wait");
        JobConfig config =
                JobConfig.parse(
                        "--slot-ms",
                        Long.toString(SLOT_MS),
                        "--out-of-orderness-ms",
                        Long.toString(JobBenchSetup.OOO_MS),
                        "--watermark-interval-ms",
                        Long.toString(STEP_MS),
                        "--offer-unheard-nodes",
                        "true",
                        "--delivery",
                        "at-least-once",
                        "--policy",
                        policy,
                        "--slot-stagger",
                        stagger);
        SchedulerJob.liveDefaults(config);
        DomainSettings settings = config.domainSettings();
        DomainScheduler sched =
                new DomainScheduler(
                        topo,
                        settings,
                        () -> {
                            throw new IllegalStateException("the wall clock was read");
                        });
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long base = 1_800_000_000_000L;
        long end = base + seconds * 1000L;
        long measureFrom = base + warmupSeconds * 1000L;
        int totalRate = ratePerDomain * domains;
        boolean small = shape == KafkaJobBenchmark.Shape.SERVABLE;

        List<ArrayDeque<InputEvent>> buf = new ArrayList<>();
        List<MemoryDomainState> states = new ArrayList<>();
        long[] nextEnd = new long[domains];
        for (int d = 0; d < domains; d++) {
            buf.add(new ArrayDeque<>());
            states.add(new MemoryDomainState());
            nextEnd[d] = settings.slotEndAfter("dom-" + d, base);
        }
        // the simulated workers: per node its batches {computeEnd, slotEnd}, finished through,
        // busy until
        Map<String, ArrayDeque<double[]>> batches = new HashMap<>();
        Map<String, long[]> finished = new HashMap<>();
        Map<String, double[]> busy = new HashMap<>();
        List<Long> waitDecided = new ArrayList<>();
        List<Long> waitAll = new ArrayList<>();
        long cpuTotal = 0;
        long decided = 0;
        long rejected = 0;
        int maxClosings = 0;
        long pair = 0;
        long beatAt = base + 50;
        for (long wm = base + STEP_MS; wm <= end; wm += STEP_MS) {
            while (true) {
                long t = base + (long) Math.floor(pair * 1000.0 / totalRate);
                if (t >= wm) {
                    break;
                }
                int d = (int) (pair % domains);
                ChannelEvent c = new ChannelEvent();
                c.userId = LoadGenerator.user(pair, domains);
                c.domainId = "dom-" + d;
                c.nodeId = c.domainId + "-" + (char) ('a' + (int) ((pair / domains) % nodes));
                c.measuredAt = t;
                c.uplinkSpectralEfficiency = 4;
                c.downlinkSpectralEfficiency = 5;
                RequestEvent r = new RequestEvent();
                r.requestId = "q" + pair;
                r.userId = c.userId;
                r.domainId = c.domainId;
                r.arrivalTime = t;
                r.promptTokens = small ? 50 + (int) (pair % 200) : 100 + (int) (pair % 900);
                r.maxOutputTokens = small ? 10 + (int) (pair % 40) : 20 + (int) (pair % 200);
                r.deadline = t + 15_000;
                r.maxPplIncrease = 0.5;
                r.weight = 1;
                r.serviceClass = "standard";
                buf.get(d).add(InputEvent.of(c));
                buf.get(d).add(InputEvent.of(r));
                pair++;
            }
            for (; beatAt < wm; beatAt += 100) {
                for (int d = 0; d < domains; d++) {
                    for (int k = 0; k < nodes; k++) {
                        buf.get(d).add(beat(d, k, beatAt, batches, finished, busy));
                    }
                }
            }
            List<long[]> due = new ArrayList<>();
            for (int d = 0; d < domains; d++) {
                if (nextEnd[d] <= wm) {
                    due.add(new long[] {nextEnd[d], d});
                }
            }
            due.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
            long[] cum = new long[subtasks];
            int[] closings = new int[subtasks];
            for (long[] dd : due) {
                long slotEnd = dd[0];
                int d = (int) dd[1];
                // every buffered event before the slot end (a step's heartbeats are queued after
                // its requests, so the queue is not in time order)
                List<InputEvent> events = new ArrayList<>();
                ArrayDeque<InputEvent> q = buf.get(d);
                for (int k = q.size(); k > 0; k--) {
                    InputEvent e = q.poll();
                    if (e.time < slotEnd) {
                        events.add(e);
                    } else {
                        q.add(e);
                    }
                }
                long c0 = mx.getCurrentThreadCpuTime();
                SlotOutcome o = sched.closeSlot("dom-" + d, slotEnd, events, states.get(d));
                long c1 = mx.getCurrentThreadCpuTime();
                nextEnd[d] = slotEnd + SLOT_MS;
                int s = d % subtasks;
                cum[s] += c1 - c0;
                closings[s]++;
                for (Decision dec : o.decisions()) {
                    batches.computeIfAbsent(dec.nodeId(), x -> new ArrayDeque<>())
                            .add(new double[] {dec.computeEndMs(), dec.slotEnd()});
                    double[] b =
                            busy.computeIfAbsent(
                                    dec.nodeId(), x -> new double[] {Double.NEGATIVE_INFINITY});
                    b[0] = Math.max(b[0], dec.computeEndMs());
                }
                if (slotEnd > measureFrom) {
                    cpuTotal += c1 - c0;
                    waitAll.add(cum[s]);
                    if (!o.decisions().isEmpty()) {
                        waitDecided.add(cum[s]);
                    }
                    for (Decision dec : o.decisions()) {
                        decided += dec.requests().size();
                    }
                    rejected += o.rejections().size();
                }
            }
            if (wm > measureFrom) {
                for (int n : closings) {
                    maxClosings = Math.max(maxClosings, n);
                }
            }
        }
        return new Result(
                stagger,
                round,
                waitDecided.size(),
                summary(waitDecided),
                waitAll.size(),
                summary(waitAll),
                maxClosings,
                cpuTotal / 1e6,
                decided,
                rejected);
    }

    /** A heartbeat of node k of domain d at time now, reporting the batches finished by then. */
    private static InputEvent beat(
            int d,
            int k,
            long now,
            Map<String, ArrayDeque<double[]>> batches,
            Map<String, long[]> finished,
            Map<String, double[]> busy) {
        String id = "dom-" + d + "-" + (char) ('a' + k);
        TelemetryEvent e = new TelemetryEvent();
        e.nodeId = id;
        e.domainId = "dom-" + d;
        e.time = now;
        e.healthy = true;
        ArrayDeque<double[]> q = batches.computeIfAbsent(id, x -> new ArrayDeque<>());
        long[] f = finished.computeIfAbsent(id, x -> new long[] {Long.MIN_VALUE});
        while (!q.isEmpty() && q.peek()[0] <= now) {
            f[0] = Math.max(f[0], (long) q.poll()[1]);
        }
        e.finishedThrough = f[0];
        double[] b = busy.computeIfAbsent(id, x -> new double[] {Double.NEGATIVE_INFINITY});
        if (b[0] > now) {
            e.busyUntil = (long) Math.ceil(b[0]);
        }
        return InputEvent.of(e);
    }

    /** Mean, p50, p99 and max of the CPU times (ns), in ms; NaN when there are none. */
    static double[] summary(List<Long> ns) {
        if (ns.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        }
        List<Long> l = new ArrayList<>(ns);
        Collections.sort(l);
        int m = l.size();
        double mean = l.stream().mapToLong(x -> x).average().orElse(0);
        return new double[] {
            mean / 1e6,
            l.get(m / 2) / 1e6,
            l.get((int) Math.min(m - 1, m * 0.99)) / 1e6,
            l.get(m - 1) / 1e6
        };
    }

    /** The Markdown of the runs: the command, the time, the machine's load, one row per run. */
    static String markdown(List<Result> runs, String command, double loadBefore, double loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("Written by `").append(command).append("` at ").append(Instant.now());
        sb.append(
                String.format(
                        Locale.ROOT,
                        " (load average %.2f before, %.2f after). CPU times of the closing"
                                + " thread, in ms; a slot's wait is the CPU of the closings"
                                + " before it in its watermark step and subtask plus its own.%n%n",
                        loadBefore,
                        loadAfter));
        sb.append(
                MarkdownTable.header(
                        List.of(
                                "slots",
                                "round",
                                "slots that decided",
                                "their wait: mean / p50 / p99 / max",
                                "every slot",
                                "its wait: mean / p50 / p99 / max",
                                "most closings in one step and subtask",
                                "closing CPU, s",
                                "requests decided",
                                "rejected")));
        for (Result r : runs) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %d | %s | %d | %s | %d | %.2f | %d | %d |%n",
                            r.stagger(),
                            r.round(),
                            r.decidedSlots(),
                            four(r.decidedWaitMs()),
                            r.slots(),
                            four(r.allWaitMs()),
                            r.maxClosingsPerStep(),
                            r.closeCpuMs() / 1000,
                            r.decidedRequests(),
                            r.rejected()));
        }
        return sb.toString();
    }

    private static String four(double[] v) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", v[0], v[1], v[2], v[3]);
    }

    /** The staggered phase of a domain of this benchmark (for tests). */
    static long phase(int domain) {
        return Slots.staggeredPhase("dom-" + domain, SLOT_MS);
    }
}
