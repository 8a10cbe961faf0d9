#!/usr/bin/env bash
# Builds test/platform-apps/cluster-render (Go text/template + sprig v3, the template engine of the
# Argo CD ApplicationSet controller; module versions pinned by its go.sum) into
# .tools/bin/cluster-render. Idempotent: a no-op when the binary was built from the current
# sources (a hash of main.go, go.mod and go.sum is kept next to it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
src="$root/test/platform-apps/cluster-render"
bin="$tools/bin/cluster-render"
stamp="$bin.sources-sha256"

sources_hash() {
  cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1
}

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$(sources_hash)" ]]; then
  exit 0
fi

command -v go >/dev/null || { echo "scripts/install/cluster-render.sh: Go is required" >&2; exit 1; }
mkdir -p "$(dirname "$bin")"
echo "building cluster-render into $bin" >&2
# -mod=readonly: fail instead of silently changing the pinned module versions.
(cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
sources_hash > "$stamp"
