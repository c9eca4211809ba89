#!/usr/bin/env bash
# Installs the unpacked CareTill bundle on a Linux till (as root): /opt/caretill, a menu entry
# and the `caretill` command. Each cashier's settings stay in their own config folder (0700).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rm -rf /opt/caretill
mkdir -p /opt/caretill
cp -a "$here/app" /opt/caretill/app
install -m 0644 "$here/caretill.desktop" /usr/share/applications/caretill.desktop
ln -sf /opt/caretill/app/caretill /usr/local/bin/caretill
echo "CareTill installed: start it from the menu or run 'caretill'."
