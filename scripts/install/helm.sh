#!/usr/bin/env bash
# Installs the pinned helm CLI into .tools/bin/helm by building its Go module (only the Go
# module proxy is needed, no binary download site). Pinned to the Helm v3 line that Argo CD
# 3.4 embeds (3.20.x; Argo CD moves to Helm 4 only in 3.5), so tests render charts exactly
# as the repo-server does. Idempotent: a no-op when the pinned version is already there.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
HELM_VERSION="v3.20.2"
bin="$tools/bin"
helm="$bin/helm"

installed_version() {
  "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [[ -x "$helm" && "$(installed_version)" == "$HELM_VERSION" ]]; then
  exit 0
fi

require_go "build helm $HELM_VERSION"
mkdir -p "$bin"
echo "installing helm $HELM_VERSION into $bin (go install, takes ~2 min)" >&2
# helm prints its version from these linker variables; without them it reports "v3.x-dev".
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
CGO_ENABLED=0 GOBIN="$bin" GOFLAGS=-mod=mod go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

if [[ "$(installed_version)" != "$HELM_VERSION" ]]; then
  echo "scripts/install/helm.sh: built helm reports '$(installed_version)', expected $HELM_VERSION" >&2
  exit 1
fi
