# Sourced by scripts/run and scripts/test: make .venv and install the project into it, with the
# extras named in KYOSO_EXTRAS (scripts/test: "test"; scripts/run: none). It installs again only when
# pyproject.toml changed or the extras wanted were not installed yet.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
extras=${KYOSO_EXTRAS:-}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1)). Set PYTHON=/path/to/python3.11." >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.kyoso-installed   # "<sha256 of pyproject.toml> <extras installed>"
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
installed_hash="" installed_extras=""
if [ -f "$stamp" ]; then
    read -r installed_hash installed_extras < "$stamp" || true
fi
if [ "$installed_hash" != "$wanted" ] || { [ -n "$extras" ] && [ "$installed_extras" != "$extras" ]; }; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
    echo "$wanted $extras" > "$stamp"
fi
