#!/usr/bin/env bash
# Benchmark of the tests with the tools already installed, against issue 13's goals on 2 cores:
#   scripts/bench-tests.sh        the unit suite (`npm run test:unit`), goal <= 180 s
#   scripts/bench-tests.sh all    the whole `npm test` (static, unit, control plane), goal <= 360 s
# Wall time of RUNS runs (default 1), median printed and checked. The CPU time of the runs (user +
# sys of every process they started) and the load average are printed with it: on a shared
# machine the wall time follows the load. Each suite's own duration comes from vitest's summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-unit}" in
  unit) command=(npm run --silent test:unit) goal_s=180 ;;
  all) command=(npm test --silent) goal_s=360 ;;
  *) echo "usage: scripts/bench-tests.sh [unit|all] (got '$1')" >&2; exit 2 ;;
esac
runs="${RUNS:-1}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
bash scripts/install-tools.sh
times=()
cpus=()
load_before=$(cut -d' ' -f1 /proc/loadavg)
TIMEFORMAT='%R %U %S'
for _ in $(seq "$runs"); do
  measured=$({ time "${command[@]}" >"$log" 2>&1; } 2>&1) || { tail -40 "$log" >&2; exit 1; }
  times+=("$(awk '{printf "%d", $1 * 1000}' <<<"$measured")")
  cpus+=("$(awk '{printf "%d", $2 + $3}' <<<"$measured")")
done
median_ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "${command[*]}: runs=$runs median_s=$((median_ms / 1000)) (goal <= $goal_s) cpu_s=${cpus[*]} cores=$(nproc) load=${load_before}->$(cut -d' ' -f1 /proc/loadavg)"
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "Test Files|Tests  |Duration"
[[ "$median_ms" -le $((goal_s * 1000)) ]] || { echo "${command[*]}: above the goal of $goal_s s" >&2; exit 1; }
