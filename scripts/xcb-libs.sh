#!/usr/bin/env bash
# The system libraries Qt's xcb platform plugin (the window on X11) needs but the machine lacks:
# found with ldd on the plugin, named as Debian packages; installed with --install when root,
# otherwise named on one line. Exits 0 when nothing is missing (any more), 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=$(ls .venv/lib/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so 2>/dev/null \
         | head -n 1)
[ -n "$plugin" ] || exit 0  # PySide6 not installed yet: nothing to check

# Library file -> the Debian package that ships it (apt-file is not on a fresh machine).
declare -A PACKAGE=(
  [libxcb.so.1]=libxcb1 [libxcb-cursor.so.0]=libxcb-cursor0 [libxcb-icccm.so.4]=libxcb-icccm4
  [libxcb-image.so.0]=libxcb-image0 [libxcb-keysyms.so.1]=libxcb-keysyms1
  [libxcb-randr.so.0]=libxcb-randr0 [libxcb-render.so.0]=libxcb-render0
  [libxcb-render-util.so.0]=libxcb-render-util0 [libxcb-shape.so.0]=libxcb-shape0
  [libxcb-shm.so.0]=libxcb-shm0 [libxcb-sync.so.1]=libxcb-sync1 [libxcb-util.so.1]=libxcb-util1
  [libxcb-xfixes.so.0]=libxcb-xfixes0 [libxcb-xkb.so.1]=libxcb-xkb1
  [libxcb-xinerama.so.0]=libxcb-xinerama0 [libxcb-xinput.so.0]=libxcb-xinput0
  [libxcb-glx.so.0]=libxcb-glx0 [libX11.so.6]=libx11-6 [libX11-xcb.so.1]=libx11-xcb1
  [libXau.so.6]=libxau6 [libXdmcp.so.6]=libxdmcp6 [libSM.so.6]=libsm6 [libICE.so.6]=libice6
  [libxkbcommon.so.0]=libxkbcommon0 [libxkbcommon-x11.so.0]=libxkbcommon-x11-0
  [libEGL.so.1]=libegl1 [libGL.so.1]=libgl1 [libGLX.so.0]=libglx0 [libOpenGL.so.0]=libopengl0
  [libfontconfig.so.1]=libfontconfig1 [libfreetype.so.6]=libfreetype6
  [libdbus-1.so.3]=libdbus-1-3 [libglib-2.0.so.0]=libglib2.0-0 [libgthread-2.0.so.0]=libglib2.0-0
)

missing=$(ldd "$plugin" | awk '/not found/ {print $1}' | sort -u)
[ -n "$missing" ] || exit 0
packages=$(for lib in $missing; do echo "${PACKAGE[$lib]:-$lib}"; done | sort -u | paste -sd' ')

if [ "${1:-}" = "--install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the system libraries Qt's window needs: $packages"
  apt-get update -qq
  # Debian 13 renamed some of them (…t64); take whichever name this release has.
  names=$(for p in $packages; do
            if apt-cache show "${p}t64" >/dev/null 2>&1; then echo "${p}t64"; else echo "$p"; fi
          done)
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq $names >/dev/null
  ! ldd "$plugin" | grep -q "not found" && exit 0
fi
echo "CareTill's window cannot open: Qt's xcb platform needs these system packages;" \
     "install them as root: apt-get install $packages" >&2
exit 1
