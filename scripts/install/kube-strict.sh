#!/usr/bin/env bash
# Builds test/tools/kube-strict (strict decoding with the real Kubernetes API types of the
# pinned k8s.io/client-go) into .tools/bin. Rebuilds only when its sources change.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
build_go_tool kube-strict test/tools/kube-strict k8s.io/client-go
