#!/usr/bin/env bash
# The smoke test of the local deployment (run by .ci/run after `mvn -B verify`):
#  1. start.sh brings up Kafka, the Flink session cluster, the job, three workers and a feeder
#     that sends two minutes of the bundled trace at 2x speed;
#  2. after 25 s the job is RUNNING and decisions and completions are on their topics;
#  3. the job is stopped with a savepoint while traffic still flows, and restarted from it with
#     parallelism 2;
#  4. once the feeder is done, the topics read with read_committed hold no decision id twice, no
#     request decided twice or both decided and rejected, and every request is decided or rejected;
#     the restarted job decided requests too;
#  5. Prometheus: the TaskManager's /metrics (127.0.0.1:FLINK_METRICS_PORT) carries the scheduler's
#     metrics with values above zero, edge-a's worker /metrics (WORKER_METRICS_PORT) carries the
#     worker's, and the workers' batches and completions (summed over their /metrics) grew between
#     a scrape before the savepoint and one after the restart;
#  6. when start.sh started a Prometheus server (the `prometheus` binary is installed): the job's
#     and the workers' targets are up, and every PromQL query of the Grafana dashboard
#     (deploy/grafana/edgellm-dashboard.json) is accepted and answers with data, and the server
#     loaded every alerting rule of deploy/prometheus/alerts.yml with none in error;
#  7. stop.sh stops everything and no process of ours is left.
# Uses a fresh state directory and its own ports unless EDGELLM_LOCAL_DIR / *_PORT are set.
set -euo pipefail
export EDGELLM_LOCAL_DIR="${EDGELLM_LOCAL_DIR:-$(mktemp -d /tmp/edgellm-smoke.XXXXXX)}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
export FEED_ARGS="${FEED_ARGS:---minutes 2 --speedup 2}"
trap 'test_cleanup "smoke test"' EXIT
fail() { echo "smoke test: $*" >&2; exit 1; }
# metric NAME PORT: the sum over the series of a metric in the Prometheus text at 127.0.0.1:PORT
metric() {
  curl -sf "http://127.0.0.1:$2/metrics" \
    | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF; f = 1 } END { if (f) printf "%d", s; else print "none" }'
}
# workers_metric NAME: the sum of a metric over every worker's /metrics (one port per node of
# NODES, from WORKER_METRICS_PORT on); a restarted job may give its remaining batches to any node
workers_metric() {
  local sum=0 i=0 v node
  for node in $NODES; do
    v=$(metric "$1" $((WORKER_METRICS_PORT + i)))
    [ "$v" != none ] && sum=$((sum + v))
    i=$((i + 1))
  done
  echo "$sum"
}
audit() { "$JAVA" $MARK -jar "$WORKER_JAR" audit --bootstrap-servers "$BOOTSTRAP" "$@"; }
# prom_query EXPR: the local Prometheus server's JSON answer to an instant query
prom_query() { curl -sf -G --data-urlencode "query=$1" "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query"; }
# The dashboard's queries, one a line ($__rate_interval, Grafana's, as 1m)
dashboard_queries() {
  sed -n 's/^ *"expr": "\(.*\)",\{0,1\}$/\1/p' "$ROOT/deploy/grafana/edgellm-dashboard.json" \
    | sed 's/\\"/"/g; s/\$__rate_interval/1m/g'
}
field() { sed -n "s/.*\"$1\" : \\([0-9a-z]*\\).*/\\1/p" "$2" | head -n 1; }

t0=$(date +%s)
"$here/start.sh"
sleep 25
[ "$(job_state)" = RUNNING ] || fail "job not RUNNING"
audit --out "$LOCAL_DIR/audit-1.json" >/dev/null || fail "duplicates before the savepoint: $(cat "$LOCAL_DIR/audit-1.json")"
d1=$(field decisions "$LOCAL_DIR/audit-1.json")
[ "$d1" -gt 0 ] || fail "no decision after 25 s"
"$JAVA" $MARK -jar "$WORKER_JAR" report --bootstrap-servers "$BOOTSTRAP" --out "$LOCAL_DIR/report-1.json" >/dev/null
c1=$(field completions "$LOCAL_DIR/report-1.json")
[ "$c1" -gt 0 ] || fail "no completion after 25 s"
log "before the savepoint: $d1 decisions, $c1 completions"
assigned=$(metric flink_taskmanager_job_task_operator_assigned "$FLINK_METRICS_PORT")
[ "$assigned" != none ] && [ "$assigned" -gt 0 ] \
  || fail "the scheduler's 'assigned' counter on 127.0.0.1:$FLINK_METRICS_PORT/metrics: $assigned"
solves=$(metric flink_taskmanager_job_task_operator_solveMicros_count "$FLINK_METRICS_PORT")
[ "$solves" != none ] && [ "$solves" -gt 0 ] || fail "solveMicros on /metrics: $solves"
ba=$(metric edgellm_worker_batches_total "$WORKER_METRICS_PORT")
[ "$ba" != none ] || fail "no edgellm_worker_batches_total on 127.0.0.1:$WORKER_METRICS_PORT/metrics"
b1=$(workers_metric edgellm_worker_batches_total)
r1=$(workers_metric edgellm_worker_requests_completed_total)
log "Prometheus: job assigned=$assigned solves=$solves; edge-a batches=$ba; all workers batches=$b1 completed=$r1"

savepoint="$("$here/stop-job.sh" | tail -n 1)"
running feeder || fail "the feeder ended before the savepoint: the restart would see no traffic"
sleep 3
"$here/submit.sh" --from-savepoint "$savepoint" --parallelism 2
for ((i = 0; i < 300; i++)); do running feeder || break; sleep 1; done
running feeder && fail "the feeder did not finish"
log "feeder: $(tail -n 1 "$LOGS/feeder.out")"
sleep 15
[ "$(job_state)" = RUNNING ] || fail "restarted job not RUNNING"
# every decided request must end completed or reported: repeat while the last batches run
for ((i = 0; ; i++)); do
  audit --expect-all --out "$LOCAL_DIR/audit-2.json" >/dev/null 2>&1 && break
  [ "$i" -lt 12 ] || fail "audit after the restart: $(cat "$LOCAL_DIR/audit-2.json")"
  sleep 5
done
b2=$(workers_metric edgellm_worker_batches_total)
r2=$(workers_metric edgellm_worker_requests_completed_total)
[ "$b2" -gt "$b1" ] && [ "$r2" -gt "$r1" ] \
  || fail "the workers' metrics did not move: batches $b1 -> $b2, completed $r1 -> $r2"
log "Prometheus: all workers batches $b1 -> $b2, completed $r1 -> $r2"
d2=$(field decisions "$LOCAL_DIR/audit-2.json")
[ "$d2" -gt "$d1" ] || fail "the restarted job decided nothing ($d1 -> $d2 decisions)"
"$JAVA" $MARK -jar "$WORKER_JAR" report --bootstrap-servers "$BOOTSTRAP" --out "$LOCAL_DIR/report-2.json" >"$LOCAL_DIR/report-2.txt"
log "after the restart: $(tr -d '\n' <"$LOCAL_DIR/audit-2.json" | sed 's/ \+/ /g' | cut -c1-220)"
cat "$LOCAL_DIR/report-2.txt"
if running prometheus; then
  for t in 'up{job="flink-jobmanager"}' "up{job=\"flink-taskmanager\",instance=\"127.0.0.1:$FLINK_METRICS_PORT\"}" \
      'min(up{job="edgellm-workers"})'; do
    prom_query "$t" | grep -q '"value":\[[0-9.]*,"1"\]' || fail "Prometheus: target down: $t: $(prom_query "$t")"
  done
  n=0; empty=""
  while IFS= read -r q; do
    r="$(prom_query "$q")" || fail "Prometheus refused the dashboard query $q"
    grep -q '"status":"success"' <<<"$r" || fail "dashboard query $q: $r"
    grep -q '"result":\[\]' <<<"$r" && empty="$empty | $q"
    n=$((n + 1))
  done < <(dashboard_queries)
  [ "$n" -ge 10 ] || fail "only $n queries read from the dashboard"
  [ -z "$empty" ] || fail "dashboard queries without data$empty"
  log "Prometheus: job and worker targets up; the dashboard's $n queries answer with data"
  # the alerting rules of deploy/prometheus/alerts.yml are loaded and evaluate without error
  rules="$(curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/rules?type=alert")" || fail "Prometheus: no rules API"
  a=$(grep -o '"type":"alerting"' <<<"$rules" | wc -l)
  want=$(grep -c '^      - alert: EdgeLlm' "$ROOT/deploy/prometheus/alerts.yml")
  [ "$a" -ge 1 ] && [ "$a" -eq "$want" ] || fail "Prometheus loaded $a alerting rules of $want: $rules"
  ! grep -q '"health":"err"' <<<"$rules" || fail "an alerting rule fails to evaluate: $rules"
  log "Prometheus: the $a alerting rules of deploy/prometheus/alerts.yml loaded, none in error"
else
  log "no Prometheus server (the prometheus binary is not installed): its checks skipped"
fi

trap - EXIT
"$here/stop.sh"
left="$(leftovers)"
[ -z "$left" ] || fail "processes left: $left"
for f in "$PIDS"/*.pid; do [ -e "$f" ] && fail "PID file left: $f"; done
log "smoke test passed in $(( $(date +%s) - t0 )) s (state in $LOCAL_DIR)"
