#!/usr/bin/env bash
# One sitting of the contest's final, as docs/decisions.md reports it: the disk probe, the HTTP
# floor (a do-nothing server), the relay floor (answers, then pays each payment and keeps nothing),
# then Flowgate with --durability no-fsync and with fsync, each a full `bench contest --final`
# against the reference processors, one after the other (never two load tests at once).
# About 28 minutes. Results (JSON, progress, peak RSS, CPU seconds the server used) go to the
# directory given (default ./sitting).
#   ./mvnw -q package -DskipTests && flowgate-benchmarks/contest-sitting.sh /tmp/sitting
# With a second argument, a built checkout of other code (the "before" of a change), each mode
# runs that code's server first (results named <mode>-before.*), then this one's: a before and
# after in one sitting, under the same load generator. About 40 minutes.
#   flowgate-benchmarks/contest-sitting.sh /tmp/sitting /tmp/before
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-./sitting}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
before="${2:-}"
if [ -n "$before" ] && [ ! -f "$before/flowgate-server/target/flowgate.jar" ] && [ ! -f "$before/flowgate-cli/target/flowgate.jar" ]; then
  echo "contest-sitting: $before holds no built flowgate.jar; build it first: (cd $before && ./mvnw -q package -DskipTests)" >&2
  exit 1
fi
cd "$root"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
bench="flowgate-benchmarks/target/benchmarks.jar"
if [ ! -f "$bench" ]; then
  echo "contest-sitting: $bench is missing; build it first: ./mvnw -q package -DskipTests" >&2
  exit 1
fi

# User plus system CPU seconds a process has used so far (fields 14 and 15 of /proc/PID/stat, in ticks).
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

"$java" -cp "$bench" dev.flowgate.benchmarks.SyncArrivalWait "$root" 60 > "$out/probe.txt"

"$java" -cp "$bench" dev.flowgate.benchmarks.HttpServerFloor > "$out/floor-server.log" 2>&1 &
floor=$!
sleep 2
./flowgate bench contest --final --processors reference --url http://127.0.0.1:9101 > "$out/floor.json" 2> "$out/floor.err"
cpu_seconds "$floor" > "$out/cpu-floor.txt"
kill "$floor"
sleep 2

"$java" -Xmx160m -cp "$bench" dev.flowgate.benchmarks.RelayFloor > "$out/relay-server.log" 2>&1 &
relay=$!
sleep 2
./flowgate bench contest --final --processors reference --url http://127.0.0.1:9103 > "$out/relay.json" 2> "$out/relay.err"
grep VmHWM "/proc/$relay/status" > "$out/peak-rss-relay.txt" || true
cpu_seconds "$relay" > "$out/cpu-relay.txt"
kill "$relay"
sleep 2

for mode in no-fsync fsync; do
  for side in ${before:+before} after; do
    if [ "$side" = before ]; then serve="$before/flowgate"; name="$mode-before"; else serve=./flowgate; name="$mode"; fi
    data="$(mktemp -d)"
    FLOWGATE_JAVA_OPTS="${FLOWGATE_JAVA_OPTS:-} -Xlog:gc:file=$out/gc-$name.log" \
      "$serve" serve --data-dir "$data" --durability "$mode" \
      --processor default=http://127.0.0.1:8001,fee=0.07 --processor fallback=http://127.0.0.1:8002,fee=0.10 \
      > "$out/serve-$name.log" 2>&1 &
    server=$! # ./flowgate execs java: this is the JVM's pid
    for _ in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:9999/health && break; sleep 1; done
    ./flowgate bench contest --final --processors reference > "$out/$name.json" 2> "$out/$name.err"
    grep VmHWM "/proc/$server/status" > "$out/peak-rss-$name.txt" || true
    cpu_seconds "$server" > "$out/cpu-$name.txt"
    kill "$server"
    wait "$server" || true
    rm -rf "$data"
  done
done
echo "results in $out"
