#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: Debian packages when missing, a venv, the project.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-venv)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# Central runs on PostgreSQL; the tests start their own throwaway server from these binaries.
[ -x /usr/lib/postgresql/15/bin/postgres ] || [ -n "${KASSA_PG_BIN:-}" ] || need_apt+=(postgresql)
# Kiosk and pay-page tests drive Debian's chromium with Playwright (never `playwright install`).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

stamp=.venv/.kassa-installed
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
# Reinstall only when the dependency list changed.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]'
    touch "$stamp"
fi
