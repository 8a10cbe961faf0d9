#!/usr/bin/env bash
# Benchmark of the unit suite (`npm run test:unit`: every test file but the control-plane
# scenarios) with the tools already installed: wall time of RUNS runs, median printed, goal
# <= 180 s on 2 cores. Usage: scripts/bench-unit.sh; RUNS=3 to change the count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${RUNS:-1}"
bash scripts/install-tools.sh
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  npx vitest run >/tmp/holodeck-bench-unit.log 2>&1 || { tail -40 /tmp/holodeck-bench-unit.log >&2; exit 1; }
  end=$(date +%s%N)
  times+=($(((end - start) / 1000000)))
done
median_ms=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "unit suite: runs=$runs median_s=$((median_ms / 1000)) (goal <= 180) cores=$(nproc) load=$(cut -d' ' -f1 /proc/loadavg)"
grep -E "Test Files|Tests  " /tmp/holodeck-bench-unit.log | sed 's/\x1b\[[0-9;]*m//g'
[[ "$median_ms" -le 180000 ]] || { echo "unit suite above goal" >&2; exit 1; }
