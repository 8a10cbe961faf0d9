#!/usr/bin/env bash
# Installs every tool the tests need (helm, copier, Python packages, the Node the images run...) into .tools/,
# pinned and idempotent. Each scripts/install/*.sh installs one tool and is a no-op
# when the pinned version is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export HOLODECK_TOOLS="$root/.tools"
mkdir -p "$HOLODECK_TOOLS/bin"
shopt -s nullglob
for installer in "$root"/scripts/install/*.sh; do
  bash "$installer"
done
