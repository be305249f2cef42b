# Shell helpers shared by compare.sh and soak.sh; sourced, not run. Uses the caller's $dry_run.

# The caller's usage text: its header comment, from line 2 to `set -euo`.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() {
  echo "${0##*/}: $*" >&2
  exit 2
}

# Prints a command the way a shell would read it back.
show() {
  local out="" a
  for a in "$@"; do
    out+="$(printf '%q' "$a") "
  done
  echo "+ ${out% }"
}

run() {
  if (( dry_run )); then
    show "$@"
  else
    "$@"
  fi
}

# True while $1 runs (a zombie, exited but not yet reaped, does not count).
alive() {
  local state
  { read -r state < "/proc/$1/stat"; } 2>/dev/null || return 1
  state="${state##*) }"
  [[ "${state:0:1}" != "Z" ]]
}

# Stops $1: SIGTERM, up to 10 s for a clean exit, then SIGKILL; reaps it if it is our child.
terminate_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < 100; i++ )); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "${0##*/}: $pid did not stop within 10 s of SIGTERM: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_accepts() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
