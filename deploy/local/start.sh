#!/usr/bin/env bash
# Starts the whole system on this machine without Docker, bound to loopback only:
#   a Kafka broker process (KRaft, combined broker+controller) and the topics,
#   a Flink session cluster (a JobManager and a TaskManager process),
#   the scheduler job (job/target/job.jar, submitted through Flink's REST API),
#   three simulated edge workers and the trace feeder (worker/target/worker.jar),
#   and, when the `prometheus` binary is installed (Debian: apt-get install prometheus), a
#   Prometheus server on 127.0.0.1:19090 that scrapes the job and the workers.
# Every piece comes from Maven Central artifacts and this checkout. Stop it all with stop.sh.
#
#   mvn -B package -DskipTests && deploy/local/start.sh
#
# `start.sh kafka | taskmanager | worker NODE | feeder | prometheus` starts one piece alone: the
# broker again on its data, a TaskManager (another one, or one in place of a dead one), a worker, a
# feeder, the Prometheus server.
#
# Settings (environment): EDGELLM_LOCAL_DIR (state, logs, PIDs; default deploy/local/run),
# KAFKA_PORT (19092), FLINK_REST_PORT (18081), FLINK_METRICS_PORT (19249: Prometheus /metrics of
# the TaskManager, the scheduler's metrics; JobManager at +4; Flink's reporter binds every
# interface), WORKER_METRICS_PORT (19301: the workers' Prometheus
# /metrics on 127.0.0.1, edge-a 19301, edge-b 19302, edge-c 19303; 0: off), FEED_ARGS (flags of `worker.jar feed`, default
# "--minutes 5 --speedup 1"; "none" starts no feeder), JOB_ARGS (extra job flags),
# WORKER_ARGS (extra worker flags), TM_SLOTS (2), PROMETHEUS (the Prometheus binary, default
# `prometheus` from PATH; none: no Prometheus), PROMETHEUS_PORT (19090, on 127.0.0.1).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_jars
mkdir -p "$LOCAL_DIR" "$PIDS" "$LOGS"

# ---- Kafka broker (KRaft) --------------------------------------------------------------------
start_kafka() {
  local cp conf="$LOCAL_DIR/kafka/server.properties" id
  cp="$(classpath kafka)"
  mkdir -p "$LOCAL_DIR/kafka/data"
  cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$LOCAL_DIR/kafka/data
num.partitions=2
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$LOCAL_DIR/kafka/log4j2.properties" <<'PROPS'
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c{1} - %m%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
PROPS
  local logopts=(-Dlog.file="$LOGS/kafka.log" -Dlog4j2.configurationFile="$LOCAL_DIR/kafka/log4j2.properties")
  if [ ! -f "$LOCAL_DIR/kafka/data/meta.properties" ]; then
    id="$("$JAVA" "${logopts[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid)"
    "$JAVA" "${logopts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$conf" >/dev/null \
      || die "formatting the Kafka log directory failed"
  fi
  log "starting Kafka on $BOOTSTRAP"
  launch kafka "$JAVA" $MARK -Xms512m -Xmx512m -XX:+UseG1GC "${logopts[@]}" -cp "$cp" kafka.Kafka "$conf"
  wait_port "$KAFKA_PORT" 60 kafka
}

create_topics() {
  local cp t
  cp="$(classpath kafka)"
  for t in $TOPICS; do
    "$JAVA" $MARK -Dlog4j2.configurationFile="$LOCAL_DIR/kafka/log4j2.properties" -Dlog.file="$LOGS/topics.log" \
      -cp "$cp" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
      --create --if-not-exists --topic "$t" --partitions 2 --replication-factor 1 >>"$LOGS/topics.out" 2>&1 \
      || die "creating topic $t failed; see $LOGS/topics.out"
  done
  log "topics: $TOPICS"
}

# ---- Flink session cluster -------------------------------------------------------------------
start_flink() {
  local cp conf="$LOCAL_DIR/flink/conf" params jvm dyn
  cp="$(classpath flink)"
  mkdir -p "$conf" "$LOCAL_DIR/flink/checkpoints" "$LOCAL_DIR/flink/savepoints" \
    "$LOCAL_DIR/flink/upload" "$LOCAL_DIR/flink/tmp"
  cat >"$conf/config.yaml" <<YAML
# Written by deploy/local/start.sh: a loopback-only session cluster.
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $FLINK_RPC_PORT
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: ${TM_SLOTS:-2}
taskmanager.memory.process.size: 1728m
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $FLINK_REST_PORT
web.upload.dir: $LOCAL_DIR/flink/upload
io.tmp.dirs: $LOCAL_DIR/flink/tmp
blob.server.port: 0
heartbeat.interval: 2000
heartbeat.timeout: 10000
execution.checkpointing.dir: file://$LOCAL_DIR/flink/checkpoints
execution.checkpointing.savepoint-dir: file://$LOCAL_DIR/flink/savepoints
execution.checkpointing.num-retained: 3
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1 s
restart-strategy.exponential-delay.max-backoff: 30 s
env.java.opts.all: $FLINK_JAVA_OPTS
# Prometheus: TaskManagers from FLINK_METRICS_PORT on (the first one on it), the JobManager above
# (set on its command line). Flink's reporter has no bind-address setting: it listens on every
# interface of this machine, the one exception to loopback-only here.
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $FLINK_METRICS_PORT-$((FLINK_METRICS_PORT + 3))
YAML
  cat >"$conf/log4j.properties" <<'PROPS'
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
PROPS
  params="$(memory_params GET_JM_RESOURCE_PARAMS)"
  jvm="$(sed -n 1p <<<"$params")"; dyn="$(sed -n 2p <<<"$params")"
  [ -n "$jvm" ] || die "BashJavaUtils computed no JobManager memory flags; see $LOGS/bashjavautils.err"
  log "starting the Flink JobManager (web UI $REST)"
  # shellcheck disable=SC2086 # the flags are word lists
  launch jobmanager "$JAVA" $MARK $jvm $FLINK_JAVA_OPTS -Dlog.file="$LOGS/jobmanager.log" \
    -Dlog4j.configurationFile="$conf/log4j.properties" -cp "$cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" $dyn \
    -D "metrics.reporter.prom.port=$((FLINK_METRICS_PORT + 4))"
  wait_port "$FLINK_REST_PORT" 90 jobmanager
}

# The memory flags Flink's own start scripts compute (bin/config.sh -> BashJavaUtils).
memory_params() {
  "$JAVA" -cp "$(classpath flink)" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$LOCAL_DIR/flink/conf" 2>"$LOGS/bashjavautils.err" \
    | sed -n '/BASH_JAVA_UTILS_EXEC_RESULT:/{s/.*BASH_JAVA_UTILS_EXEC_RESULT://;p}'
}

# start_taskmanager: one more TaskManager process (or a new one in place of a dead one).
start_taskmanager() {
  local cp conf="$LOCAL_DIR/flink/conf" params jvm dyn before i name=taskmanager k=1
  cp="$(classpath flink)"
  while running "$name"; do k=$((k + 1)); name="taskmanager-$k"; done
  before="$(rest GET /taskmanagers 2>/dev/null | grep -o '"id":"[^"]*"' | sort | tr '\n' ' ' || true)"
  params="$(memory_params GET_TM_RESOURCE_PARAMS)"
  jvm="$(sed -n 1p <<<"$params")"; dyn="$(sed -n 2p <<<"$params")"
  [ -n "$jvm" ] || die "BashJavaUtils computed no TaskManager memory flags; see $LOGS/bashjavautils.err"
  log "starting a Flink TaskManager ($name)"
  # shellcheck disable=SC2086
  launch "$name" "$JAVA" $MARK $jvm $FLINK_JAVA_OPTS -Dlog.file="$LOGS/$name.log" \
    -Dlog4j.configurationFile="$conf/log4j.properties" -cp "$cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" $dyn
  for ((i = 0; i < 240; i++)); do
    if rest GET /taskmanagers 2>/dev/null | grep -o '"id":"[^"]*"' | grep -qvxF -f <(tr ' ' '\n' <<<"$before" | grep .; echo '#none#'); then
      return 0
    fi
    running "$name" || die "$name exited; see $LOGS/$name.out and $LOGS/$name.log"
    sleep 0.5
  done
  die "$name did not register within 120 s; see $LOGS/$name.log"
}

# ---- workers and feeder ----------------------------------------------------------------------
# metrics_port NODE: WORKER_METRICS_PORT for the first of NODES, one more for each next one (the same
# port when a worker is started again); 0 (off) when WORKER_METRICS_PORT is 0 or NODE is not listed.
metrics_port() {
  local i=0 m
  if [ "$WORKER_METRICS_PORT" != 0 ]; then
    for m in $NODES; do
      if [ "$m" = "$1" ]; then echo $((WORKER_METRICS_PORT + i)); return 0; fi
      i=$((i + 1))
    done
  fi
  echo 0
}

start_worker() {
  local n="$1" slow=1.0
  [ "$n" = edge-a ] && slow=1.2
  # shellcheck disable=SC2086
  launch "worker-$n" "$JAVA" $MARK -Xmx256m -jar "$WORKER_JAR" worker --node-id "$n" --domain-id "$DOMAIN" \
    --bootstrap-servers "$BOOTSTRAP" --state-dir "$LOCAL_DIR/workers/$n" --slowdown "$slow" \
    --metrics-port "$(metrics_port "$n")" ${WORKER_ARGS:-}
}

start_feeder() {
  local args="${FEED_ARGS:---minutes 5 --speedup 1}"
  [ "$args" = none ] && return 0
  # shellcheck disable=SC2086
  launch feeder "$JAVA" $MARK -Xmx512m -jar "$WORKER_JAR" feed --bootstrap-servers "$BOOTSTRAP" $args
  log "feeder: $args (log $LOGS/feeder.out)"
}

# ---- Prometheus (optional) -------------------------------------------------------------------
# The scrape configuration: the JobManager, the TaskManagers' port range (a port without a
# TaskManager shows as a target that is down) and the workers of NODES. Data in LOCAL_DIR, kept 2 days.
start_prometheus() {
  local dir="$LOCAL_DIR/prometheus" tms="" workers="" p n
  if [ "$PROMETHEUS" = none ]; then return 0; fi
  if ! command -v "$PROMETHEUS" >/dev/null; then
    log "Prometheus: '$PROMETHEUS' is not installed (Debian: apt-get install prometheus); the /metrics endpoints serve all the same"
    return 0
  fi
  mkdir -p "$dir/data"
  for ((p = FLINK_METRICS_PORT; p <= FLINK_METRICS_PORT + 3; p++)); do tms="$tms\"127.0.0.1:$p\", "; done
  for n in $NODES; do
    p="$(metrics_port "$n")"
    [ "$p" != 0 ] && workers="$workers\"127.0.0.1:$p\", "
  done
  cp "$ROOT/deploy/prometheus/alerts.yml" "$dir/alerts.yml"
  cat >"$dir/prometheus.yml" <<YAML
# Written by deploy/local/start.sh.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - alerts.yml
scrape_configs:
  - job_name: flink-jobmanager
    static_configs:
      - targets: ["127.0.0.1:$((FLINK_METRICS_PORT + 4))"]
  - job_name: flink-taskmanager
    static_configs:
      - targets: [${tms%, }]
  - job_name: edgellm-workers
    static_configs:
      - targets: [${workers%, }]
YAML
  log "starting Prometheus on http://127.0.0.1:$PROMETHEUS_PORT (config $dir/prometheus.yml)"
  launch prometheus "$PROMETHEUS" --config.file="$dir/prometheus.yml" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.path="$dir/data" \
    --storage.tsdb.retention.time=2d
  wait_port "$PROMETHEUS_PORT" 30 prometheus
}

case "${1:-all}" in
  all)
    [ -z "$(leftovers)" ] || die "processes of a previous run are alive ($(leftovers | tr '\n' ' ')); run deploy/local/stop.sh"
    start_kafka
    create_topics
    start_flink
    start_taskmanager
    "$(dirname "$0")/submit.sh"
    for n in $NODES; do start_worker "$n"; done
    log "workers: $NODES (logs in $LOGS/worker-*.out; Prometheus /metrics on 127.0.0.1 from port $WORKER_METRICS_PORT on, 0: off)"
    start_feeder
    start_prometheus
    log "up. Flink web UI: $REST   Kafka: $BOOTSTRAP   logs: $LOGS"
    log "stop with a savepoint: deploy/local/stop-job.sh; everything: deploy/local/stop.sh" ;;
  kafka) start_kafka ;;
  taskmanager) start_taskmanager; log "TaskManager registered" ;;
  worker) start_worker "${2:?start.sh worker NODE}"; log "worker $2 started" ;;
  feeder) start_feeder ;;
  prometheus) start_prometheus ;;
  *) die "usage: start.sh [all | kafka | taskmanager | worker NODE | feeder | prometheus]" ;;
esac
