#!/usr/bin/env bash
# Builds test/tools/appset-render (Go text/template + sprig v3, the template engine of the
# Argo CD ApplicationSet controller, for git files and cluster generators; module versions
# pinned by its go.sum) into .tools/bin/appset-render. The same binary runs argocd-cm Lua
# health checks with gopher-lua, as Argo CD does (-health). Rebuilds only when its sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
build_go_tool appset-render test/tools/appset-render github.com/Masterminds/sprig/v3
