#!/usr/bin/env bash
# Installs what the tests need on a bare machine (a virtual environment; Chromium with CJK fonts for the browser
# tests; nginx for the replica tests; PostgreSQL for the class-room storage tests), then runs the linter and the test
# suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx is looked for in /usr/sbin too: a non-root PATH often lacks it.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
    || ! { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        # nginx only as a program the replica tests start themselves: policy-rc.d or not, no service is wanted.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk nginx >/dev/null
        if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
            systemctl disable --now nginx
        fi
    else
        echo "note: Chromium, CJK fonts or nginx missing and not root; browser and replica tests will be skipped" >&2
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
