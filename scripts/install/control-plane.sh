#!/usr/bin/env bash
# Builds the real control plane the test/control-plane suite runs, from the projects' Go modules
# (only the Go module proxy is needed): kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl (Kubernetes 1.36, the minor the stacks deploy), etcd, kwok (+ its stage configs), Argo
# CD (application controller, ApplicationSet controller, repo-server: one multi-call binary, + its
# install manifests), the Helm 4 CLI the repo-server runs, and a Redis for Argo CD's cache
# (miniredis); and nats-server, which loads the NATS accounts the Vault team sync writes. The
# repo-server's kustomize is .tools/bin/kustomize (scripts/install/kustomize.sh, 5.8.1;
# docs/testing.md says why not the 5.8.3 Argo CD 3.6.2 ships). Versions are pinned by the
# wrapper modules in scripts/install/control-plane/<tool>/ (go.mod + go.sum) and by the variables below.
# Builds one binary at a time (2-2.6 GB peak each) and reuses the Go build cache. Idempotent:
# each binary has a stamp next to it naming what it was built from; a matching stamp skips it.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
export GOTOOLCHAIN=local
wrappers="$root/scripts/install/control-plane"
bin="$tools/bin"
# What is not a binary on PATH: Argo CD manifests, kwok stages, Helm 4 (the tests keep Helm 3 as
# .tools/bin/helm; the repo-server gets this folder first on its PATH).
share="$tools/control-plane"

KUBERNETES_VERSION="v1.36.3" # k8s.io/kubernetes; staging modules v0.36.3 (kubernetes/go.mod)
ARGOCD_VERSION="v3.6.2"      # github.com/argoproj/argo-cd/v3 (the newest the proxy serves)
KWOK_VERSION="v0.8.0"        # sigs.k8s.io/kwok (kwok/go.mod)
# The Helm 4 Argo CD ships: the version its wrapper module requires (one home: helm4/go.mod).
helm4_version="$(awk '$1 == "helm.sh/helm/v4" { print $2 }' "$wrappers/helm4/go.mod")"

# stamp_of <wrapper dir> <extra>: what a binary is built from (sources + flags).
stamp_of() {
  local sources
  sources="$(find "$wrappers/$1" -maxdepth 1 -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | sort)"
  # shellcheck disable=SC2086
  echo "$(cat $sources | sha256sum | cut -d' ' -f1) $2"
}

# up_to_date <binary path> <stamp>
up_to_date() {
  [[ -x "$1" && -f "$1.stamp" && "$(cat "$1.stamp")" == "$2" ]]
}

# build_tool <output path> <wrapper dir> <package> [<ldflags>]
# Builds <package> (a `tool` of the wrapper module, or "." for its own main) with the module
# versions its go.sum pins; -mod=readonly fails instead of changing them. A GOTOOLCHAIN other
# than local (set for one call) is part of the stamp.
build_tool() {
  local out="$1" dir="$2" pkg="$3" ldflags="-s -w ${4:-}" stamp started
  stamp="$(stamp_of "$dir" "$pkg $ldflags")"
  [[ "$GOTOOLCHAIN" == local ]] || stamp+=" $GOTOOLCHAIN"
  up_to_date "$out" "$stamp" && return 0
  require_go "build $(basename "$out")"
  mkdir -p "$(dirname "$out")"
  echo "$installer: building $(basename "$out") ($pkg) into $out" >&2
  started=$SECONDS
  (cd "$wrappers/$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg")
  echo "$installer: built $(basename "$out") in $((SECONDS - started)) s" >&2
  echo "$stamp" >"$out.stamp"
}

# Kubernetes: version linker flags, else the binaries say v0.0.0-master and kubectl refuses.
k8s_minor="${KUBERNETES_VERSION#v1.}"
k8s_minor="${k8s_minor%%.*}"
k8s_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean"
done
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build_tool "$bin/$cmd" kubernetes "k8s.io/kubernetes/cmd/$cmd" "$k8s_ldflags"
done
build_tool "$bin/etcd" etcd go.etcd.io/etcd/server/v3
build_tool "$bin/kwok" kwok sigs.k8s.io/kwok/cmd/kwok "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
build_tool "$bin/redis-server" redis .
build_tool "$bin/nats-server" nats-server github.com/nats-io/nats-server/v2
build_tool "$share/helm4/helm" helm4 helm.sh/helm/v4/cmd/helm \
  "-X helm.sh/helm/v4/internal/version.version=$helm4_version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"

# kwok ships no stages: without them it exits with "no stages found". Node initialise +
# heartbeat with a Lease, and the general pod lifecycle (init containers, Job pods complete).
kwok_stages="$share/kwok-stages"
if [[ ! -f "$kwok_stages/.version" || "$(cat "$kwok_stages/.version")" != "sigs.k8s.io/kwok@$KWOK_VERSION" ]]; then
  kwok_dir="$(cd "$wrappers/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  rm -rf "$kwok_stages" && mkdir -p "$kwok_stages"
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/general/pod-create pod/general/pod-init-container-running pod/general/pod-init-container-completed \
    pod/general/pod-ready pod/general/pod-complete pod/general/pod-delete; do
    cp "$kwok_dir/kustomize/stage/$stage.yaml" "$kwok_stages/$(basename "$stage").yaml"
  done
  chmod -R u+w "$kwok_stages"
  echo "sigs.k8s.io/kwok@$KWOK_VERSION" >"$kwok_stages/.version"
fi

GOTOOLCHAIN="$ARGOCD_GOTOOLCHAIN" build_tool "$bin/argocd" argocd github.com/argoproj/argo-cd/v3/cmd \
  "-X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v} -X github.com/argoproj/argo-cd/v3/common.gitTreeState=clean"

# From Argo CD's module: its install manifests (CRDs, RBAC, ConfigMaps the harness applies) and the
# scripts its image puts on PATH (the repo-server runs git-verify-wrapper.sh on every checkout).
argocd_files="$ARGOCD_VERSION install.yaml git-verify-wrapper.sh gpg-wrapper.sh"
if [[ ! -f "$share/argocd/.version" || "$(cat "$share/argocd/.version")" != "$argocd_files" ]]; then
  argocd_dir="$(cd "$wrappers/argocd" && GOTOOLCHAIN="$ARGOCD_GOTOOLCHAIN" go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"
  rm -rf "$share/argocd" && mkdir -p "$share/argocd/bin"
  cp "$argocd_dir/manifests/install.yaml" "$share/argocd/install.yaml"
  cp "$argocd_dir/hack/git-verify-wrapper.sh" "$argocd_dir/hack/gpg-wrapper.sh" "$share/argocd/bin/"
  chmod -R u+w "$share/argocd"
  chmod +x "$share/argocd/bin/"*
  echo "$argocd_files" >"$share/argocd/.version"
fi

# CRDs the stacks apply from URLs (kubernetes:yaml/v2:ConfigGroup), which are unreachable here:
# the same files from the projects' Go modules at the versions the bootstrap pins
# (test/control-plane/harness/crds.ts fails when a recorded URL names another version).
install_module_crds "$share/crds" \
  "gateway-api sigs.k8s.io/gateway-api v1.6.1 config/crd/standard" \
  "envoy-gateway github.com/envoyproxy/gateway v1.9.1 charts/gateway-helm/charts/crds/crds/generated"
