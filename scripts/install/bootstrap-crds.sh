#!/usr/bin/env bash
# Installs the CRDs of the exact Argo CD and cert-manager versions the bootstrap deploys
# (argo-cd chart 10.1.1 = Argo CD v3.4.4, cert-manager v1.21.1) into .tools/bootstrap-crds/,
# so test/bootstrap validates its AppProjects, Application, ApplicationSet, ClusterIssuers
# and Certificates strictly against them (the npm models are older and let unknown fields
# through). Source: the projects' Go modules from the Go module proxy. Kept out of
# .tools/crds so other suites keep their own schema choice. No-op when present.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOMODCACHE="$tools/gomodcache"

# project  module  version  CRD folder inside the module zip
install_module_crds "$tools/bootstrap-crds" \
  "argo-cd github.com/argoproj/argo-cd/v3 v3.4.4 manifests/crds" \
  "cert-manager github.com/cert-manager/cert-manager v1.21.1 deploy/crds"
