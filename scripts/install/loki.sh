#!/usr/bin/env bash
# Builds, from one module (test/tools/loki, one pin of github.com/grafana/loki/v3), into .tools/bin:
#   logql-check: Loki's own LogQL parser, so the chart tests prove the dashboard's log queries parse;
#   loki: the Loki server, so the platform tests prove the tenancy of the platform's Loki values
#         (test/platform-apps/loki-tenancy.test.ts).
# Each rebuilds only when the module's sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# Its (large) module tree is kept in .tools, shared with promql-check.sh and bootstrap-crds.sh.
export GOMODCACHE="$tools/gomodcache"
build_go_tool logql-check test/tools/loki github.com/grafana/loki/v3
build_go_tool loki test/tools/loki github.com/grafana/loki/v3 github.com/grafana/loki/v3/cmd/loki
