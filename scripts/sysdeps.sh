#!/usr/bin/env bash
# Installs the system libraries Qt needs (and Xvfb for GUI tests/screenshots) when missing.
# Debian/Ubuntu via apt-get; as root it installs, otherwise it prints the sudo command.
set -euo pipefail
what=${1:-test}   # "run": Qt runtime libs only; "test": plus Xvfb
pkgs=()
need_lib() { ldconfig -p 2>/dev/null | grep -q "$1" || pkgs+=("$2"); }
need_lib libEGL.so.1 libegl1
need_lib libGL.so.1 libgl1
need_lib libxkbcommon.so.0 libxkbcommon0
need_lib libxkbcommon-x11.so.0 libxkbcommon-x11-0
need_lib libfontconfig.so.1 libfontconfig1
need_lib libdbus-1.so.3 libdbus-1-3
need_lib libglib-2.0.so.0 libglib2.0-0
need_lib libxcb-cursor.so.0 libxcb-cursor0
need_lib libxcb-icccm.so.4 libxcb-icccm4
need_lib libxcb-keysyms.so.1 libxcb-keysyms1
need_lib libxcb-shape.so.0 libxcb-shape0
need_lib libxcb-render-util.so.0 libxcb-render-util0
need_lib libxcb-image.so.0 libxcb-image0
need_lib libX11-xcb.so.1 libx11-xcb1
if [ "$what" = test ]; then
  command -v Xvfb >/dev/null || pkgs+=(xvfb)
  command -v xauth >/dev/null || pkgs+=(xauth)
  # validators for the desktop entry / AppStream metainfo (tests/unit/test_packaging.py)
  command -v desktop-file-validate >/dev/null || pkgs+=(desktop-file-utils)
  command -v appstreamcli >/dev/null || pkgs+=(appstream)
fi
[ ${#pkgs[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "sysdeps: missing ${pkgs[*]}; install Qt 6's runtime libraries with your package manager" >&2
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "sysdeps: missing system packages; run: sudo apt-get install -y ${pkgs[*]}" >&2
  exit 0
fi
echo "sysdeps: installing ${pkgs[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
