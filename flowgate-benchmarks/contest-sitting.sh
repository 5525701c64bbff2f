#!/usr/bin/env bash
# One sitting of the contest's final, as docs/decisions.md reports it: the disk probe, the HTTP
# floor, then Flowgate with --durability no-fsync and with fsync, each a full `bench contest
# --final` against the reference processors, one after the other (never two load tests at once).
# About 22 minutes. Results (JSON, progress, peak RSS) go to the directory given (default ./sitting).
#   ./mvnw -q package -DskipTests && flowgate-benchmarks/contest-sitting.sh /tmp/sitting
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-./sitting}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
cd "$root"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
bench="flowgate-benchmarks/target/benchmarks.jar"
if [ ! -f "$bench" ]; then
  echo "contest-sitting: $bench is missing; build it first: ./mvnw -q package -DskipTests" >&2
  exit 1
fi

"$java" -cp "$bench" dev.flowgate.benchmarks.SyncArrivalWait "$root" 60 > "$out/probe.txt"

"$java" -cp "$bench" dev.flowgate.benchmarks.HttpServerFloor > "$out/floor-server.log" 2>&1 &
floor=$!
sleep 2
./flowgate bench contest --final --processors reference --url http://127.0.0.1:9101 > "$out/floor.json" 2> "$out/floor.err"
kill "$floor"
sleep 2

for mode in no-fsync fsync; do
  data="$(mktemp -d)"
  FLOWGATE_JAVA_OPTS="${FLOWGATE_JAVA_OPTS:-} -Xlog:gc:file=$out/gc-$mode.log" \
    ./flowgate serve --data-dir "$data" --durability "$mode" \
    --processor default=http://127.0.0.1:8001,fee=0.07 --processor fallback=http://127.0.0.1:8002,fee=0.10 \
    > "$out/serve-$mode.log" 2>&1 &
  server=$! # ./flowgate execs java: this is the JVM's pid
  for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:9999/health && break; sleep 1; done
  ./flowgate bench contest --final --processors reference > "$out/$mode.json" 2> "$out/$mode.err"
  grep VmHWM "/proc/$server/status" > "$out/peak-rss-$mode.txt" || true
  kill "$server"
  wait "$server" || true
  rm -rf "$data"
done
echo "results in $out"
