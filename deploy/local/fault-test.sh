#!/usr/bin/env bash
# Fault injection on the local deployment (run by .ci/run after the smoke test, about 4 minutes).
# Under a steady feed of the bundled trace it
#  1. kills the TaskManager with SIGKILL twice and starts a new one each time (the job restarts
#     from its last checkpoint),
#  2. kills a worker with SIGKILL mid-run and starts it again on its state directory,
#  3. kills the Kafka broker with SIGKILL and starts it again on its data,
# with the worker of one node (edge-c) never started at all; then, once the feeder is done, audits
# the topics with read_committed: no decision id twice, no request decided twice, rejected twice or
# both, no request completed twice (no worker ran a batch twice), every request decided or
# rejected, and every decided request completed or reported UNFINISHED (none lost, including to
# the node whose worker never came up); and checks that the job restarted and is RUNNING.
#
# FAULT_DELIVERY=at-least-once runs the job with at-least-once delivery instead: decisions replayed
# after a restart must then repeat identically (same id, same requests), which the audit allows
# (--at-least-once), and still no worker may run a request twice.
set -euo pipefail
export EDGELLM_LOCAL_DIR="${EDGELLM_LOCAL_DIR:-$(mktemp -d /tmp/edgellm-faults.XXXXXX)}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
export FEED_ARGS="${FEED_ARGS:---minutes 3 --speedup 2}"
# edge-c is in the topology, but its worker is never started: it must get nothing
export NODES="${FAULT_NODES:-edge-a edge-b}"
delivery="${FAULT_DELIVERY:-exactly-once}"
export JOB_ARGS="${JOB_ARGS:-} --delivery $delivery"
audit_mode=""
[ "$delivery" = at-least-once ] && audit_mode="--at-least-once"
trap 'test_cleanup "fault test"' EXIT
fail() { echo "fault test: $*" >&2; exit 1; }
job() { cat "$LOCAL_DIR/job.id"; }
restarts() { rest GET "/jobs/$(job)/metrics?get=numRestarts" | sed -n 's/.*"value":"\([0-9]*\)".*/\1/p'; }
# wait_running SECONDS: until the job is RUNNING with every task RUNNING again.
wait_running() {
  local i
  for ((i = 0; i < $1 * 2; i++)); do
    if [ "$(job_state)" = RUNNING ] && ! rest GET "/jobs/$(job)" | grep -o '"status":"[A-Z]*"' | grep -qv RUNNING; then
      return 0
    fi
    sleep 0.5
  done
  fail "the job is not RUNNING $1 s after the fault (state $(job_state))"
}
kill9() {
  local pid
  pid="$(cat "$PIDS/$1.pid")"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PIDS/$1.pid"
  log "killed $1 (PID $pid) with SIGKILL"
}

t0=$(date +%s)
"$here/start.sh"
sleep 20
for round in 1 2; do
  kill9 taskmanager
  "$here/start.sh" taskmanager
  wait_running 120
  log "job RUNNING again after TaskManager kill $round (restarts so far: $(restarts))"
  sleep 12
done
kill9 worker-edge-b
sleep 4
"$here/start.sh" worker edge-b
sleep 10
kill9 kafka
sleep 4
"$here/start.sh" kafka
wait_running 180
log "job RUNNING again after the broker restart (restarts so far: $(restarts))"
running feeder || fail "the feeder ended before the faults were over; use a longer FEED_ARGS"
for ((i = 0; i < 400; i++)); do running feeder || break; sleep 1; done
running feeder && fail "the feeder did not finish"
log "feeder: $(tail -n 1 "$LOGS/feeder.out")"
sleep 20
[ "$(job_state)" = RUNNING ] || fail "job not RUNNING at the end"
n="$(restarts)"
[ "${n:-0}" -ge 2 ] || fail "the job restarted $n times; expected at least 2"
# the last batches may still be running: every decided request must end completed or reported,
# so the audit is repeated (up to a minute) until nothing decided is outstanding
for ((i = 0; ; i++)); do
  # shellcheck disable=SC2086
  "$JAVA" $MARK -jar "$WORKER_JAR" audit --bootstrap-servers "$BOOTSTRAP" --expect-all $audit_mode \
    --out "$LOCAL_DIR/audit.json" >/dev/null 2>&1 && break
  [ "$i" -lt 12 ] || fail "audit: $(cat "$LOCAL_DIR/audit.json")"
  sleep 5
done
log "audit after the faults ($delivery, $n job restarts): $(tr -d '\n' <"$LOCAL_DIR/audit.json" | sed 's/ \+/ /g' | cut -c1-700)"
trap - EXIT
"$here/stop.sh"
[ -z "$(leftovers)" ] || fail "processes left: $(leftovers)"
log "fault test passed in $(( $(date +%s) - t0 )) s (state in $LOCAL_DIR)"
