#!/usr/bin/env bash
# Submits job/target/job.jar to the local Flink session cluster through its REST API (upload, run)
# and waits until the job is RUNNING; the job id goes to $LOCAL_DIR/job.id.
#   deploy/local/submit.sh [--from-savepoint PATH] [job flags...]
# Job flags (see README and docs/job.md) come after the defaults below and override them, e.g.
# `--parallelism 2` or `--slot-ms 100`. JOB_ARGS in the environment is added too.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
require_jars
savepoint=""
if [ "${1:-}" = --from-savepoint ]; then
  savepoint="${2:?--from-savepoint: a savepoint path}"; shift 2
fi
# shellcheck disable=SC2206
args=(--bootstrap-servers "$BOOTSTRAP" --delivery exactly-once --checkpoint-ms 1000 --slot-ms 200
  --transaction-timeout-ms 600000 ${JOB_ARGS:-} "$@")

jar_id="$(curl -sS -f -X POST -F "jarfile=@$JOB_JAR" "$REST/jars/upload" | json_field filename)"
jar_id="${jar_id##*/}"
[ -n "$jar_id" ] || die "uploading $JOB_JAR to $REST failed"
json_args=""
for a in "${args[@]}"; do
  a="${a//\\/\\\\}"; a="${a//\"/\\\"}"
  json_args+="${json_args:+,}\"$a\""
done
body="{\"entryClass\":\"org.edgellm.job.SchedulerJob\",\"programArgsList\":[$json_args]"
[ -n "$savepoint" ] && body+=",\"savepointPath\":\"$savepoint\",\"allowNonRestoredState\":false"
body+="}"
answer="$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$REST/jars/$jar_id/run")"
job="$(json_field jobid <<<"$answer")"
[ -n "$job" ] || die "the cluster refused the job: $answer"
echo "$job" >"$LOCAL_DIR/job.id"
for ((i = 0; i < 240; i++)); do
  state="$(job_state "$job")"
  case "$state" in
    RUNNING) log "job $job RUNNING${savepoint:+ (restored from $savepoint)}"; exit 0 ;;
    FAILED | CANCELED | FINISHED) die "job $job is $state; see $LOGS/jobmanager.log" ;;
  esac
  sleep 0.5
done
die "job $job not RUNNING after 120 s (state $state)"
