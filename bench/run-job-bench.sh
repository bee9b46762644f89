#!/bin/sh
# Regenerates docs/bench-job-runs.md: every table in it is written by `bench.jar job --markdown`.
# Run from the repository root after `mvn -B package -DskipTests`; about 16 minutes. The committed
# file is the first series (29 November 2026, before the fixes of 30 November); the later runs
# behind the README's figures are in docs/bench-job-limit-runs.md, one `bench.jar job --markdown`
# call each.
# Each run is its own JVM (broker, load generator, job on a MiniCluster, reader).
set -e
out=${1:-docs/bench-job-runs.md}
job="java -Xmx3g -XX:TieredStopAtLevel=1 -jar bench/target/bench.jar job"
{
  echo "# Job benchmark runs (generated)"
  echo
  echo "Written by \`bench/run-job-bench.sh\` (each section by one \`bench.jar job --markdown\` run);"
  echo "do not edit by hand. The discussion is in [bench-job.md](bench-job.md)."
  echo
} > "$out"
run() {
  echo "== $*" >&2
  $job "$@" --markdown "$out" | tail -1
}
# the acceptance run and the goals of issue 14 (1,000 domains, servable, then 2x overload)
run --rate 50000 --domains 1000 --seconds 20 --delivery at-least-once
run --rate 50000 --domains 1000 --seconds 20 --delivery exactly-once --checkpoint-ms 100
run --rate 50000 --domains 1000 --seconds 20 --delivery at-least-once --shape overload
# where the limit is: lower rates, same shape (2,000/s is the old latency phase's rate)
run --rate 5000 --domains 1000 --seconds 20 --delivery at-least-once
run --rate 2000 --domains 1000 --seconds 20 --delivery at-least-once
run --rate 2000 --domains 1000 --seconds 20 --delivery exactly-once --checkpoint-ms 100
run --rate 500 --domains 1000 --seconds 20 --warmup-seconds 20 --delivery at-least-once
run --rate 500 --domains 1000 --seconds 20 --warmup-seconds 90 --delivery at-least-once
# scale: parallelism 1, and RocksDB with incremental checkpoints (at 1,000 domains; the 10,000-domain
# run, possible since Topology reads documents of up to 256 Mi code points, is the last one)
run --rate 2000 --domains 1000 --seconds 20 --delivery at-least-once --parallelism 1
run --rate 2000 --domains 1000 --seconds 20 --delivery exactly-once --checkpoint-ms 1000 --state-backend rocksdb
run --rate 500 --domains 10000 --seconds 20 --delivery at-least-once --checkpoint-ms 10000 --state-backend rocksdb
