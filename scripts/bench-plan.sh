#!/usr/bin/env bash
# Benchmark of `npm run plan`: wall time of planning one stack divided by the time node needs
# just to load the Pulumi SDK packages the program uses (goal: <= 2x). Median of RUNS runs.
# Usage: scripts/bench-plan.sh [stack] (default staging-eu-west-1); RUNS=5 to change the count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
stack="${1:-staging-eu-west-1}"
runs="${RUNS:-5}"
# The command `npm run plan` runs (package.json), without npm's own start-up.
plan=(node --require tsx/cjs cli/plan.ts)
sdk='for (const p of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/vault"]) require(p);'

# Milliseconds of the median of $runs runs of "$@" (output discarded).
median_ms() {
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

sdk_ms=$(median_ms node -e "$sdk")
plan_ms=$(median_ms "${plan[@]}" --stack "$stack" --json)
resources=$("${plan[@]}" --stack "$stack" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).resourceCount))')
ratio=$(awk -v p="$plan_ms" -v s="$sdk_ms" 'BEGIN {printf "%.2f", p / s}')
echo "stack=$stack resources=$resources runs=$runs"
echo "sdk_load_ms=$sdk_ms plan_ms=$plan_ms ratio=$ratio (goal <= 2.00)"
awk -v r="$ratio" 'BEGIN {exit !(r <= 2.0)}' || { echo "ratio above goal" >&2; exit 1; }
