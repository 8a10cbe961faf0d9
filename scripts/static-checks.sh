#!/usr/bin/env bash
# `npm run test:static`: the type check, the formatter check and the type-aware linter, side by
# side (tsc on one core; prettier, then eslint on the other). Fails if any of them fails and
# prints each one's output. tsc keeps its incremental state in the git-ignored .tools/tsc/, so a
# warm run re-checks only what changed (sound: tsc tracks which files each file depends on;
# eslint's cache is not, for type-aware rules, so it runs whole).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mkdir -p .tools/tsc
npx tsc --noEmit -p tsconfig.json --incremental --tsBuildInfoFile .tools/tsc/holodeck.tsbuildinfo >"$out/tsc" 2>&1 &
tsc_pid=$!
{ npx prettier --check "**/*.{ts,mts,cjs,mjs,js}" && npx eslint .; } >"$out/lint" 2>&1
lint_status=$?
wait "$tsc_pid"
tsc_status=$?
cat "$out/tsc" "$out/lint"
[[ "$tsc_status" -eq 0 ]] || echo "static checks: tsc failed (exit $tsc_status)" >&2
[[ "$lint_status" -eq 0 ]] || echo "static checks: prettier or eslint failed (exit $lint_status)" >&2
[[ "$tsc_status" -eq 0 && "$lint_status" -eq 0 ]]
