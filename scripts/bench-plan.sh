#!/usr/bin/env bash
# Benchmark of `npm run plan`: wall time of planning one stack divided by the time node needs
# just to load the Pulumi SDK packages the program uses (goal: <= 2x). Median of RUNS runs.
# The CPU-time ratio is printed too: on a shared machine the wall times follow the load, the
# CPU times much less (the load average is printed with the numbers).
# Usage: scripts/bench-plan.sh [stack] (default staging-eu-west-1); RUNS=5 to change the count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# On the Node `npm run plan` and the tests use (scripts/pinned-node.sh), whatever the machine has.
[[ "$(node --version 2>/dev/null)" == "v$(head -1 scripts/install/node.version)" ]] || exec bash scripts/pinned-node.sh bash "$0" "$@"
stack="${1:-staging-eu-west-1}"
runs="${RUNS:-5}"
# The command `npm run plan` runs (package.json), without npm's own start-up.
plan=(node --require tsx/cjs cli/plan.ts)
sdk='for (const p of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/vault"]) require(p);'

# "<wall ms> <cpu ms>": medians of $runs runs of "$@" (output discarded; cpu = user + sys of the process tree).
medians() {
  local walls=() cpus=() TIMEFORMAT='%R %U %S' out
  for _ in $(seq "$runs"); do
    out=$({ time "$@" >/dev/null; } 2>&1 | tail -1)
    walls+=("$(awk '{printf "%d", $1 * 1000}' <<<"$out")")
    cpus+=("$(awk '{printf "%d", ($2 + $3) * 1000}' <<<"$out")")
  done
  # An awk program: its $1 is awk's first field, not a shell expansion.
  # shellcheck disable=SC2016
  local median='{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  echo "$(printf '%s\n' "${walls[@]}" | sort -n | awk "$median") $(printf '%s\n' "${cpus[@]}" | sort -n | awk "$median")"
}

# One plan first: it compiles the plan bundle if a source changed (cli/plan/bundle-cache.ts), as
# the first start after an edit does; the benchmark measures the starts after it.
resources=$("${plan[@]}" --stack "$stack" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).resourceCount))')
load_before=$(cut -d' ' -f1 /proc/loadavg)
read -r sdk_ms sdk_cpu_ms <<<"$(medians node -e "$sdk")"
read -r plan_ms plan_cpu_ms <<<"$(medians "${plan[@]}" --stack "$stack" --json)"
ratio=$(awk -v p="$plan_ms" -v s="$sdk_ms" 'BEGIN {printf "%.2f", p / s}')
cpu_ratio=$(awk -v p="$plan_cpu_ms" -v s="$sdk_cpu_ms" 'BEGIN {printf "%.2f", p / s}')
echo "stack=$stack resources=$resources runs=$runs cores=$(nproc) load=${load_before}->$(cut -d' ' -f1 /proc/loadavg)"
echo "sdk_load_ms=$sdk_ms plan_ms=$plan_ms ratio=$ratio (goal <= 2.00)"
echo "sdk_load_cpu_ms=$sdk_cpu_ms plan_cpu_ms=$plan_cpu_ms cpu_ratio=$cpu_ratio"
awk -v r="$ratio" 'BEGIN {exit !(r <= 2.0)}' || { echo "ratio above goal" >&2; exit 1; }
