#!/usr/bin/env bash
# Builds loki-tenant (test/tools/loki-tenant, one pin of github.com/grafana/dskit: the one Loki's
# go.mod requires at the version of the platform's Loki image) into .tools/bin, so the platform
# tests resolve X-Scope-OrgID headers with the tenant code Loki runs
# (test/platform-apps/loki-tenancy.test.ts). Rebuilds only when the module's sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# Its module tree is kept in .tools, shared with the other Go tools' modules.
export GOMODCACHE="$tools/gomodcache"
build_go_tool loki-tenant test/tools/loki-tenant github.com/grafana/dskit
