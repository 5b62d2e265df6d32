# Sourced by scripts/run and scripts/test: a virtualenv with leadsla installed.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
VENV=".venv"
EXTRAS="${1:-}"
STAMP="$VENV/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "leadsla: creating $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
    echo "leadsla: installing Python packages into $VENV (about a minute the first time)" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}" 2>&1 \
        | grep -v "^WARNING: Location" >&2 || true
    "$VENV/bin/python" -c "import faust, models, streams" \
        || { echo "leadsla: the install failed; see the messages above" >&2; exit 1; }
    touch "$STAMP"
fi
