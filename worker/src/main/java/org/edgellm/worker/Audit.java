package org.edgellm.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.EventCodec;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;

/**
 * {@code worker.jar audit}: reads the request, decision, rejection and completion topics ({@code
 * read_committed}) up to the offsets they end at when it starts, and checks the scheduler's
 * promise: no decision id twice, no request in two decisions unless re-dispatched (the later one
 * made after the earlier one's lease ended), no completion from a decision that was re-dispatched
 * (fencing), no request both decided and rejected unless it was re-dispatched and never completed,
 * and (with {@code --expect-all}) every request decided or rejected and every decided request
 * completed or reported (UNFINISHED, or rejected after its re-dispatch): a decided request with
 * neither is lost, and the audit sees it. Prints the counts as JSON (and writes them to {@code
 * --out}); the exit status is 1 when a check fails.
 */
public final class Audit {

    private Audit() {}

    /** What the topics held and what is wrong with it. */
    public record Result(
            int requests,
            int decisions,
            int decidedRequests,
            int rejections,
            int replayed,
            int unfinished,
            int redispatched,
            List<String> duplicateDecisionIds,
            List<String> requestsDecidedTwice,
            List<String> requestsDecidedAndRejected,
            List<String> requestsRejectedTwice,
            int completions,
            List<String> requestsCompletedTwice,
            List<String> completedByRevokedDecision,
            List<String> completedAndReported,
            List<String> undecided,
            List<String> lost,
            int undecodable) {

        /**
         * True when no decision id repeats and no request was decided twice, rejected twice, both
         * decided and rejected, or completed twice (a worker ran it twice).
         */
        public boolean noDuplicates() {
            return duplicateDecisionIds.isEmpty()
                    && requestsDecidedTwice.isEmpty()
                    && requestsDecidedAndRejected.isEmpty()
                    && requestsRejectedTwice.isEmpty()
                    && requestsCompletedTwice.isEmpty()
                    && completedByRevokedDecision.isEmpty()
                    && completedAndReported.isEmpty();
        }

        public ObjectNode toJson() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("requests", requests);
            o.put("decisions", decisions);
            o.put("decidedRequests", decidedRequests);
            o.put("rejections", rejections);
            o.put("replayed", replayed);
            o.put("unfinished", unfinished);
            o.put("redispatched", redispatched);
            o.put("completions", completions);
            o.put("undecided", undecided.size());
            o.put("lost", lost.size());
            o.put("undecodable", undecodable);
            o.put("noDuplicates", noDuplicates());
            put(o, "duplicateDecisionIds", duplicateDecisionIds);
            put(o, "requestsDecidedTwice", requestsDecidedTwice);
            put(o, "requestsDecidedAndRejected", requestsDecidedAndRejected);
            put(o, "requestsRejectedTwice", requestsRejectedTwice);
            put(o, "requestsCompletedTwice", requestsCompletedTwice);
            put(o, "completedByRevokedDecision", completedByRevokedDecision);
            put(o, "completedAndReported", completedAndReported);
            put(o, "undecidedSample", undecided.subList(0, Math.min(20, undecided.size())));
            put(o, "lostSample", lost.subList(0, Math.min(20, lost.size())));
            return o;
        }

        private static void put(ObjectNode o, String k, List<String> v) {
            var a = o.putArray(k);
            v.stream().limit(50).forEach(a::add);
        }
    }

    /**
     * Checks one run. Rejections of requests that never reached the request list (invalid input
     * that the job could not identify) count but are not matched.
     */
    public static Result check(
            List<String> requestIds,
            List<BatchDecision> decisions,
            List<Rejection> rejections,
            List<Completion> completions,
            int undecodable,
            boolean atLeastOnce) {
        Map<String, String> decisionIds = new HashMap<>();
        Set<String> duplicateDecisions = new LinkedHashSet<>();
        Map<String, Integer> decided = new HashMap<>();
        // each request's decisions in topic order (the job writes a request's decisions in order)
        Map<String, List<BatchDecision>> decisionsOf = new HashMap<>();
        int decidedRequests = 0;
        int replayed = 0;
        for (BatchDecision d : decisions) {
            String content = d.getNodeId() + " " + requestIds(d);
            String first = decisionIds.putIfAbsent(d.getDecisionId(), content);
            if (first != null) {
                if (atLeastOnce && first.equals(content)) {
                    replayed++; // the same decision again: workers run it once
                    continue;
                }
                duplicateDecisions.add(d.getDecisionId());
            }
            for (DecidedRequest r : d.getRequests()) {
                decided.merge(r.getRequestId(), 1, Integer::sum);
                decisionsOf.computeIfAbsent(r.getRequestId(), k -> new ArrayList<>()).add(d);
                decidedRequests++;
            }
        }
        // a request in several decisions is re-dispatched when each was made after the lease of
        // the one before had ended (its worker could no longer run or commit it)
        Set<String> redispatched = new java.util.HashSet<>();
        decisionsOf.forEach(
                (id, ds) -> {
                    if (ds.size() > 1 && fenced(ds)) {
                        redispatched.add(id);
                        decided.put(id, 1);
                    }
                });
        Map<String, Integer> rejected = new HashMap<>();
        Map<String, Integer> unfinished = new HashMap<>();
        Set<String> seenRejections = new java.util.HashSet<>();
        for (Rejection r : rejections) {
            if (atLeastOnce && !seenRejections.add(r.getRequestId() + " " + r.getReason())) {
                replayed++; // the same rejection again
                continue;
            }
            // UNFINISHED: decided, then its node crashed or stalled; a report, not a second outcome
            (r.getReason() == RejectionReason.UNFINISHED ? unfinished : rejected)
                    .merge(r.getRequestId(), 1, Integer::sum);
        }
        List<String> twice = repeated(decided);
        List<String> rejectedTwice = repeated(rejected);
        unfinished.forEach(
                (k, v) -> {
                    if (v > 1 || !decided.containsKey(k)) {
                        rejectedTwice.add(k); // reported lost twice, or lost but never decided
                    }
                });
        rejectedTwice.sort(null);
        Map<String, Integer> completed = new HashMap<>();
        List<String> byRevoked = new ArrayList<>();
        for (Completion c : completions) {
            completed.merge(c.getRequestId(), 1, Integer::sum);
            List<BatchDecision> ds = decisionsOf.get(c.getRequestId());
            if (ds != null
                    && ds.size() > 1
                    && !ds.get(ds.size() - 1).getDecisionId().equals(c.getDecisionId())) {
                byRevoked.add(c.getRequestId() + " by " + c.getDecisionId());
            }
        }
        byRevoked.sort(null);
        List<String> both = new ArrayList<>();
        for (String k : rejected.keySet()) {
            // decided, then rejected: only after its batches' leases ended unfinished (it was
            // re-dispatched and then found unservable), so never with a completion
            if (decided.containsKey(k)
                    && (completed.containsKey(k) || !leased(decisionsOf.get(k)))) {
                both.add(k);
            }
        }
        both.sort(null);
        List<String> completedTwice = repeated(completed);
        List<String> undecided = new ArrayList<>();
        for (String id : new LinkedHashSet<>(requestIds)) {
            if (!decided.containsKey(id) && !rejected.containsKey(id)) {
                undecided.add(id);
            }
        }
        // completed and also reported UNFINISHED: two final outcomes (the job settled a batch whose
        // worker still published it)
        List<String> completedAndReported = new ArrayList<>();
        for (String id : unfinished.keySet()) {
            if (completed.containsKey(id)) {
                completedAndReported.add(id);
            }
        }
        completedAndReported.sort(null);
        // decided, but neither completed nor reported: lost (unless the run is not over yet)
        List<String> lost = new ArrayList<>();
        for (String id : decided.keySet()) {
            if (!completed.containsKey(id)
                    && !unfinished.containsKey(id)
                    && !rejected.containsKey(id)) {
                lost.add(id);
            }
        }
        lost.sort(null);
        return new Result(
                requestIds.size(),
                decisions.size(),
                decidedRequests,
                rejections.size(),
                replayed,
                unfinished.size(),
                redispatched.size(),
                List.copyOf(duplicateDecisions),
                twice,
                both,
                rejectedTwice,
                completions.size(),
                completedTwice,
                byRevoked,
                completedAndReported,
                undecided,
                lost,
                undecodable);
    }

    /** Whether each decision was made after the lease of the one before it had ended. */
    static boolean fenced(List<BatchDecision> ds) {
        for (int i = 1; i < ds.size(); i++) {
            BatchDecision before = ds.get(i - 1);
            if (before.getLeaseUntil() == null
                    || !ds.get(i).getSlotEnd().isAfter(before.getLeaseUntil())) {
                return false;
            }
        }
        return true;
    }

    /** Whether every one of the decisions has a lease. */
    static boolean leased(List<BatchDecision> ds) {
        return ds != null && ds.stream().allMatch(d -> d.getLeaseUntil() != null);
    }

    /** The keys counted more than once, sorted. */
    private static List<String> repeated(Map<String, Integer> counts) {
        List<String> out = new ArrayList<>();
        counts.forEach(
                (k, v) -> {
                    if (v > 1) {
                        out.add(k);
                    }
                });
        out.sort(null);
        return out;
    }

    private static String requestIds(BatchDecision d) {
        List<String> ids = new ArrayList<>();
        for (DecidedRequest r : d.getRequests()) {
            ids.add(r.getRequestId());
        }
        ids.sort(null);
        return ids.toString();
    }

    /**
     * Reads the topics up to their end offsets at the start, checks them, prints and writes the
     * result.
     */
    public static Result run(Map<String, String> f, Map<String, String> kafka) throws Exception {
        String qt = f.getOrDefault("requests-topic", "inference-requests");
        String dt = f.getOrDefault("decisions-topic", "batch-decisions");
        String rt = f.getOrDefault("rejections-topic", "rejections");
        String ct = f.getOrDefault("completions-topic", "completions");
        long timeout = Long.parseLong(f.getOrDefault("timeout-ms", "120000"));
        List<String> requests = new ArrayList<>();
        List<BatchDecision> decisions = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        List<Completion> completions = new ArrayList<>();
        int[] undecodable = {0};
        TopicSnapshot.read(
                TopicSnapshot.consumer(f, kafka, "audit"),
                List.of(qt, dt, rt, ct),
                timeout,
                r -> {
                    try {
                        if (r.topic().equals(qt)) {
                            requests.add(
                                    EventCodec.decodeRequest(
                                                    r.value(), EventCodec.DEFAULT_MAX_BYTES)
                                            .getRequestId());
                        } else if (r.topic().equals(dt)) {
                            decisions.add(
                                    EventCodec.decodeDecision(
                                            r.value(), EventCodec.DEFAULT_MAX_BYTES));
                        } else if (r.topic().equals(ct)) {
                            completions.add(Completion.fromByteBuffer(ByteBuffer.wrap(r.value())));
                        } else {
                            rejections.add(
                                    EventCodec.decodeRejection(
                                            r.value(), EventCodec.DEFAULT_MAX_BYTES));
                        }
                    } catch (EventCodec.DecodeException
                            | java.io.IOException
                            | RuntimeException e) {
                        undecodable[0]++;
                    }
                });
        Result res =
                check(
                        requests,
                        decisions,
                        rejections,
                        completions,
                        undecodable[0],
                        f.containsKey("at-least-once"));
        if (f.containsKey("expect-all") && !res.undecided().isEmpty()) {
            System.err.println(res.undecided().size() + " requests neither decided nor rejected");
        }
        if (f.containsKey("expect-all") && !res.lost().isEmpty()) {
            System.err.println(
                    res.lost().size() + " decided requests neither completed nor reported");
        }
        String json = res.toJson().toPrettyString() + "\n";
        if (f.containsKey("out")) {
            Files.writeString(Path.of(f.get("out")), json);
        }
        System.out.print(json);
        return res;
    }
}
