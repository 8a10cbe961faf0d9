#!/usr/bin/env bash
# Installs Renovate's own config validator (`renovate-config-validator`, npm package renovate)
# into .tools/renovate, for test/pipeline/renovate.test.ts. Kept out of the root node_modules:
# the package pulls ~600 packages (~340 MB). Its engines field asks for Node 24; the validator
# and the extract-only dry run the test uses work on the development machine's Node 20 (the test
# proves it), CI's test job runs on Node 24 (.gitlab-ci.yml), and Renovate itself runs in its own
# image. Idempotent: a no-op when the pinned version is there.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
RENOVATE_VERSION="44.121.2"
prefix="$tools/renovate"

installed_version() {
  node -p 'require(process.argv[1]).version' "$prefix/node_modules/renovate/package.json" 2>/dev/null || true
}

if [[ "$(installed_version)" == "$RENOVATE_VERSION" ]]; then
  exit 0
fi

echo "installing renovate $RENOVATE_VERSION into $prefix (npm, ~340 MB, takes ~1 min)" >&2
mkdir -p "$prefix"
# --ignore-scripts: no native builds (re2 is optional; without it Renovate uses JavaScript RegExp).
npm install --prefix "$prefix" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --engine-strict=false --loglevel=error "renovate@$RENOVATE_VERSION"

if [[ "$(installed_version)" != "$RENOVATE_VERSION" ]]; then
  echo "$installer: installed renovate reports '$(installed_version)', expected $RENOVATE_VERSION" >&2
  exit 1
fi
