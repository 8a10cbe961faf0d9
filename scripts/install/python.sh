#!/usr/bin/env bash
# Installs the Python tools the template tests need, each in its own git-ignored venv:
#   .tools/venv          copier, hadolint and shellcheck (templates/python-service/deps/tools.lock)
#   .tools/service-venv  every dependency a generated python-service can have, from the
#                        template's own hash-pinned lock (deps/all.lock), so the tests run each
#                        generated project's pytest without installing anything per project.
# Both installs use --require-hashes. Idempotent: a venv is rebuilt only when the sha256 of
# its lock (or the interpreter version) differs from the stamp written after the last install.
# shellcheck source-path=SCRIPTDIR source=../lib/install.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/install.sh"
deps="$root/templates/python-service/deps"
python="${HOLODECK_PYTHON:-python3}"

command -v "$python" >/dev/null || { echo "scripts/install/python.sh: $python not found (Python >= 3.11 needed)" >&2; exit 1; }
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "scripts/install/python.sh: $python is $("$python" -V 2>&1); Python >= 3.11 is needed" >&2
  exit 1
fi

# install_venv <venv dir> <lock file> [<binary that must exist afterwards>]
install_venv() {
  local venv="$1" lock="$2" check="${3:-}"
  local stamp="$venv/.holodeck-stamp"
  local want
  want="$(sha256sum "$lock" | cut -d' ' -f1) $("$python" -V 2>&1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && ( -z "$check" || -x "$venv/bin/$check" ) ]]; then
    return 0
  fi
  echo "installing $(basename "$lock") into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # --no-deps: the lock is complete; --require-hashes: every artefact is checked.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r "$lock"
  "$venv/bin/python" -m pip check >/dev/null
  echo "$want" >"$stamp"
}

mkdir -p "$tools/bin"
install_venv "$tools/venv" "$deps/tools.lock" shellcheck
for tool in copier hadolint shellcheck; do
  ln -sf "$tools/venv/bin/$tool" "$tools/bin/$tool"
done
install_venv "$tools/service-venv" "$deps/all.lock" pytest
