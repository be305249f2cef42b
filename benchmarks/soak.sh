#!/usr/bin/env bash
# A bounded soak run against the Millrace example server: hours of publishers and players that reconnect, then a
# verdict on whether memory stayed flat (SoakReport) and whether every player still plays.
#
# Usage: benchmarks/soak.sh [options]
#   --duration S              measured seconds (default $DURATION, else 1800)
#   --players N               players in total, spread evenly over the publishers (default 200)
#   --publishers N            publishers, one stream each (default 4: 50 players per stream)
#   --reconnect-every S       each publisher reconnects about every S seconds (default 180); players stay
#   --sample-every S          seconds between samples (default 10)
#   --port P                  RTMP port of the server (default 19361)
#   --max-growth-pct P        verdict threshold (default 10)
#   --max-slope-mb-per-hour S verdict threshold (default 25)
#   --harness-arg ARG         pass ARG to LoadHarness (repeatable)
#   --no-build                use the existing jars
#   --dry-run                 print the commands, run nothing
#   -h, --help                this text
# Environment: HARNESS_JAVA_OPTS (default "-Xms512m -Xmx512m") for the harness JVM.
#
# The server runs with a fixed 64 MB heap and the serial collector (-XX:+UseSerialGC -Xms64m -Xmx64m; the live heap
# is about 5 MB): a leak then shows as heap growth and, soon, as an OutOfMemoryError, instead of hiding in a heap
# the JVM keeps enlarging; and the heap, touched whole within minutes, leaves RSS to show native growth.
#
# Output in benchmarks/target/soak/: samples.tsv (one row per --sample-every), results.tsv (the run's summary row),
# server.log. Exit status: 0 if memory is flat and all players play at the end, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib.sh
source "$root/benchmarks/lib.sh"

duration="${DURATION:-1800}"
players=200
publishers=4
reconnect_every=180
sample_every=10
port=19361
max_growth_pct=10
max_slope=25
build=1
dry_run=0
harness_extra=()

while (( $# )); do
  case "$1" in
    --duration) duration="${2:?--duration needs a value}"; shift ;;
    --players) players="${2:?--players needs a value}"; shift ;;
    --publishers) publishers="${2:?--publishers needs a value}"; shift ;;
    --reconnect-every) reconnect_every="${2:?--reconnect-every needs a value}"; shift ;;
    --sample-every) sample_every="${2:?--sample-every needs a value}"; shift ;;
    --port) port="${2:?--port needs a value}"; shift ;;
    --max-growth-pct) max_growth_pct="${2:?--max-growth-pct needs a value}"; shift ;;
    --max-slope-mb-per-hour) max_slope="${2:?--max-slope-mb-per-hour needs a value}"; shift ;;
    --harness-arg) harness_extra+=("${2?--harness-arg needs a value}"); shift ;;
    --no-build) build=0 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

for n in "$duration" "$players" "$publishers" "$reconnect_every" "$sample_every" "$port"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
(( publishers > 0 )) || die "--publishers must be at least 1"
(( players % publishers == 0 )) || die "--players ($players) must be a multiple of --publishers ($publishers)"
# LoadHarness's --players counts players per stream.
players_per_stream=$(( players / publishers ))

out="$root/benchmarks/target/soak"
bench_jar="$root/benchmarks/target/benchmarks.jar"
millrace_jar="$root/streaming-examples/target/millrace-server.jar"
samples="$out/samples.tsv"
server_log="$out/server.log"
read -r -a harness_java_opts <<< "${HARNESS_JAVA_OPTS:--Xms512m -Xmx512m}"

server_pid=""
harness_pid=""

stop_server() {
  if [[ -n "$server_pid" ]]; then
    terminate_pid "$server_pid"
    server_pid=""
  fi
}

cleanup() {
  if [[ -n "$harness_pid" ]]; then
    terminate_pid "$harness_pid"
    harness_pid=""
  fi
  stop_server
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if (( build )); then
  run mvn -B -q -DskipTests package
fi
if (( ! dry_run )); then
  [[ -f "$millrace_jar" && -f "$bench_jar" ]] || die "$millrace_jar or $bench_jar is missing: run without --no-build"
  if port_accepts "$port"; then
    echo "soak.sh: port $port is busy; stop what listens there or choose another with --port" >&2
    exit 1
  fi
  mkdir -p "$out"
  # The harness appends; a previous run's samples would blur this one's trend.
  [[ -f "$samples" ]] && mv "$samples" "$samples.prev"
fi

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
server=(java -XX:+UseSerialGC -Xms64m -Xmx64m -jar "$millrace_jar" --rtmp-port "$port" --bind 127.0.0.1 --app live --open
        --max-connections 20000 --max-connections-per-ip 20000)
echo "== Starting Millrace on 127.0.0.1:$port (log $server_log)"
if (( dry_run )); then
  show "${server[@]}"
  pid_arg='$SERVER_PID'
else
  ( exec "${server[@]}" ) > "$server_log" 2>&1 < /dev/null &
  server_pid=$!
  for (( i = 0; i < 300; i++ )); do
    alive "$server_pid" || break
    port_accepts "$port" && break
    sleep 0.1
  done
  if ! alive "$server_pid" || ! port_accepts "$port"; then
    echo "soak.sh: the server did not start; the end of $server_log:" >&2
    tail -n 30 "$server_log" >&2
    exit 1
  fi
  pid_arg="$server_pid"
fi

echo "== Soak: $publishers publisher(s) x $players_per_stream player(s), $duration s, reconnect every" \
  "$reconnect_every s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
harness=(java "${harness_java_opts[@]}" -cp "$bench_jar" dev.millrace.streaming.bench.load.LoadHarness
  --url "rtmp://127.0.0.1:$port/live" --label millrace --scenario soak
  --note "${players}p-${publishers}s-${duration}s"
  --publishers "$publishers" --stream-prefix soak- --players "$players_per_stream"
  --video-kbps 600 --audio-kbps 64 --fps 30 --gop-seconds 2 --duration "$duration"
  --reconnect-every "$reconnect_every" --sample-every "$sample_every" --samples "$samples"
  --server-pid "$pid_arg" --server-jvm --results "$out/results.tsv"
  ${harness_extra[@]+"${harness_extra[@]}"})
harness_status=0
if (( dry_run )); then
  show "${harness[@]}"
else
  # In the background with wait: bash runs the INT and TERM traps at once instead of after the harness (and after
  # ctrl-c not at all when the JVM exits with 130 rather than dying of SIGINT).
  "${harness[@]}" < /dev/null &
  harness_pid=$!
  wait "$harness_pid" || harness_status=$?
  harness_pid=""
fi

if (( ! dry_run )) && ! alive "$server_pid"; then
  echo "soak.sh: the server died during the soak; the end of $server_log:" >&2
  tail -n 30 "$server_log" >&2
fi
stop_server

if (( harness_status != 0 )); then
  echo "soak.sh: the harness exited with status $harness_status" >&2
fi
echo "== Verdict ($samples)"
verdict_status=0
run java -cp "$bench_jar" dev.millrace.streaming.bench.load.SoakReport "$samples" \
  --expected-players "$players" --max-growth-pct "$max_growth_pct" --max-slope-mb-per-hour "$max_slope" \
  || verdict_status=$?
(( harness_status == 0 && verdict_status == 0 ))
