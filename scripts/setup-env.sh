#!/usr/bin/env bash
# Creates .venv with CareTill and its dependencies (test extras with --test). Safe to re-run:
# the install is skipped while pyproject.toml is unchanged (its hash is stamped in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
stamp=".venv/caretill-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extras}"
have="$(cat "$stamp" 2>/dev/null || true)"
# A test install also serves the plain one; anything else reinstalls.
if [ "$have" = "$want" ] || { [ -z "$extras" ] && [ "$have" = "${want}[test]" ]; }; then
  [ -x .venv/bin/caretill ] && exit 0
fi
# The editable-install banner of setuptools goes; pip's own errors still show.
.venv/bin/python -m pip install --quiet --quiet -e ".${extras}" 2> >(grep -v -i -e "editable" \
  -e "setuptools" -e "^\s*\*\*\*" -e "^\s*$" >&2 || true)
echo "$want" > "$stamp"
