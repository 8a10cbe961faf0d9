#!/usr/bin/env bash
# Installs the pinned kustomize CLI into .tools/bin/kustomize by building its Go module (only
# the Go module proxy is needed). The tests render platform-apps/applicationsets/ with it, as
# Argo CD's repo-server renders the platform-root Application (a kustomization directory).
# Pinned to the version Argo CD 3.4 bundles in its repo-server. Idempotent: a no-op when the pinned
# version is already there.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
KUSTOMIZE_VERSION="v5.8.1"
bin="$tools/bin"
kustomize="$bin/kustomize"

installed_version() {
  "$kustomize" version 2>/dev/null || true
}

if [[ -x "$kustomize" && "$(installed_version)" == "$KUSTOMIZE_VERSION" ]]; then
  exit 0
fi

require_go "build kustomize $KUSTOMIZE_VERSION"
mkdir -p "$bin"
echo "installing kustomize $KUSTOMIZE_VERSION into $bin (go install, takes ~30 s)" >&2
(cd "$tools" && CGO_ENABLED=0 GOBIN="$bin" GOFLAGS=-mod=mod go install -trimpath "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")

if [[ "$(installed_version)" != "$KUSTOMIZE_VERSION" ]]; then
  echo "scripts/install/kustomize.sh: built kustomize reports '$(installed_version)', expected $KUSTOMIZE_VERSION" >&2
  exit 1
fi
