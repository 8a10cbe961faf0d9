#!/usr/bin/env bash
# Benchmarks `holodeck services validate` (2,000 services x 2 envs) and `services deploy`
# against bare repositories of 1k/2k/4k files. Arguments: [--json] [--runs N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# On the Node `npm run plan` and the tests use (scripts/pinned-node.sh), whatever the machine has.
exec bash scripts/pinned-node.sh npx tsx scripts/bench-services.ts "$@"
