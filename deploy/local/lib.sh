# Shared settings and helpers of the deploy/local scripts (sourced, not run).
# Everything runs on loopback; every process started here has its PID in $LOCAL_DIR/pids and the
# marker -Dedgellm.local=$LOCAL_DIR on its command line, so stop.sh finds each one.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL_DIR="${EDGELLM_LOCAL_DIR:-$ROOT/deploy/local/run}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
FLINK_REST_PORT="${FLINK_REST_PORT:-18081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-16123}"
# Prometheus /metrics of the TaskManager (the job's and the scheduler's metrics; a second
# TaskManager takes the next free port of the range) and, one port above that range, of the
# JobManager. Flink's reporter binds every interface, not only loopback.
FLINK_METRICS_PORT="${FLINK_METRICS_PORT:-19249}"
# /metrics of the first worker of NODES; the next ones take the next ports; 0: no metrics
WORKER_METRICS_PORT="${WORKER_METRICS_PORT:-19301}"
# A Prometheus server scraping all of the above, on 127.0.0.1 (started when the `prometheus` binary
# is installed, e.g. Debian's package `prometheus`; PROMETHEUS=none: never)
PROMETHEUS="${PROMETHEUS:-prometheus}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REST="http://127.0.0.1:$FLINK_REST_PORT"
DOMAIN="${DOMAIN:-domain-1}"
NODES="${NODES:-edge-a edge-b edge-c}"
TOPICS="inference-requests channel-state node-telemetry batch-decisions rejections slot-reports dead-letters completions"
PIDS="$LOCAL_DIR/pids"
LOGS="$LOCAL_DIR/logs"
MARK="-Dedgellm.local=$LOCAL_DIR"
JOB_JAR="$ROOT/job/target/job.jar"
WORKER_JAR="$ROOT/worker/target/worker.jar"
# Flink's Java 17 module flags (env.java.opts.all of its default configuration); the parent pom
# carries the same list as flink.java.opts.
FLINK_JAVA_OPTS="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED"

log() { echo "[$(date +%H:%M:%S)] $*"; }
die() { echo "error: $*" >&2; exit 1; }

# classpath kafka|flink: the runtime classpath of deploy/local/<name>/pom.xml, cached in LOCAL_DIR.
classpath() {
  local name="$1" out="$LOCAL_DIR/$1.classpath" pom="$ROOT/deploy/local/$1/pom.xml"
  if [ ! -s "$out" ] || [ "$pom" -nt "$out" ]; then
    "$MVN" -B -q -Dstyle.color=never -f "$pom" dependency:build-classpath -Dmdep.outputFile="$out" >&2 \
      || die "could not resolve the $name classpath from $pom"
  fi
  cat "$out"
}

# launch NAME COMMAND...: runs the command in the background, output to logs/NAME.out, PID to pids/NAME.pid.
launch() {
  local name="$1"; shift
  mkdir -p "$PIDS" "$LOGS"
  if [ -f "$PIDS/$name.pid" ] && kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null; then
    die "$name is already running (PID $(cat "$PIDS/$name.pid")); run deploy/local/stop.sh first"
  fi
  nohup "$@" >"$LOGS/$name.out" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

running() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# wait_port PORT SECONDS NAME: waits until something listens on 127.0.0.1:PORT.
wait_port() {
  local port="$1" secs="$2" name="$3" i
  for ((i = 0; i < secs * 4; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    running "$name" || die "$name exited during start-up; see $LOGS/$name.out"
    sleep 0.25
  done
  die "$name did not open port $port within ${secs}s; see $LOGS/$name.out"
}

# stop_process NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 30).
stop_process() {
  local name="$1" secs="${2:-30}" pid i
  [ -f "$PIDS/$name.pid" ] || return 0
  pid="$(cat "$PIDS/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 4; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (PID $pid) ignored SIGTERM for ${secs}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (PID $pid)"
  fi
  rm -f "$PIDS/$name.pid"
}

# Our processes still alive, by their marker (one PID per line); Prometheus takes no -D flag and is
# known by its data directory under LOCAL_DIR.
leftovers() { { pgrep -f -- "$MARK"; pgrep -f -- "--storage.tsdb.path=$LOCAL_DIR/prometheus"; } || true; }

# rest METHOD PATH [JSON]: a call to the Flink REST API; prints the body, fails on HTTP >= 400.
rest() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -sS -f -X "$method" -H 'Content-Type: application/json' -d "$body" "$REST$path"
  else
    curl -sS -f -X "$method" "$REST$path"
  fi
}

require_jars() {
  [ -f "$JOB_JAR" ] && [ -f "$WORKER_JAR" ] \
    || die "job/target/job.jar and worker/target/worker.jar are missing: run 'mvn -B package -DskipTests' first"
  command -v curl >/dev/null || die "curl is needed for Flink's REST API"
}

# job_state [JOB]: the state of the job (default: the one in $LOCAL_DIR/job.id), e.g. RUNNING.
job_state() { rest GET "/jobs/${1:-$(cat "$LOCAL_DIR/job.id")}" | json_field state; }

# json_field KEY: the first string value of "KEY" in the JSON on stdin (Flink's answers are flat enough).
json_field() { sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" | head -n 1; }

# test_cleanup NAME: the EXIT trap of the test scripts: on failure, the last lines of every log;
# in any case, stop.sh.
test_cleanup() {
  local rc=$? f
  if [ $rc -ne 0 ]; then
    echo "$1 FAILED (exit $rc); last lines of the logs:" >&2
    for f in "$LOGS"/*.out "$LOGS"/jobmanager.log "$LOGS"/taskmanager*.log; do
      [ -f "$f" ] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  "$ROOT/deploy/local/stop.sh" >/dev/null 2>&1 || true
  exit $rc
}
