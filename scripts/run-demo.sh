#!/usr/bin/env bash
# Sets up CareTill, loads the SQLite demo database (first time only) and opens the cashier window.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
case "${QT_QPA_PLATFORM:-xcb}" in
  xcb*) bash scripts/xcb-libs.sh --install ;;  # names the missing packages when not root
esac
mkdir -p .demo
export CARETILL_DB="${CARETILL_DB:-sqlite:///$PWD/.demo/caretill-demo.sqlite3}"
export CARETILL_CONFIG="${CARETILL_CONFIG:-$PWD/.demo/config.json}"
export CARETILL_WORKSTATION="${CARETILL_WORKSTATION:-WS01}"
db_file="${CARETILL_DB#sqlite:///}"
# A second start skips the migrate-and-load step when this database got it already.
if [ "$(cat .demo/loaded 2>/dev/null)" != "$CARETILL_DB" ] \
   || { [ "$db_file" != "$CARETILL_DB" ] && [ ! -e "$db_file" ]; }; then
  .venv/bin/caretill db upgrade
  status=0
  .venv/bin/caretill demo load --patients 200 || status=$?
  # Exit 3 means the demo was loaded on an earlier run: keep that database.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then exit "$status"; fi
  echo "$CARETILL_DB" > .demo/loaded
fi
echo "Sign in as cashier / cashier (you will be asked to choose a new password)."
exec .venv/bin/caretill
