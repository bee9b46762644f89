#!/usr/bin/env bash
# Stops the running job with a savepoint (Flink's stop: sources end, the last transactions commit)
# and prints the savepoint path, also written to $LOCAL_DIR/last-savepoint. Restart from it with
#   deploy/local/submit.sh --from-savepoint "$(cat deploy/local/run/last-savepoint)" [job flags...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
job="${1:-$(cat "$LOCAL_DIR/job.id" 2>/dev/null || true)}"
[ -n "$job" ] || die "no job id: pass one or start the job with deploy/local/submit.sh"
trigger="$(rest POST "/jobs/$job/stop" "{\"drain\":false,\"targetDirectory\":\"file://$LOCAL_DIR/flink/savepoints\"}" | json_field request-id)"
[ -n "$trigger" ] || die "the cluster did not accept stop-with-savepoint for job $job"
for ((i = 0; i < 240; i++)); do
  answer="$(rest GET "/jobs/$job/savepoints/$trigger")"
  case "$(json_field id <<<"$answer")" in
    COMPLETED)
      location="$(json_field location <<<"$answer")"
      [ -n "$location" ] || die "the savepoint failed: $answer"
      echo "$location" >"$LOCAL_DIR/last-savepoint"
      for ((k = 0; k < 120; k++)); do
        [ "$(job_state "$job")" = FINISHED ] && break
        sleep 0.5
      done
      log "job $job stopped with savepoint $location"
      echo "$location"
      exit 0 ;;
  esac
  sleep 0.5
done
die "the savepoint of job $job did not complete within 120 s"
