#!/usr/bin/env bash
# Builds what an administrator installs on a till: a wheel and an sdist, a self-contained
# one-folder bundle (PyInstaller: Python, Qt and its plugins, migrations, stylesheet, fonts)
# and a Linux tarball with a desktop entry. Output in dist/. Usage: bash packaging/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-env.sh
.venv/bin/python -m pip install --quiet "pyinstaller>=6.0" "build>=1.0"
version=$(.venv/bin/python -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
rm -rf dist/bundle build/pyinstaller
.venv/bin/python -m build --wheel --sdist --outdir dist . >/dev/null
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist/bundle \
  --workpath build/pyinstaller packaging/caretill.spec
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/caretill-$version"
cp -a dist/bundle/caretill "$stage/caretill-$version/app"
cp packaging/caretill.desktop packaging/install-linux.sh "$stage/caretill-$version/"
tar -C "$stage" -czf "dist/caretill-$version-linux-$(uname -m).tar.gz" "caretill-$version"
echo "Built in dist/:"
ls -1 dist | sed 's/^/  /'
du -sh dist/bundle/caretill | awk '{print "  bundle size: " $1}'
