#!/usr/bin/env bash
# Build the macOS app: PyInstaller .app bundle, then a compressed .dmg with an Applications link.
#
#   installer/macos/build_macos.sh [--python PY] [--bundle-model FILE [--model-id MODEL/TAG]]
#
# Needs macOS (hdiutil, codesign) and a venv with the project and PyInstaller
# (pip install -e '.[package]'). PyPI's macOS torch wheels are CPU/MPS builds (no CUDA), so
# the bundle is the small kind. The .app is ad-hoc signed (enough to run on the build
# machine and on Apple silicon); distributing to others needs a Developer ID signature and
# notarization (set CODESIGN_IDENTITY to sign with one).
# Output: dist/photosearch.app, dist/photosearch-VERSION-macos-ARCH.dmg, dist/build-info.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY=$2; shift 2 ;;
    --bundle-model) export PHOTOSEARCH_BUNDLE_MODEL=$2; shift 2 ;;
    --model-id) export PHOTOSEARCH_BUNDLE_MODEL_ID=$2; shift 2 ;;
    *) echo "build_macos: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(uname -s)" = Darwin ] || { echo "build_macos: run this on macOS" >&2; exit 1; }
VERSION=$("$PY" -c 'import photosearch; print(photosearch.__version__)')
ARCH=$(uname -m)
t0=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/photosearch.spec
APP=dist/photosearch.app
"$APP/Contents/MacOS/photosearch" --version
codesign --force --deep --sign "${CODESIGN_IDENTITY:--}" "$APP"
t1=$(date +%s)

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/photosearch-$VERSION-macos-$ARCH.dmg"
rm -f "$DMG"
hdiutil create -volname photosearch -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null
hdiutil verify "$DMG" >/dev/null
t2=$(date +%s)
{
  echo "pyinstaller_s: $((t1 - t0)); dmg_s: $((t2 - t1))"
  echo "app_mb: $(du -sm "$APP" | cut -f1); dmg_mb: $(du -sm "$DMG" | cut -f1) $(basename "$DMG")"
} | tee dist/build-info.txt
