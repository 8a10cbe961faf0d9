#!/usr/bin/env bash
# Builds test/chart/promql-check (Prometheus' own PromQL parser, github.com/prometheus/
# prometheus v0.316.0 = Prometheus 3.x) into .tools/bin, so the chart tests can prove every
# alert expression parses. Rebuilds only when its sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# Its (large) module tree is kept in .tools, shared with bootstrap-crds.sh.
export GOMODCACHE="$tools/gomodcache"
build_go_tool promql-check test/chart/promql-check github.com/prometheus/prometheus
