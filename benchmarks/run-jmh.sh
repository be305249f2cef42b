#!/usr/bin/env bash
# Builds the benchmarks and runs the JMH micro-benchmarks of the hot paths with -prof gc, then prints a table:
# benchmark, params, score ± error, unit, gc.alloc.rate.norm (B/op) and a derived column (MB/s, per subscriber).
# Results: benchmarks/target/jmh-result.json, .csv and .txt (the table).
#
# Usage: benchmarks/run-jmh.sh [--no-build] [--alloc-sites] [JMH options] [benchmark regexp...]
#   --no-build     use the existing benchmarks/target/benchmarks.jar
#   --alloc-sites  also record each fork with JFR and print its largest allocation sites (AllocationSites);
#                  recordings and reports go to benchmarks/target/jfr/
#   JMH options    any of JMH's; -f, -wi, -w, -i, -r given here replace the short defaults below
#                  (-f 1 -wi 3 -w 2s -i 5 -r 2s: about 9 minutes for everything on 2 cores)
# Examples:
#   benchmarks/run-jmh.sh                                   # everything
#   benchmarks/run-jmh.sh Fanout -p subscribers=1000        # one benchmark class, one parameter value
#   benchmarks/run-jmh.sh -f 3 -i 10 ChunkDecode            # longer, for a figure to publish
#   benchmarks/run-jmh.sh --no-build --alloc-sites 'FanoutBenchmark.inline'
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
alloc_sites=0
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --alloc-sites) alloc_sites=1 ;;
    *) args+=("$a") ;;
  esac
done

# Short defaults for a small machine, each dropped if the caller gave that option.
has() {
  local opt="$1" a
  for a in ${args[@]+"${args[@]}"}; do
    [[ "$a" == "$opt" ]] && return 0
  done
  return 1
}
defaults=()
has -f || defaults+=(-f 1)
has -wi || defaults+=(-wi 3)
has -w || defaults+=(-w 2s)
has -i || defaults+=(-i 5)
has -r || defaults+=(-r 2s)
profilers=()
prev=""
gc_given=0
for a in ${args[@]+"${args[@]}"}; do
  [[ "$prev" == "-prof" && "$a" == gc* ]] && gc_given=1
  prev="$a"
done
(( gc_given )) || profilers+=(-prof gc)
if (( alloc_sites )); then
  mkdir -p benchmarks/target/jfr
  profilers+=(-prof "jfr:dir=$root/benchmarks/target/jfr;configName=profile;postProcessor=dev.millrace.streaming.bench.jmh.AllocationSites")
fi

if (( build )); then
  mvn -B -q -pl benchmarks -am package -DskipTests
fi

jar=benchmarks/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  echo "$jar is missing: run without --no-build" >&2
  exit 1
fi

echo "JDK: $(java -version 2>&1 | head -1); cores: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "Load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$jar" dev.millrace.streaming.bench.jmh.JmhMain --results benchmarks/target/jmh-result \
  ${defaults[@]+"${defaults[@]}"} "${profilers[@]}" ${args[@]+"${args[@]}"}
echo "Load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
