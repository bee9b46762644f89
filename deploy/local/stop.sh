#!/usr/bin/env bash
# Stops everything start.sh started, by the PIDs it recorded (Prometheus, the feeder and workers
# first, then the Flink processes, then Kafka), and reports any process of ours still alive. The
# state directory (Kafka data, checkpoints, savepoints, logs) stays; pass --clean to delete it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
stop_process prometheus 20
stop_process feeder 10
for f in "$PIDS"/worker-*.pid; do
  [ -e "$f" ] && stop_process "$(basename "$f" .pid)" 20
done
for f in "$PIDS"/taskmanager*.pid; do
  [ -e "$f" ] && stop_process "$(basename "$f" .pid)" 30
done
stop_process jobmanager 30
stop_process kafka 60
rm -f "$LOCAL_DIR/job.id"
left="$(leftovers)"
if [ -n "$left" ]; then
  echo "processes of ours still alive: $left" >&2
  exit 1
fi
if [ "${1:-}" = --clean ]; then
  rm -rf "$LOCAL_DIR"
  log "removed $LOCAL_DIR"
fi
log "all stopped"
