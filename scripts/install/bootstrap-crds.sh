#!/usr/bin/env bash
# Installs the CRDs of the exact Argo CD and cert-manager versions the bootstrap deploys
# (argo-cd chart 10.1.1 = Argo CD v3.4.4, cert-manager v1.21.1) into .tools/bootstrap-crds/,
# so test/bootstrap validates its AppProjects, Application, ApplicationSet, ClusterIssuers
# and Certificates strictly against them (the npm models are older and let unknown fields
# through). Source: the projects' Go modules from the Go module proxy. Kept out of
# .tools/crds so other suites keep their own schema choice. No-op when present.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
dest_root="$tools/bootstrap-crds"
export GOMODCACHE="$tools/gomodcache"
export GOFLAGS="-mod=mod"
export GO111MODULE=on

# project  module  version  CRD folder inside the module zip
MODULES=(
  "argo-cd github.com/argoproj/argo-cd/v3 v3.4.4 manifests/crds"
  "cert-manager github.com/cert-manager/cert-manager v1.21.1 deploy/crds"
)

install_crds() {
  local project="$1" module="$2" version="$3" folder="$4"
  local dest="$dest_root/$project" stamp="$dest_root/$project/.version"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$module@$version" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "bootstrap-crds.sh: Go is required to download $module@$version" >&2; exit 1; }
  local dir
  dir="$(cd "$tools" && go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/$folder" ]]; then
    echo "bootstrap-crds.sh: $module@$version has no folder $folder" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  grep -l -E "^kind: CustomResourceDefinition" "$dir/$folder"/*.yaml | xargs -I{} cp {} "$dest/"
  chmod -R u+w "$dest"
  echo "$module@$version" >"$stamp"
  echo "bootstrap-crds.sh: $(find "$dest" -name '*.yaml' | wc -l) CRDs of $module@$version in $dest" >&2
}

mkdir -p "$dest_root"
for entry in "${MODULES[@]}"; do
  # shellcheck disable=SC2086
  install_crds $entry
done
