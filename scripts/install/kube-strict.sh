#!/usr/bin/env bash
# Builds test/tools/kube-strict (strict decoding with the real Kubernetes API types of the
# pinned k8s.io/client-go) into .tools/bin. Rebuilds only when its sources change.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$root/test/tools/kube-strict"
bin="$root/.tools/bin/kube-strict"
stamp="$root/.tools/kube-strict.stamp"
want="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
mkdir -p "$root/.tools/bin"
echo "installing kube-strict (k8s.io/client-go $(grep 'k8s.io/client-go ' "$src/go.mod" | awk '{print $2}'))"
(cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .)
echo "$want" > "$stamp"
