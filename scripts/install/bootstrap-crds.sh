#!/usr/bin/env bash
# Installs the CRDs of the exact Argo CD and cert-manager versions the bootstrap deploys (Argo CD's
# image tag and cert-manager's appVersion in bootstrap/versions.ts, read from there so a bump
# stays one line) into .tools/bootstrap-crds/, so test/bootstrap validates its AppProjects,
# Application, ApplicationSet, ClusterIssuers and Certificates strictly against them (the npm
# models are older and let unknown fields through). Source: the projects' Go modules from the Go module
# proxy. Kept out of .tools/crds so other suites keep their own schema choice. No-op when present.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOMODCACHE="$tools/gomodcache"

read -r argocd certmanager < <(cd "$root" && node_modules/.bin/tsx -e \
  'import { ARGOCD_IMAGE_TAG, CHARTS } from "./bootstrap/versions"; console.log(ARGOCD_IMAGE_TAG, CHARTS.certManager.appVersion);')
[[ -n "$argocd" && -n "$certmanager" ]] || { echo "$installer: no Argo CD / cert-manager pin in bootstrap/versions.ts" >&2; exit 1; }

# project  module (Argo CD's Go module path carries its major version)  version  CRD folder inside the module zip
GOTOOLCHAIN="$ARGOCD_GOTOOLCHAIN" install_module_crds "$tools/bootstrap-crds" \
  "argo-cd github.com/argoproj/argo-cd/${argocd%%.*} $argocd manifests/crds"
install_module_crds "$tools/bootstrap-crds" \
  "cert-manager github.com/cert-manager/cert-manager $certmanager deploy/crds"
