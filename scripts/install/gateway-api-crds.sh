#!/usr/bin/env bash
# Installs the CRDs of the gateway edge the bootstrap deploys into .tools/bootstrap-crds/: the
# Gateway API standard channel at the pinned bundle (GATEWAY_API in bootstrap/versions.ts) and
# Envoy Gateway's own kinds at the pinned controller (CHARTS.envoyGateway, the folder
# bootstrap/gateway/crds.ts installs from), so test/bootstrap and test/chart validate the
# Gateway, HTTPRoutes and policies against them. Source: the projects' Go modules from the Go
# module proxy. No-op when present.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOMODCACHE="$tools/gomodcache"

read -r gatewayapi channel envoygateway crddir < <(cd "$root" && node_modules/.bin/tsx -e \
  'import { CHARTS, GATEWAY_API } from "./bootstrap/versions"; import { ENVOY_GATEWAY_CRD_DIR } from "./bootstrap/gateway/crds"; console.log(GATEWAY_API.version, GATEWAY_API.channel, CHARTS.envoyGateway.version, ENVOY_GATEWAY_CRD_DIR);')
[[ -n "$gatewayapi" && -n "$channel" && -n "$envoygateway" && -n "$crddir" ]] || { echo "$installer: no Gateway API / Envoy Gateway pin in bootstrap/versions.ts" >&2; exit 1; }

# project  module  version  CRD folder inside the module zip
install_module_crds "$tools/bootstrap-crds" \
  "gateway-api sigs.k8s.io/gateway-api $gatewayapi config/crd/$channel" \
  "envoy-gateway github.com/envoyproxy/gateway $envoygateway $crddir"
