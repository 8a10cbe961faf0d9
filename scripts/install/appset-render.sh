#!/usr/bin/env bash
# Builds test/tools/appset-render (Go text/template + sprig v3, the template engine of the
# Argo CD ApplicationSet controller; module versions pinned by its go.sum) into
# .tools/bin/appset-render. Idempotent: a no-op when the binary was built from the current
# sources (a hash of its *.go files, go.mod and go.sum is kept next to it). The same
# binary runs argocd-cm Lua health checks with gopher-lua, as Argo CD does (-health).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
src="$root/test/tools/appset-render"
bin="$tools/bin/appset-render"
stamp="$bin.sources-sha256"

sources_hash() {
  cat "$src"/*.go "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1
}

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$(sources_hash)" ]]; then
  exit 0
fi

command -v go >/dev/null || { echo "scripts/install/appset-render.sh: Go is required" >&2; exit 1; }
mkdir -p "$(dirname "$bin")"
echo "building appset-render into $bin" >&2
# -mod=readonly: fail instead of silently changing the pinned module versions.
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
sources_hash > "$stamp"
