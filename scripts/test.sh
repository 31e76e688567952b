#!/usr/bin/env bash
# Installs what the tests need on a bare machine (a virtual environment, Chromium with CJK fonts for the
# browser tests, PostgreSQL for the class-room storage tests), then runs the linter and the test suite.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else
        echo "note: Chromium or CJK fonts missing and not root; browser tests will be skipped" >&2
    fi
fi
# The storage tests start and remove a throwaway server of their own (scripts/postgres.py); here only the package.
python3 -m scripts.postgres install >/dev/null || echo "note: PostgreSQL storage tests will be skipped" >&2

VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt

"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/python" -m pytest "$@"
