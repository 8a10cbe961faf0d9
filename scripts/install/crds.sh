#!/usr/bin/env bash
# Installs the CRD YAMLs that test/harness/k8s-schema.ts validates platform-apps/ against,
# for kinds without an npm model (Crossplane, External Secrets), and for Istio and the
# Prometheus operator (v0.93.1, the one kube-prometheus-stack 88.5.3 ships) at the exact
# versions deployed: the npm models lag behind and do not reject unknown fields.
# Source: the projects' own Go modules from the Go module proxy (each module zip carries
# the project's CRD YAMLs); External Secrets' from a copy kept here (see below).
# Pinned to the versions platform-apps/ deploys; a no-op when the pinned copy is there.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
# A module cache of its own (not GOPATH's, not the shared .tools/gomodcache other tools
# build from), removed once the CRDs are copied.
export GOMODCACHE="$tools/crds-gomodcache"

# project  module  version  CRD folder inside the module zip
install_module_crds "$tools/crds" \
  "crossplane github.com/crossplane/crossplane/v2 v2.4.2 cluster/crds" \
  "istio istio.io/api v1.30.3 kubernetes" \
  "prometheus-operator github.com/prometheus-operator/prometheus-operator v0.93.1 example/prometheus-operator-crd" \
  "function-patch-and-transform github.com/crossplane-contrib/function-patch-and-transform v0.10.9 package/input"

# External Secrets 2.x: no Go module version (its tags lack the /v2 module path), so a copy of
# the release's CRDs is kept in the repository (crds/external-secrets/README.md).
eso_source="$root/scripts/install/crds/external-secrets" eso_dest="$tools/crds/external-secrets"
if [[ ! -f "$eso_dest/.version" || "$(cat "$eso_dest/.version")" != "$(cat "$eso_source/VERSION")" ]]; then
  rm -rf "$eso_dest" && mkdir -p "$eso_dest"
  cp "$eso_source"/*.yaml "$eso_dest/"
  cp "$eso_source/VERSION" "$eso_dest/.version"
  echo "$installer: $(find "$eso_dest" -name '*.yaml' | wc -l) CRDs of $(cat "$eso_source/VERSION") in $eso_dest" >&2
fi

# Only the copied CRDs are needed; drop the module zips and sources (~100 MB).
if [[ -d "$GOMODCACHE" ]]; then
  chmod -R u+w "$GOMODCACHE"
  rm -rf "$GOMODCACHE"
fi
