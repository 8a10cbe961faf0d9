#!/usr/bin/env bash
# Installs the CRD YAMLs that test/harness/k8s-schema.ts validates platform-apps/ against,
# for kinds without an npm model (Crossplane, External Secrets) and for Istio at the exact
# version deployed (the npm Istio models lag behind, e.g. no telemetry.istio.io/v1).
# Source: the projects' own Go modules from the Go module proxy (each module zip carries
# the project's CRD YAMLs).
# Pinned to the versions platform-apps/ deploys; a no-op when the pinned copy is there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
crds="$tools/crds"
# A module cache of its own (not GOPATH's, not the shared .tools/gomodcache other tools
# build from), removed once the CRDs are copied.
export GOMODCACHE="$tools/crds-gomodcache"
export GOFLAGS="-mod=mod"
export GO111MODULE=on

# project  module  version  CRD folder inside the module zip
MODULES=(
  "crossplane github.com/crossplane/crossplane/v2 v2.3.0 cluster/crds"
  "external-secrets github.com/external-secrets/external-secrets v1.3.2 config/crds/bases"
  "istio istio.io/api v1.30.3 kubernetes"
  "function-patch-and-transform github.com/crossplane-contrib/function-patch-and-transform v0.10.9 package/input"
)

install_crds() {
  local project="$1" module="$2" version="$3" folder="$4"
  local dest="$crds/$project" stamp="$crds/$project/.version"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$module@$version" ]]; then
    return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "crds.sh: the go command is needed to download $module@$version" >&2
    exit 1
  fi
  local dir
  dir="$(cd "$tools" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/$folder" ]]; then
    echo "crds.sh: $module@$version has no folder $folder" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  # Only CRD documents (the folders also hold kustomization files).
  grep -l -E "^kind: CustomResourceDefinition" "$dir/$folder"/*.yaml | xargs -I{} cp {} "$dest/"
  chmod -R u+w "$dest"
  echo "$module@$version" >"$stamp"
  echo "crds.sh: $(find "$dest" -name '*.yaml' | wc -l) CRDs of $module@$version in $dest"
}

mkdir -p "$crds"
for entry in "${MODULES[@]}"; do
  # shellcheck disable=SC2086
  install_crds $entry
done
# Only the copied CRDs are needed; drop the module zips and sources (~100 MB).
if [[ -d "$GOMODCACHE" ]]; then
  chmod -R u+w "$GOMODCACHE"
  rm -rf "$GOMODCACHE"
fi
