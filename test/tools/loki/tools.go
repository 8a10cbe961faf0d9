//go:build tools

// Pins the Loki server (github.com/grafana/loki/v3/cmd/loki) to this module's Loki version, the
// one whose LogQL parser logql-check is built from: scripts/install/loki.sh builds both.
package main

import _ "github.com/grafana/loki/v3/cmd/loki"
