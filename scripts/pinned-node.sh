#!/usr/bin/env bash
# Runs a command with the project's pinned Node.js (scripts/install/node.version, the Node the
# shipped images run) first on PATH, installing it into .tools/node when missing (idempotent:
# silent when present). Every npm script that runs project code goes through it (`npm run plan`,
# the three test suites), so the plan engine, @pulumi/pulumi (which needs Node >= 22), vitest and
# every `node` a test spawns run on that Node, whatever Node the machine has. `npm ci` itself may
# run on the machine's Node: the lock holds plain JavaScript and prebuilt per-platform binaries
# (esbuild, rolldown, lightningcss), no addon built against the installing Node.
#
#   bash scripts/pinned-node.sh vitest run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install/node.sh"
export PATH="$root/.tools/node/bin:$PATH"
exec "$@"
