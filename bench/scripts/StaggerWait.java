import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.edgellm.job.domain.Rejected;
import org.edgellm.job.domain.SlotOutcome;

/**
 * How long a slot's outcome waits on its subtask's thread behind the other domains' closings, with
 * aligned and with staggered slot ends (`--slot-stagger`), without Kafka or Flink: the Flink-free
 * domain core ({@code DomainScheduler.closeSlot} over in-memory state) under `bench.jar job`'s
 * overload-shape load (as CoordinatorCpu.java: a channel state and a request per pair, round the
 * domains, ten users per domain, 15-s deadlines, prompts 100-999, outputs 20-219; every node's
 * heartbeat ten times a second), the job's live at-least-once settings with 100-ms slots. The
 * watermark advances in 20-ms steps (the job's --watermark-interval-ms); at each step the timers it
 * passes fire per subtask (domain index modulo SUBTASKS) in time order, as Flink's timer service
 * fires them, and each slot's wait is the calling thread's CPU time of the closings before it in
 * that step and subtask plus its own. Prints the waits of the slots that decided a batch, of every
 * slot, and the CPU per step and subtask, after the warm-up.
 *
 * <pre>
 * java -cp job/target/job-local.jar bench/scripts/StaggerWait.java \
 *     DOMAINS SECONDS WARMUP_SECONDS POLICY REQUESTS_PER_S_PER_DOMAIN aligned|spread [SUBTASKS (2)]
 * </pre>
 */
public class StaggerWait {
    public static void main(String[] a) throws Exception {
        int domains = Integer.parseInt(a[0]);
        int seconds = Integer.parseInt(a[1]);
        int warm = Integer.parseInt(a[2]);
        String policy = a[3];
        int perDomain = a.length > 4 ? Integer.parseInt(a[4]) : 50;
        PrintWriter log = null;
        String stagger = a.length > 5 ? a[5] : "aligned";
        int subtasks = a.length > 6 ? Integer.parseInt(a[6]) : 2;
        int nodes = 2;
        long slotMs = 100;
        StringBuilder sb = new StringBuilder();
        sb.append("model: {layers: 32, hidden: 4096, vocab: 32000}\n");
        sb.append("serviceClasses:\n");
        sb.append("  - {name: standard, latencyBudgetMs: 15000, maxPplIncrease: 0.5}\n");
        sb.append("domains:\n");
        for (int d = 0; d < domains; d++) {
            sb.append("  - id: dom-").append(d).append("\n    nodes:\n");
            for (int k = 0; k < nodes; k++) {
                sb.append("      - {id: dom-").append(d).append('-').append((char) ('a' + k));
                sb.append(", memoryBytes: 40.0e9, reserveBytes: 2.0e9, memoryBandwidth: 1555.0e9,");
                sb.append(" peakFlops: {\"16\": 312.0e12, \"8\": 624.0e12, \"4\": 1248.0e12},");
                sb.append(" efficiency: 0.5, uplinkHz: 20.0e6, downlinkHz: 40.0e6, variants:");
                sb.append(" [{name: w4a16, weightBits: 4, activationBits: 16, kvBits: 16,");
                sb.append(" pplIncrease: 0.31}]}\n");
            }
        }
        Topology topo = Topology.parse(sb.toString(), "CoordinatorCpu");
        JobConfig config =
                JobConfig.parse(
                        "--slot-ms", "100",
                        "--out-of-orderness-ms", "20",
                        "--offer-unheard-nodes", "true",
                        "--delivery", "at-least-once",
                        "--policy", policy,
                        "--slot-stagger", stagger);
        SchedulerJob.liveDefaults(config);
        DomainSettings settings = config.domainSettings();
        DomainScheduler sched =
                new DomainScheduler(
                        topo,
                        settings,
                        () -> {
                            throw new AssertionError("the wall clock was read");
                        });
        Map<String, MemoryDomainState> states = new HashMap<>();
        // the simulated workers: per node its batches {computeEndMs, slotEnd}, finished
        // through, busy until
        Map<String, ArrayDeque<double[]>> batches = new HashMap<>();
        Map<String, long[]> finished = new HashMap<>();
        Map<String, double[]> busy = new HashMap<>();
        long base = 1_800_000_000_000L;
        int totalRate = perDomain * domains;
        long pair = 0;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuTotal = 0;
        long requestsMeasured = 0;
        List<Long> perSlot = new ArrayList<>();
        long decided = 0;
        long rejected = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        long end = base + seconds * 1000L;
        long measureFrom = base + warm * 1000L;
        long wmStep = 20;
        List<ArrayDeque<InputEvent>> buf = new ArrayList<>();
        long[] nextEnd = new long[domains];
        for (int d = 0; d < domains; d++) {
            buf.add(new ArrayDeque<>());
            nextEnd[d] = org.edgellm.job.domain.Slots.slotEndAfter(
                    base, slotMs, settings.slotPhaseMs("dom-" + d));
        }
        List<Long> waitDecided = new ArrayList<>();
        List<Long> waitAll = new ArrayList<>();
        List<Long> stepCpu = new ArrayList<>();
        long hbNext = base + 50;
        for (long wm = base + wmStep; wm <= end; wm += wmStep) {
            while (true) {
                long t = base + (long) Math.floor(pair * 1000.0 / totalRate);
                if (t >= wm) {
                    break;
                }
                int dIdx = (int) (pair % domains);
                String domain = "dom-" + dIdx;
                String user = "u" + (pair % (domains * 10L));
                ChannelEvent c = new ChannelEvent();
                c.userId = user;
                c.domainId = domain;
                c.nodeId = domain + "-" + (char) ('a' + (int) ((pair / domains) % nodes));
                c.measuredAt = t;
                c.uplinkSpectralEfficiency = 4;
                c.downlinkSpectralEfficiency = 5;
                RequestEvent r = new RequestEvent();
                r.requestId = "q" + pair;
                r.userId = user;
                r.domainId = domain;
                r.arrivalTime = t;
                r.promptTokens = 100 + (int) (pair % 900);
                r.maxOutputTokens = 20 + (int) (pair % 200);
                r.deadline = t + 15_000;
                r.maxPplIncrease = 0.5;
                r.weight = 1;
                r.serviceClass = "standard";
                buf.get(dIdx).add(InputEvent.of(c));
                buf.get(dIdx).add(InputEvent.of(r));
                if (t >= measureFrom) {
                    requestsMeasured++;
                }
                pair++;
            }
            while (hbNext < wm) {
                long now = hbNext;
                for (int d = 0; d < domains; d++) {
                    String domain = "dom-" + d;
                    for (int k = 0; k < nodes; k++) {
                        String id = domain + "-" + (char) ('a' + k);
                        TelemetryEvent e = new TelemetryEvent();
                        e.nodeId = id;
                        e.domainId = domain;
                        e.time = now;
                        e.healthy = true;
                        ArrayDeque<double[]> q = batches.computeIfAbsent(id, x -> new ArrayDeque<>());
                        long[] f = finished.computeIfAbsent(id, x -> new long[] {Long.MIN_VALUE});
                        while (!q.isEmpty() && q.peek()[0] <= now) {
                            f[0] = Math.max(f[0], (long) q.poll()[1]);
                        }
                        e.finishedThrough = f[0];
                        double[] b =
                                busy.computeIfAbsent(id, x -> new double[] {Double.NEGATIVE_INFINITY});
                        if (b[0] > now) {
                            e.busyUntil = (long) Math.ceil(b[0]);
                        }
                        buf.get(d).add(InputEvent.of(e));
                    }
                }
                hbNext += 100;
            }
            // the timers the watermark passes, per subtask in time order (then key)
            List<long[]> due = new ArrayList<>();
            for (int d = 0; d < domains; d++) {
                if (nextEnd[d] <= wm) {
                    due.add(new long[] {nextEnd[d], d});
                }
            }
            due.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
            long[] cum = new long[subtasks];
            for (long[] dd : due) {
                int d = (int) dd[1];
                long slotEnd = dd[0];
                String domain = "dom-" + d;
                List<InputEvent> events = new ArrayList<>();
                ArrayDeque<InputEvent> bq = buf.get(d);
                while (!bq.isEmpty() && bq.peek().time < slotEnd) {
                    events.add(bq.poll());
                }
                MemoryDomainState st = states.computeIfAbsent(domain, x -> new MemoryDomainState());
                long c0 = mx.getCurrentThreadCpuTime();
                SlotOutcome o = sched.closeSlot(domain, slotEnd, events, st);
                long c1 = mx.getCurrentThreadCpuTime();
                nextEnd[d] = slotEnd + slotMs;
                int s = d % subtasks;
                cum[s] += c1 - c0;
                if (slotEnd > measureFrom) {
                    cpuTotal += c1 - c0;
                    perSlot.add(c1 - c0);
                    waitAll.add(cum[s]);
                    if (!o.decisions().isEmpty()) {
                        waitDecided.add(cum[s]);
                    }
                }
                for (Decision dec : o.decisions()) {
                    batches.computeIfAbsent(dec.nodeId(), x -> new ArrayDeque<>())
                            .add(new double[] {dec.computeEndMs(), dec.slotEnd()});
                    double[] b =
                            busy.computeIfAbsent(
                                    dec.nodeId(), x -> new double[] {Double.NEGATIVE_INFINITY});
                    b[0] = Math.max(b[0], dec.computeEndMs());
                    decided += dec.requests().size();
                }
                for (Rejected r : o.rejections()) {
                    rejected++;
                    reasons.merge(r.reason().name(), 1, Integer::sum);
                }
            }
            if (wm > measureFrom) {
                for (long c : cum) {
                    stepCpu.add(c);
                }
            }
        }
        for (String[] nm : new String[][] {{"decided slots"}, {"all slots"}, {"per watermark step and subtask"}}) {
            List<Long> l = nm[0].startsWith("decided") ? waitDecided : nm[0].startsWith("all") ? waitAll : stepCpu;
            Collections.sort(l);
            int m = l.size();
            System.out.printf(
                    "%s: CPU from the watermark step to the slot's outcome (queue on the subtask's thread), n %d, mean %.2f ms, p50 %.2f, p99 %.2f, p99.9 %.2f, max %.2f%n",
                    nm[0], m, l.stream().mapToLong(x -> x).average().orElse(0) / 1e6,
                    l.get(m / 2) / 1e6, l.get((int) (m * 0.99)) / 1e6, l.get((int) (m * 0.999)) / 1e6, l.get(m - 1) / 1e6);
        }
        if (log != null) {
            log.close();
        }
        Collections.sort(perSlot);
        int n = perSlot.size();
        System.out.printf(
                "%d domains, %d s (%d s warm-up), %s, %d requests/s per domain%n",
                domains, seconds, warm, policy, perDomain);
        System.out.printf("decided %d, rejected %d %s%n", decided, rejected, reasons);
        System.out.printf(
                "closeSlot thread CPU over %d slots and %d requests: %.1f ms; per slot mean %.1f us,"
                        + " p50 %.1f us, p99 %.1f us, max %.1f us; per request %.1f us%n",
                n,
                requestsMeasured,
                cpuTotal / 1e6,
                cpuTotal / 1e3 / n,
                perSlot.get(n / 2) / 1e3,
                perSlot.get((int) (n * 0.99)) / 1e3,
                perSlot.get(n - 1) / 1e3,
                cpuTotal / 1e3 / requestsMeasured);
    }
}
