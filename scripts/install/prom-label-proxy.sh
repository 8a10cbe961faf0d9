#!/usr/bin/env bash
# Builds prom-label-proxy (test/tools/prom-label-proxy, one pin of
# github.com/prometheus-community/prom-label-proxy, the image tag the platform runs in front of
# Prometheus) into .tools/bin, so the platform tests prove which queries reach Prometheus for a
# team's Grafana organisation (test/platform-apps/prom-label-proxy.test.ts).
# Rebuilds only when the module's sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# Its module tree is kept in .tools, shared with the other Go tools' modules.
export GOMODCACHE="$tools/gomodcache"
build_go_tool prom-label-proxy test/tools/prom-label-proxy github.com/prometheus-community/prom-label-proxy github.com/prometheus-community/prom-label-proxy
