//go:build tools

// Pins prom-label-proxy (its main package, the module root) to the version of the image the
// platform runs in front of Prometheus (platform-apps/manifests/grafana/prom-label-proxy.yaml):
// scripts/install/prom-label-proxy.sh builds it, test/platform-apps/prom-label-proxy.test.ts runs it.
package main

import _ "github.com/prometheus-community/prom-label-proxy"
