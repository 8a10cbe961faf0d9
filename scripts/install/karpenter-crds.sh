#!/usr/bin/env bash
# Installs the CRDs (NodePool, NodeClaim, EC2NodeClass, NodeOverlay, CapacityBuffer) of the
# exact Karpenter version the bootstrap deploys (CHARTS.karpenter in bootstrap/versions.ts, read
# from there so a bump stays one line) into .tools/bootstrap-crds/karpenter/, so the tests
# validate the recorded EC2NodeClass and NodePools strictly against them, and the chart's
# values.yaml at that tag into .tools/karpenter-chart/ (the values keys the bootstrap sets are
# checked against it: the OCI chart is the tag's chart folder). Source: the project's
# Go module zip from the Go module proxy (pkg/apis/crds holds the CRDs the chart ships). The
# module asks for a newer Go than the pinned toolchain, so `go mod download` fetches and
# verifies the zip but does not extract it: the CRD files are read from the verified zip.
# No-op when present.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOMODCACHE="$tools/gomodcache"

version="$(cd "$root" && node_modules/.bin/tsx -e 'import { CHARTS } from "./bootstrap/versions"; console.log(CHARTS.karpenter.appVersion);')"
[[ -n "$version" ]] || { echo "$installer: no Karpenter pin in bootstrap/versions.ts" >&2; exit 1; }
module="github.com/aws/karpenter-provider-aws"
dest="$tools/bootstrap-crds/karpenter"
chart="$tools/karpenter-chart"
if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$module@v$version" && -f "$chart/.version" && "$(cat "$chart/.version")" == "$module@v$version" ]]; then
  exit 0
fi
require_go "download $module@v$version"
# go mod download exits non-zero for the toolchain requirement after it verified the zip (go.sum
# database); its JSON names the zip and its checksum either way.
download="$(cd "$tools" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json "$module@v$version" || true)"
zip="$(sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p' <<<"$download")"
grep -q '"Sum": "h1:' <<<"$download" || { echo "$installer: $module@v$version was not verified: $download" >&2; exit 1; }
[[ -n "$zip" && -f "$zip" ]] || { echo "$installer: the Go module proxy has no zip of $module@v$version" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
unzip -q -j -o "$zip" "$module@v$version/pkg/apis/crds/*.yaml" -d "$dest"
grep -L -E "^kind: CustomResourceDefinition" "$dest"/*.yaml | xargs -r rm -f
echo "$module@v$version" >"$dest/.version"
rm -rf "$chart"
mkdir -p "$chart"
unzip -q -j -o "$zip" "$module@v$version/charts/karpenter/values.yaml" -d "$chart"
echo "$module@v$version" >"$chart/.version"
echo "$installer: $(find "$dest" -name '*.yaml' | wc -l) CRDs of $module@v$version in $dest" >&2
