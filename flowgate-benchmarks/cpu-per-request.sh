#!/usr/bin/env bash
# CPU a server spends per request at a steady rate, for before/after figures of a hot-path change:
# starts two reference processors (8001, 8002), the server named by the first argument, sends
# `bench load` at the given rate, and prints the server's user+system CPU milliseconds per request
# over the measured part of the run (the warm-up excluded), in all and by thread. One load test at a time on this machine.
#   ./mvnw -q package -DskipTests
#   flowgate-benchmarks/cpu-per-request.sh floor|flowgate [rate=600] [seconds=60]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${1:?floor or flowgate}"
rate="${2:-600}"
seconds="${3:-60}"
warmup=20
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
bench="flowgate-benchmarks/target/benchmarks.jar"
[ -f "$bench" ] || { echo "cpu-per-request: build first: ./mvnw -q package -DskipTests" >&2; exit 1; }
processor=../shared/reference/processor/Processor.java
# Without it the server would be measured calling processors that are not there.
[ -f "$processor" ] || { echo "cpu-per-request: the reference processor $processor is missing" >&2; exit 1; }

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for port in 8001 8002; do
  "$java" "$processor" --port "$port" --quiet --ttl 600 > /dev/null 2>&1 &
  pids+=($!)
done
data="$(mktemp -d)"
case "$target" in
  floor)
    "$java" -cp "$bench" dev.flowgate.benchmarks.HttpServerFloor > /dev/null 2>&1 &
    url=http://127.0.0.1:9101 ;;
  flowgate)
    ./flowgate serve --data-dir "$data" --durability no-fsync \
      --processor default=http://127.0.0.1:8001,fee=0.05 --processor fallback=http://127.0.0.1:8002,fee=0.15 \
      > "$data/serve.log" 2>&1 &
    url=http://127.0.0.1:9999 ;;
  *) echo "cpu-per-request: floor or flowgate, not $target" >&2; exit 2 ;;
esac
server=$!
pids+=("$server")
for _ in $(seq 1 60); do
  curl -s -o /dev/null "http://127.0.0.1:8001/" && curl -s -o /dev/null "http://127.0.0.1:8002/" \
    && curl -s -o /dev/null "$url/payments-summary" && break
  sleep 1
done

ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat"; }
# CPU ticks per thread, by name with its numbers dropped ("http-connection", "ForkJoinPool-worker-"):
# the field after "(name) " is the third, so utime and stime are the 12th and 13th from there.
threads() {
  for task in /proc/"$server"/task/*; do
    printf '%s\t%s\n' "$(tr -d '0-9#' < "$task/comm")" "$(sed 's/.*) //' "$task/stat" | awk '{ print $12 + $13 }')"
  done 2>/dev/null | awk -F'\t' '{ t[$1] += $2 } END { for (n in t) print n "\t" t[n] }' | sort
}
./flowgate bench load --url "$url" --rate "$rate" --connections 256 --duration "$((seconds + warmup))" \
  --warmup "$warmup" > "$data/load.out" 2> "$data/load.err" &
load=$!
# Both snapshots while the load runs: connection threads end with their connections.
window=$((seconds - 2))
sleep "$warmup"
before=$(ticks)
threads > "$data/threads-before"
sleep "$window"
after=$(ticks)
threads > "$data/threads-after"
wait "$load"
grep VmHWM "/proc/$server/status" || true
hz=$(getconf CLK_TCK)
awk -v b="$before" -v a="$after" -v hz="$hz" -v n="$((rate * window))" -v t="$target" \
  'BEGIN { printf "%s: %.1f s of CPU for ~%d requests: %.3f ms per request\n", t, (a - b) / hz, n, (a - b) * 1000 / hz / n }'
grep -i "p99\|requests" "$data/load.out" | head -4 || true
echo "CPU ms per request by thread (those above 1 %):"
join -t $'\t' -a 2 -e 0 -o 0,1.2,2.2 "$data/threads-before" "$data/threads-after" \
  | awk -F'\t' -v hz="$hz" -v n="$((rate * window))" -v total="$((after - before))" \
    '($3 - $2) * 100 > total { printf "  %-28s %.3f\n", $1, ($3 - $2) * 1000 / hz / n }' | sort -k2 -nr -t $'\t'

rm -rf "$data"
