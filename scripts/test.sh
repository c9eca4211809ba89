#!/usr/bin/env bash
# Sets up CareTill with its test extras and runs the whole suite: SQLite and PostgreSQL (also
# behind pgbouncer), the GUI headless, a smoke test under a real X server, and the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
# The real components the tests start themselves, from Debian's packages, installed when
# missing and we are root: PostgreSQL, pgbouncer, Xvfb (+ xauth, xwininfo from x11-utils).
missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null \
   && [ -z "${CARETILL_TEST_PG_URL:-}" ]; then missing+=(postgresql); fi
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
command -v Xvfb >/dev/null || missing+=(xvfb xauth)
command -v xwininfo >/dev/null || missing+=(x11-utils)
if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/setup-env.sh --test
if [ "$(id -u)" = 0 ]; then bash scripts/xcb-libs.sh --install; fi
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .  # applied once to every file (issue 10); kept so
.venv/bin/mypy  # the packages and settings are in pyproject.toml [tool.mypy]
# Two workers (a 2-core machine): each starts its own throwaway PostgreSQL; a test file's
# tests stay on one worker. CARETILL_TEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -n "${CARETILL_TEST_WORKERS:-2}" --dist loadfile "$@"
