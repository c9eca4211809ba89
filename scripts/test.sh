#!/usr/bin/env bash
# Sets up CareTill with its test extras and runs the whole suite: SQLite and PostgreSQL, GUI headless.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then
  if [ -z "${CARETILL_TEST_PG_URL:-}" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
bash scripts/setup-env.sh --test
# The xcb smoke test starts the window under a real X server: Xvfb and Qt's xcb libraries.
if [ "$(id -u)" = 0 ] && ! command -v Xvfb >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xvfb xauth >/dev/null
fi
if [ "$(id -u)" = 0 ]; then bash scripts/xcb-libs.sh --install; fi
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
