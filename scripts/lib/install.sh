# shellcheck shell=bash
# Sourced by every scripts/install/*.sh (kept out of scripts/install/ because
# scripts/install-tools.sh runs every script there). Sets `root` (the repository) and
# `tools` (.tools/, or $HOLODECK_TOOLS) and holds the logic the installers share; each
# function is idempotent: a no-op when the pinned thing is already in place.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="${HOLODECK_TOOLS:-$root/.tools}"
installer="scripts/install/$(basename "${BASH_SOURCE[1]:-$0}")"
# Argo CD 3.6 declares go 1.27: only its build and reading its module (control-plane.sh,
# bootstrap-crds.sh) use this toolchain, which the go command fetches from the module proxy;
# everything else builds with the local Go.
# shellcheck disable=SC2034 # read by the installers that source this file
ARGOCD_GOTOOLCHAIN="go1.27.3"

# require_go <what it is needed for>
require_go() {
  command -v go >/dev/null || { echo "$installer: Go is required to $1" >&2; exit 1; }
}

# build_go_tool <name> <module dir, repo-relative> [<module whose pinned version to report>] [<package to build, default .>]
# Builds the Go module into $tools/bin/<name>; rebuilds only when the sha256 of its *.go,
# go.mod and go.sum differs from the stamp kept next to the binary.
build_go_tool() {
  local name="$1" src="$root/$2" pinned="${3:-}" package="${4:-.}"
  local bin="$tools/bin/$name" stamp="$tools/bin/$name.sources-sha256" want version=""
  want="$(cat "$src"/*.go "$src/go.mod" "$src/go.sum" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  require_go "build $name"
  [[ -n "$pinned" ]] && version=" ($pinned $(awk -v m="$pinned" '$1 == m || $2 == m { print $NF; exit }' "$src/go.mod"))"
  mkdir -p "$tools/bin"
  echo "building $name$version into $bin" >&2
  # -mod=readonly: fail instead of silently changing the pinned module versions.
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$bin" "$package")
  echo "$want" >"$stamp"
}

# install_module_crds <dest root> "<project> <module> <version> <CRD folder in the module>"...
# Copies the CustomResourceDefinition YAMLs of each pinned Go module (from the Go module
# proxy, into $GOMODCACHE) to <dest root>/<project>/; a project whose .version stamp holds
# <module>@<version> is left as it is.
install_module_crds() {
  local dest_root="$1" entry
  shift
  mkdir -p "$dest_root"
  for entry in "$@"; do
    # shellcheck disable=SC2086
    copy_module_crds "$dest_root" $entry
  done
}

copy_module_crds() {
  local dest="$1/$2" module="$3" version="$4" folder="$5" dir
  if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$module@$version" ]]; then
    return 0
  fi
  require_go "download $module@$version"
  dir="$(cd "$tools" && GOFLAGS=-mod=mod GO111MODULE=on go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [[ -z "$dir" || ! -d "$dir/$folder" ]]; then
    echo "$installer: $module@$version has no folder $folder" >&2
    exit 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  # Only CRD documents (the folders also hold kustomization files).
  grep -l -E "^kind: CustomResourceDefinition" "$dir/$folder"/*.yaml | xargs -I{} cp {} "$dest/"
  chmod -R u+w "$dest"
  echo "$module@$version" >"$dest/.version"
  echo "$installer: $(find "$dest" -name '*.yaml' | wc -l) CRDs of $module@$version in $dest" >&2
}
