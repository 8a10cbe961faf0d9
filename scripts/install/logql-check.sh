#!/usr/bin/env bash
# Builds test/chart/logql-check (Loki's own LogQL parser, github.com/grafana/loki/v3) into
# .tools/bin, so the chart tests can prove the dashboard's log queries parse. Rebuilds only
# when its sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# Its (large) module tree is kept in .tools, shared with promql-check.sh and bootstrap-crds.sh.
export GOMODCACHE="$tools/gomodcache"
build_go_tool logql-check test/chart/logql-check github.com/grafana/loki/v3
