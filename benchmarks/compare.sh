#!/usr/bin/env bash
# Side-by-side load comparison of Millrace with nginx-rtmp and node-media-server (issue #4), in one command.
#
# Installs the peers without touching the system (nginx and its RTMP module from Debian's .debs, extracted into
# benchmarks/target/peers/nginx-root; node-media-server from npm into benchmarks/target/peers/nms), then for each
# server: starts it on loopback, runs every scenario with the load harness against it, stops it. Prints one table
# (CompareTable) at the end.
#
# Usage: benchmarks/compare.sh [options]
#   --servers LIST          which servers, in this order (default millrace,nginx-rtmp,nms)
#   --scenarios LIST        fanout-N (1 publisher, N players) and publishers-N (N publishers, 1 player each);
#                           default fanout-50,fanout-200,fanout-500,fanout-1000,publishers-50; "none" runs no load
#   --duration S            measured seconds per scenario (default 30)
#   --warmup S              seconds of load before measuring (default 5)
#   --millrace-threads N    Millrace serving threads (default 1: nginx-rtmp runs 1 worker, node 1 thread)
#   --window-sweep          also run fanout-500 against Millrace once per flush window (server restarted each time,
#                           note window=Wms), appended to the same results
#   --windows LIST          flush windows of the sweep in ms (default 0,10,25,50,100)
#   --millrace-port P, --nginx-port P, --nms-port P   (default 19351, 19352, 19353)
#   --harness-arg ARG       pass ARG to every LoadHarness run (repeatable), e.g. --harness-arg --flv
#                           --harness-arg clip.flv
#   --check-peers           install and start each server, check that its port accepts, stop it; no load. With
#                           FFMPEG and FFPROBE set in the environment, also publish 8 s of test video with ffmpeg
#                           and check with ffprobe that a player gets h264 + aac
#   --fresh                 move an existing results.tsv aside (results-DATE.tsv) instead of appending to it
#   --no-build              use the existing jars
#   --dry-run               print the commands that would run (installs, servers, harness), run nothing
#   -h, --help              this text
# Environment: HARNESS_JAVA_OPTS (default "-Xms1g -Xmx1g") for the harness JVM, MILLRACE_JAVA_OPTS (default
# "-XX:+UseSerialGC -Xms16m -Xmx128m") for the Millrace server's, SERVER_CPUS (default 0) and HARNESS_CPUS (default
# the other cores) for taskset; set both empty to run unpinned.
#
# Output in benchmarks/target/compare/: results.tsv (one row per run, appended across invocations; CompareTable
# keeps the last row per server, scenario and note), json/, logs/, machine.txt, table.md.
#
# Relay 1->3 (issue #4) is n/a here: none of the three servers is configured with a relay yet, and a number for a
# setup nobody would deploy is worse than none.
#
# Only loopback is ever used: every server listens on 127.0.0.1 and the harness connects there.
#
# Reading the figures: the harness runs on the same machine, so each server is given one core for serving (nginx
# worker_processes 1, node's one JavaScript thread, Millrace --threads 1), the whole server process is pinned to
# core 0 with taskset and the harness to the other cores; server CPU is the server's own process tree from /proc,
# JIT and GC threads included for Millrace. Configurations are each
# project's plain defaults for live RTMP, so start-up behaviour differs: NMS (gop_cache) and Millrace send a new
# player the current GOP, nginx-rtmp (no GOP cache) makes it wait for the next keyframe, up to --gop-seconds 2,
# which shows in TTFF.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib.sh
source "$root/benchmarks/lib.sh"

servers="millrace,nginx-rtmp,nms"
scenarios="fanout-50,fanout-200,fanout-500,fanout-1000,publishers-50"
duration=30
warmup=5
millrace_threads=1
window_sweep=0
windows="0,10,25,50,100"
millrace_port=19351
nginx_port=19352
nms_port=19353
build=1
dry_run=0
check_peers=0
fresh=0
harness_extra=()

# node-media-server 2.7.4: the last release of the 2.x line, the version most deployments and published comparisons
# use. Its RTMP server is configured with {rtmp: {port, chunk_size, gop_cache, ping, ping_timeout}} and runs on node
# 20 (engines: node >= 8). 4.x is a rewrite with a different configuration and API (and no GOP cache option of its
# own); switching is a separate decision, so the version is pinned.
nms_version="2.7.4"

while (( $# )); do
  case "$1" in
    --servers) servers="${2:?--servers needs a value}"; shift ;;
    --scenarios) scenarios="${2:?--scenarios needs a value}"; shift ;;
    --duration) duration="${2:?--duration needs a value}"; shift ;;
    --warmup) warmup="${2:?--warmup needs a value}"; shift ;;
    --millrace-threads) millrace_threads="${2:?--millrace-threads needs a value}"; shift ;;
    --window-sweep) window_sweep=1 ;;
    --windows) windows="${2:?--windows needs a value}"; window_sweep=1; shift ;;
    --millrace-port) millrace_port="${2:?--millrace-port needs a value}"; shift ;;
    --nginx-port) nginx_port="${2:?--nginx-port needs a value}"; shift ;;
    --nms-port) nms_port="${2:?--nms-port needs a value}"; shift ;;
    --harness-arg) harness_extra+=("${2?--harness-arg needs a value}"); shift ;;
    --check-peers) check_peers=1 ;;
    --fresh) fresh=1 ;;
    --no-build) build=0 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

for n in "$duration" "$warmup" "$millrace_threads" "$millrace_port" "$nginx_port" "$nms_port"; do
  [[ "$n" =~ ^[0-9]+$ ]] || die "not a whole number: $n"
done
IFS=',' read -r -a server_list <<< "$servers"
for s in "${server_list[@]}"; do
  case "$s" in
    millrace|nginx-rtmp|nms) ;;
    *) die "unknown server $s (millrace, nginx-rtmp, nms)" ;;
  esac
done
scenario_list=()
if [[ "$scenarios" != "none" ]]; then
  IFS=',' read -r -a scenario_list <<< "$scenarios"
fi
for sc in ${scenario_list[@]+"${scenario_list[@]}"}; do
  [[ "$sc" =~ ^(fanout|publishers)-[1-9][0-9]*$ ]] || die "unknown scenario $sc (fanout-N or publishers-N)"
done
IFS=',' read -r -a window_list <<< "$windows"
for w in "${window_list[@]}"; do
  [[ "$w" =~ ^[0-9]+$ ]] || die "not a window in ms: $w"
done

peers="$root/benchmarks/target/peers"
out="$root/benchmarks/target/compare"
results="$out/results.tsv"
bench_jar="$root/benchmarks/target/benchmarks.jar"
millrace_jar="$root/streaming-examples/target/millrace-server.jar"
nginx_root="$peers/nginx-root"
nginx_bin="$nginx_root/usr/sbin/nginx"
nginx_module="$nginx_root/usr/lib/nginx/modules/ngx_rtmp_module.so"
nginx_prefix="$peers/nginx-run"
nms_dir="$peers/nms"
read -r -a harness_java_opts <<< "${HARNESS_JAVA_OPTS:--Xms1g -Xmx1g}"
read -r -a millrace_java_opts <<< "${MILLRACE_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx128m}"
# Pinning: the server (every thread of it: workers, JIT, GC, libuv) on one core, the harness on the other, so that
# neither steals the other's time slices and the server's CPU seconds measure serving. Empty: no pinning.
server_cpus=""
harness_cpus=""
if command -v taskset > /dev/null && (( $(nproc) >= 2 )); then
  server_cpus="${SERVER_CPUS-0}"
  harness_cpus="${HARNESS_CPUS-1-$(( $(nproc) - 1 ))}"
fi


# ---------------------------------------------------------------------------------------------------------------
# Running commands, or printing them in --dry-run

say() {
  echo "== $*"
}

# ---------------------------------------------------------------------------------------------------------------
# Processes: everything started here is stopped on exit, ctrl-c included

started=()

# The PIDs of the children of $1 (from /proc; the comm field may hold spaces, so read after its last ')').
children_of() {
  local parent="$1" stat line rest ppid
  for stat in /proc/[0-9]*/stat; do
    { read -r line < "$stat"; } 2>/dev/null || continue
    rest="${line##*) }"
    read -r _ ppid _ <<< "$rest"
    if [[ "$ppid" == "$parent" ]]; then
      line="${stat#/proc/}"
      echo "${line%/stat}"
    fi
  done
}

descendants_of() {
  local c
  for c in $(children_of "$1"); do
    echo "$c"
    descendants_of "$c"
  done
}

# Stops $1 and its descendants: SIGTERM, up to 10 s for a clean exit, then SIGKILL.
stop_pid() {
  local pid="$1" tree i
  tree="$(descendants_of "$pid" | tr '\n' ' ')"
  terminate_pid "$pid"
  # An nginx worker outlives a master that was killed; kill whatever of the tree is left.
  for i in $tree; do
    if alive "$i"; then
      kill -KILL "$i" 2>/dev/null || true
    fi
  done
  local rest=()
  for i in ${started[@]+"${started[@]}"}; do
    if [[ "$i" != "$pid" ]]; then
      rest+=("$i")
    fi
  done
  started=(${rest[@]+"${rest[@]}"})
}

cleanup() {
  local i
  # Newest first: the harness before the server it loads.
  for (( i = ${#started[@]} - 1; i >= 0; i-- )); do
    echo "compare.sh: stopping ${started[i]}" >&2
    stop_pid "${started[i]}"
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a long command (the harness) in the background and waits for it. Bash runs a trap only after a foreground
# command ends, and after ctrl-c not at all if the command exited rather than died of SIGINT (a JVM exits with
# 130); the wait builtin returns as soon as a trapped signal arrives, so ctrl-c and SIGTERM stop everything at once.
run_waiting() {
  if (( dry_run )); then
    show "$@"
    return 0
  fi
  "$@" < /dev/null &
  local pid=$! status=0
  started+=("$pid")
  wait "$pid" || status=$?
  stop_pid "$pid"
  return "$status"
}

port_busy() {
  if command -v ss > /dev/null; then
    [[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]] && return 0
  fi
  port_accepts "$1"
}

# ---------------------------------------------------------------------------------------------------------------
# Installing the peers into benchmarks/target/peers

build_millrace() {
  if (( build )); then
    say "Building Millrace"
    run mvn -B -q -DskipTests package
  fi
  if (( ! dry_run )); then
    [[ -f "$millrace_jar" ]] || die "$millrace_jar is missing: run without --no-build"
    if (( ${#scenario_list[@]} > 0 || window_sweep )) && [[ ! -f "$bench_jar" ]]; then
      die "$bench_jar is missing: run without --no-build"
    fi
  fi
}

# apt-get download without root's files being handed to the _apt sandbox user (the .debs land in our directory).
apt_download() {
  (cd "$peers/debs" && apt-get -q -o APT::Sandbox::User=root download "$@")
}

extract_deb() {
  local deb="$1"
  dpkg-deb -x "$deb" "$nginx_root"
}

# Debian bookworm: the "nginx" package holds /usr/sbin/nginx (nginx-light and nginx-core only add modules or are
# transitional), libnginx-mod-rtmp holds the module. Neither is installed: dpkg-deb -x unpacks the files only, no
# maintainer scripts, no /etc, no service.
install_nginx() {
  if [[ -x "$nginx_bin" && -f "$nginx_module" ]]; then
    return
  fi
  say "Installing nginx + libnginx-mod-rtmp into $nginx_root (private; nothing is installed on the system)"
  if (( dry_run )); then
    show apt-get download nginx libnginx-mod-rtmp
    show dpkg-deb -x 'nginx_*.deb' "$nginx_root"
    show dpkg-deb -x 'libnginx-mod-rtmp_*.deb' "$nginx_root"
    return
  fi
  command -v apt-get > /dev/null || die "apt-get not found: nginx-rtmp is installed from Debian's packages"
  rm -rf "$peers/debs" "$nginx_root"
  mkdir -p "$peers/debs" "$nginx_root"
  if ! apt_download nginx libnginx-mod-rtmp; then
    say "apt-get download failed; updating the package lists and retrying"
    apt-get -q update
    apt_download nginx libnginx-mod-rtmp
  fi
  local deb
  for deb in "$peers/debs"/*.deb; do
    extract_deb "$deb"
  done
  # Libraries nginx needs that this machine lacks (a minimal image may have no libpcre2-8-0 or libssl3): extract
  # those packages too and point LD_LIBRARY_PATH at them (nginx_env). One level deep is enough: their own
  # dependencies are libc6 and the like, present everywhere nginx's are.
  local dep missing=()
  for dep in $(dpkg-deb -f "$peers/debs"/nginx_*.deb Depends | tr ',|' '\n\n' | sed 's/(.*//; s/:any//; s/ //g'); do
    [[ "$dep" == lib* || "$dep" == zlib* ]] || continue
    if [[ "$(dpkg-query -W -f='${Status}' "$dep" 2>/dev/null)" != "install ok installed" ]]; then
      missing+=("$dep")
    fi
  done
  if (( ${#missing[@]} )); then
    say "Extracting libraries this machine lacks: ${missing[*]}"
    apt_download "${missing[@]}"
    for dep in "${missing[@]}"; do
      for deb in "$peers/debs/${dep}"_*.deb; do
        extract_deb "$deb"
      done
    done
  fi
  [[ -x "$nginx_bin" ]] || die "no nginx binary in the extracted packages ($nginx_bin)"
  [[ -f "$nginx_module" ]] || die "no ngx_rtmp_module.so in the extracted packages ($nginx_module)"
}

nginx_ld_path="$nginx_root/lib/x86_64-linux-gnu:$nginx_root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Runs a command with the libraries extracted next to nginx on the library path. env execs the command, so the
# PID of `env ... nginx` in the background is nginx's.
nginx_env() {
  env LD_LIBRARY_PATH="$nginx_ld_path" "$@"
}

write_nginx_conf() {
  local port="$1" conf="$nginx_prefix/conf/nginx.conf"
  if (( dry_run )); then
    show write "$conf"
    return
  fi
  mkdir -p "$nginx_prefix/conf" "$nginx_prefix/logs"
  cat > "$conf" <<EOF
# Written by benchmarks/compare.sh; rewritten on every run.
load_module $nginx_module;

# One worker: nginx-rtmp keeps its live streams in the memory of a worker, so a player only sees a publisher that
# reached the same worker (with more workers players of another worker get nothing, unless rtmp_auto_push is on,
# which relays between workers over unix sockets). One worker also means one core for serving, like the others.
worker_processes 1;
worker_rlimit_nofile 20000;
error_log $nginx_prefix/logs/error.log warn;
pid $nginx_prefix/logs/nginx.pid;
lock_file $nginx_prefix/logs/nginx.lock;

events {
    # The default of 512 connections would cap fanout-1000.
    worker_connections 8192;
}

rtmp {
    access_log $nginx_prefix/logs/rtmp-access.log;
    server {
        listen 127.0.0.1:$port;
        chunk_size 4096;
        application live {
            live on;
        }
    }
}
EOF
  nginx_env "$nginx_bin" -t -q -p "$nginx_prefix/" -c "$conf" -g 'daemon off;' \
    || die "nginx rejects $conf"
}

install_nms() {
  local installed="$nms_dir/node_modules/node-media-server/package.json"
  if [[ -f "$installed" ]] && grep -q "\"version\": \"$nms_version\"" "$installed"; then
    return
  fi
  say "Installing node-media-server@$nms_version into $nms_dir"
  command -v npm > /dev/null || (( dry_run )) || die "npm not found: node-media-server is installed with npm"
  run mkdir -p "$nms_dir"
  run npm install --prefix "$nms_dir" --no-audit --no-fund --loglevel=error "node-media-server@$nms_version"
}

install_server() {
  case "$1" in
    millrace) ;;
    nginx-rtmp) install_nginx ;;
    nms) install_nms ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------------
# Starting and stopping a server

port_of() {
  case "$1" in
    millrace) echo "$millrace_port" ;;
    nginx-rtmp) echo "$nginx_port" ;;
    nms) echo "$nms_port" ;;
  esac
}

threads_option=""

# True if the example server knows --threads (added to it after this script was written).
millrace_has_threads_option() {
  if [[ -z "$threads_option" ]]; then
    threads_option=no
    if java -jar "$millrace_jar" --help 2>/dev/null | grep -q -- '--threads'; then
      threads_option=yes
    fi
  fi
  [[ "$threads_option" == yes ]]
}

# Starts server $1 (extra Millrace options after it), waits until its port accepts, sets server_pid and
# server_log. Returns 1 (log tail printed) if it does not come up.
start_server() {
  local name="$1"; shift
  local port cmd=()
  port="$(port_of "$name")"
  mkdir -p "$out/logs"
  server_log="$out/logs/$name-$(date +%Y%m%d-%H%M%S).log"
  case "$name" in
    millrace)
      # A small-footprint JVM (MILLRACE_JAVA_OPTS): the live heap is about 5 MB at 1000 players (media sits in
      # Netty's direct buffers), so a 128 MB cap is ample, and the serial collector keeps the JVM's own overhead
      # small. With -Xms512m the JVM would touch a 512 MB heap and RSS would measure the heap size chosen, not
      # the server.
      cmd=(java "${millrace_java_opts[@]}" -jar "$millrace_jar" --rtmp-port "$port" --bind 127.0.0.1 --app live --open
           --max-connections 20000 --max-connections-per-ip 20000)
      if (( dry_run )) || millrace_has_threads_option; then
        cmd+=(--threads "$millrace_threads")
      else
        echo "   warning: this millrace-server.jar has no --threads; it serves with its default thread count" >&2
      fi
      cmd+=("$@")
      ;;
    nginx-rtmp)
      write_nginx_conf "$port"
      cmd=(env LD_LIBRARY_PATH="$nginx_ld_path" "$nginx_bin" -p "$nginx_prefix/" -c "$nginx_prefix/conf/nginx.conf" -g 'daemon off;')
      ;;
    nms)
      cmd=(node "$root/benchmarks/nms-server.js" --nms-dir "$nms_dir" --port "$port" --host 127.0.0.1
           --log-level error)
      ;;
  esac
  say "Starting $name on 127.0.0.1:$port"
  if (( dry_run )); then
    show "${cmd[@]}"
    server_pid='$SERVER_PID'
    return 0
  fi
  if port_busy "$port"; then
    echo "compare.sh: port $port is busy; stop what listens there or choose another with --${name%%-*}-port" >&2
    exit 1
  fi
  if [[ -n "$server_cpus" ]]; then
    cmd=(taskset -c "$server_cpus" "${cmd[@]}")
  fi
  # exec: $! is then the server process itself (nginx's master, node, java), not a subshell; taskset execs too.
  ( exec "${cmd[@]}" ) > "$server_log" 2>&1 < /dev/null &
  server_pid=$!
  started+=("$server_pid")
  local i
  for (( i = 0; i < 300; i++ )); do
    if ! alive "$server_pid"; then
      echo "compare.sh: $name exited while starting; the end of $server_log:" >&2
      tail -n 30 "$server_log" >&2
      stop_pid "$server_pid"
      return 1
    fi
    port_accepts "$port" && break
    sleep 0.1
  done
  if ! port_accepts "$port"; then
    echo "compare.sh: $name does not accept on port $port after 30 s; the end of $server_log:" >&2
    tail -n 30 "$server_log" >&2
    stop_pid "$server_pid"
    return 1
  fi
  echo "   pid $server_pid, log $server_log"
}

stop_server() {
  local name="$1"
  say "Stopping $name"
  if (( dry_run )); then
    show kill -TERM '$SERVER_PID'
    return
  fi
  if ! alive "$server_pid"; then
    echo "compare.sh: $name had already exited; the end of $server_log:" >&2
    tail -n 30 "$server_log" >&2
  fi
  stop_pid "$server_pid"
}

# ---------------------------------------------------------------------------------------------------------------
# Load

# Runs scenario $2 against server $1 (note $3, may be empty). Returns the harness's exit status.
run_scenario() {
  local name="$1" scenario="$2" note="$3" port publishers players
  port="$(port_of "$name")"
  case "$scenario" in
    fanout-*) publishers=1; players="${scenario#fanout-}" ;;
    publishers-*) publishers="${scenario#publishers-}"; players=1 ;;
  esac
  local json="$out/json/$name-$scenario${note:+-$note}.json"
  local cmd=(java "${harness_java_opts[@]}" -cp "$bench_jar" dev.millrace.streaming.bench.load.LoadHarness
    --url "rtmp://127.0.0.1:$port/live" --label "$name" --scenario "$scenario"
    --publishers "$publishers" --stream-prefix "$scenario-" --players "$players"
    --video-kbps 600 --audio-kbps 64 --fps 30 --gop-seconds 2
    --warmup "$warmup" --duration "$duration"
    --server-pid "$server_pid" --results "$results" --json "$json")
  [[ -n "$note" ]] && cmd+=(--note "$note")
  [[ "$name" == millrace ]] && cmd+=(--server-jvm)
  cmd+=(${harness_extra[@]+"${harness_extra[@]}"})
  if [[ -n "$harness_cpus" ]]; then
    cmd=(taskset -c "$harness_cpus" "${cmd[@]}")
  fi
  say "$name / $scenario${note:+ ($note)}: $publishers publisher(s) x $players player(s), ${warmup}+${duration} s"
  mkdir -p "$out/json"
  run_waiting "${cmd[@]}"
}

# ---------------------------------------------------------------------------------------------------------------
# Machine record

version_lines() {
  "$@" 2>&1 | head -n "${LINES_MAX:-3}" | sed 's/^/    /' || true
}

record_machine() {
  local f="$out/machine.txt"
  {
    echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "cores:       $(nproc)"
    echo "pinning:     server on cpu ${server_cpus:-any}, harness on cpu ${harness_cpus:-any}"
    echo "cpu:         $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "kernel:      $(uname -r)"
    echo "memory:      $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "settings:    duration ${duration} s, warmup ${warmup} s, millrace threads ${millrace_threads}"
    echo "java:"
    version_lines java -version
    if [[ -x "$nginx_bin" ]]; then
      echo "nginx (nginx -V):"
      LINES_MAX=2 version_lines nginx_env "$nginx_bin" -V
      local deb
      for deb in "$peers/debs"/nginx_*.deb "$peers/debs"/libnginx-mod-rtmp_*.deb; do
        [[ -f "$deb" ]] && echo "    deb: $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"
      done
    fi
    if command -v node > /dev/null; then
      echo "node:        $(node --version)"
    fi
    if [[ -f "$nms_dir/node_modules/node-media-server/package.json" ]]; then
      echo "nms:         node-media-server $(node -p "require('$nms_dir/node_modules/node-media-server/package.json').version")"
    fi
  } > "$f"
}

# ---------------------------------------------------------------------------------------------------------------
# Checking a peer with ffmpeg (--check-peers with FFMPEG and FFPROBE set)

ffmpeg_smoke() {
  local name="$1" port url log probe
  port="$(port_of "$name")"
  url="rtmp://127.0.0.1:$port/live/check"
  log="$out/logs/$name-ffmpeg.log"
  "$FFMPEG" -hide_banner -loglevel error -re -f lavfi -i testsrc=size=640x360:rate=30 -f lavfi -i sine \
    -c:v libx264 -preset veryfast -g 60 -c:a aac -t 10 -f flv "$url" > "$log" 2>&1 &
  local ff=$! frames
  sleep 2
  probe="$(timeout 20 "$FFPROBE" -v error -show_entries stream=codec_name -of csv=p=0 "$url" 2>>"$log" \
    | sort | tr '\n' ' ')" || true
  # A player that decodes 3 s of the stream; ffmpeg's last progress line says how many video frames it got.
  frames="$(timeout 20 "$FFMPEG" -hide_banner -nostats -i "$url" -t 3 -f null - 2>&1 \
    | grep -o 'frame= *[0-9]*' | tail -n 1 | tr -dc '0-9')" || true
  wait "$ff" || true
  if [[ "$probe" == "aac h264 " && "${frames:-0}" -gt 0 ]]; then
    echo "   ffmpeg publish, ffprobe: h264 + aac, ffmpeg play: $frames frames decoded in 3 s of media: ok"
    return 0
  fi
  echo "compare.sh: at $url ffprobe saw '${probe}' (expected 'aac h264 '), a player decoded ${frames:-0} frames;" \
    "$log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------------------------
# Main

mkdir -p "$out" "$peers"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

load1="$(cut -d' ' -f1 /proc/loadavg)"
if awk -v l="$load1" 'BEGIN { exit !(l > 1) }'; then
  echo "compare.sh: warning: the 1-minute load average is $load1 (> 1); results will be noisy" >&2
fi

if (( ! dry_run )); then
  busy=0
  for s in "${server_list[@]}"; do
    p="$(port_of "$s")"
    if port_busy "$p"; then
      echo "compare.sh: port $p ($s) is busy; stop what listens there or choose another with --${s%%-*}-port" >&2
      busy=1
    fi
  done
  (( busy == 0 )) || exit 1
fi

build_millrace
for s in "${server_list[@]}"; do
  install_server "$s"
done

if (( fresh )) && [[ -f "$results" ]]; then
  run mv "$results" "$out/results-$(date +%Y%m%d-%H%M%S).tsv"
fi

if (( ! dry_run )); then
  record_machine
  cat "$out/machine.txt"
fi

failures=0
for s in "${server_list[@]}"; do
  if ! start_server "$s"; then
    failures=$(( failures + 1 ))
    continue
  fi
  if (( check_peers )); then
    if (( ! dry_run )) && [[ -n "${FFMPEG:-}" && -n "${FFPROBE:-}" ]]; then
      ffmpeg_smoke "$s" || failures=$(( failures + 1 ))
    fi
  else
    for sc in ${scenario_list[@]+"${scenario_list[@]}"}; do
      status=0
      run_scenario "$s" "$sc" "" || status=$?
      if (( status != 0 )); then
        echo "compare.sh: the harness failed for $s / $sc (status $status)" >&2
        failures=$(( failures + 1 ))
      fi
      if (( ! dry_run )) && ! alive "$server_pid"; then
        echo "compare.sh: $s died during $sc; skipping its remaining scenarios" >&2
        failures=$(( failures + 1 ))
        break
      fi
    done
  fi
  stop_server "$s"
done

if (( window_sweep && ! check_peers )); then
  for w in "${window_list[@]}"; do
    if ! start_server millrace --flush-window-ms "$w"; then
      failures=$(( failures + 1 ))
      continue
    fi
    status=0
    run_scenario millrace fanout-500 "window=${w}ms" || status=$?
    (( status == 0 )) || failures=$(( failures + 1 ))
    stop_server millrace
  done
fi

echo "relay-1to3: n/a (no server here has a relay configured)"

if (( ! dry_run )); then
  echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
  echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if (( ! check_peers )) && { (( dry_run )) || [[ -f "$results" ]]; }; then
  say "Comparison ($results)"
  if (( dry_run )); then
    show java -cp "$bench_jar" dev.millrace.streaming.bench.load.CompareTable "$results"
  else
    java -cp "$bench_jar" dev.millrace.streaming.bench.load.CompareTable "$results" | tee "$out/table.md"
    echo "(also in $out/table.md)"
  fi
fi

if (( failures )); then
  echo "compare.sh: $failures step(s) failed; see above" >&2
  exit 1
fi
