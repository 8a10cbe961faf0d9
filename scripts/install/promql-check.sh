#!/usr/bin/env bash
# Builds test/chart/promql-check (Prometheus' own PromQL parser, github.com/prometheus/
# prometheus v0.316.0 = Prometheus 3.x) into .tools/bin, so the chart tests can prove every
# alert expression parses. Rebuilds only when its sources change.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
src="$root/test/chart/promql-check"
bin="$tools/bin/promql-check"
stamp="$tools/promql-check.stamp"
want="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
command -v go >/dev/null || { echo "promql-check.sh: Go is required to build promql-check" >&2; exit 1; }
mkdir -p "$tools/bin"
echo "installing promql-check ($(grep 'prometheus/prometheus ' "$src/go.mod" | awk '{print $NF}'))" >&2
(cd "$src" && GOMODCACHE="$tools/gomodcache" GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
echo "$want" > "$stamp"
