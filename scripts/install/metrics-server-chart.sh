#!/usr/bin/env bash
# Installs the values.yaml of the metrics-server chart the bootstrap pins (CHARTS.metricsServer in
# bootstrap/versions.ts) into .tools/metrics-server-chart/, so the tests check every values key the
# bootstrap sets against the chart. Source: the chart folder of the Go module
# sigs.k8s.io/metrics-server from the Go module proxy, at the first tag whose
# charts/metrics-server/Chart.yaml carries the pinned chart version (checked below: a bump of the
# pin without a matching tag fails here). No-op when present.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOMODCACHE="$tools/gomodcache"

# The module tag that carries the pinned chart (chart 3.13.1 = tag v0.9.0).
module="sigs.k8s.io/metrics-server"
tag="v0.9.0"
chart_version="$(cd "$root" && node_modules/.bin/tsx -e 'import { CHARTS } from "./bootstrap/versions"; console.log(CHARTS.metricsServer.version);')"
[[ -n "$chart_version" ]] || { echo "$installer: no metrics-server pin in bootstrap/versions.ts" >&2; exit 1; }
dest="$tools/metrics-server-chart"
if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$module@$tag chart $chart_version" ]]; then
  exit 0
fi
require_go "download $module@$tag"
download="$(cd "$tools" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json "$module@$tag" || true)"
zip="$(sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p' <<<"$download")"
grep -q '"Sum": "h1:' <<<"$download" && [[ -f "$zip" ]] || { echo "$installer: $module@$tag was not downloaded and verified: $download" >&2; exit 1; }
found="$(unzip -p "$zip" "$module@$tag/charts/metrics-server/Chart.yaml" | sed -n 's/^version: //p')"
[[ "$found" == "$chart_version" ]] || { echo "$installer: $module@$tag carries chart $found, not the pinned $chart_version" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
unzip -q -j -o "$zip" "$module@$tag/charts/metrics-server/values.yaml" -d "$dest"
echo "$module@$tag chart $chart_version" >"$dest/.version"
echo "$installer: metrics-server chart $chart_version values in $dest" >&2
