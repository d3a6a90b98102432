#!/usr/bin/env bash
# Build the Linux installers: the PyInstaller one-folder bundle, a tarball of it, and a .deb.
#
#   installer/build_linux.sh [--python PY] [--bundle-model FILE [--model-id MODEL/TAG]]
#                            [--compress xz|zstd|gzip] [--skip-pyinstaller] [--dist DIR] [--out DIR]
#
#   --python PY          interpreter of the environment to bundle (default: .venv/bin/python).
#                        Its torch build decides the size: CPU wheel = small, CUDA = multi-GB.
#   --bundle-model FILE  ship this weights file for offline installs (default: none; the app
#                        downloads weights on first run). --model-id says which model/tag it
#                        is (default: the app's default model, ViT-B-32/laion2b_s34b_b79k).
#   --compress T         .deb compression: zstd (default; seconds, needs dpkg >= 1.21.18 or
#                        Ubuntu's, i.e. any system new enough for the bundle's glibc) or xz
#                        (about 25% smaller, but minutes: CI release builds use it).
#   --skip-pyinstaller   package an existing one-folder build (--dist, default dist/photosearch).
#   --out DIR            where the tarball and .deb go (default: dist/).
#
# Writes: DIST (one-folder build), OUT/photosearch-VERSION-linux-ARCH-FLAVOUR.tar.gz,
#         OUT/photosearch_VERSION+FLAVOUR_DEBARCH.deb, OUT/build-info.txt (sizes, times).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

PY=.venv/bin/python
BUNDLE_MODEL=""
MODEL_ID=""
COMPRESS=zstd
SKIP_PYI=0
DIST=dist/photosearch
OUT=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY=$2; shift 2 ;;
    --bundle-model) BUNDLE_MODEL=$2; shift 2 ;;
    --model-id) MODEL_ID=$2; shift 2 ;;
    --compress) COMPRESS=$2; shift 2 ;;
    --skip-pyinstaller) SKIP_PYI=1; shift ;;
    --dist) DIST=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "build_linux: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "build_linux: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null || die "dpkg-deb not found (Debian/Ubuntu: apt-get install dpkg)"
[ -x "$PY" ] || die "python $PY not found; run 'make setup' or pass --python"
VERSION=$("$PY" -c 'import re,sys; print(re.search(r"__version__ = \"(.+?)\"", open("photosearch/__init__.py").read()).group(1))')
FLAVOUR=$("$PY" -c 'import sys; sys.path.insert(0, "installer"); import bundle_contents as b; print(b.torch_flavour())')
DEBARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
MACH=$(uname -m)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", b-a}'; }

# --- 1. one-folder bundle ----------------------------------------------------------------
t0=$(now)
if [ "$SKIP_PYI" = 0 ]; then
  "$PY" -c 'import PyInstaller' 2>/dev/null \
    || die "PyInstaller is not installed: $PY -m pip install -e '.[package]'"
  [ -n "$BUNDLE_MODEL" ] && export PHOTOSEARCH_BUNDLE_MODEL=$BUNDLE_MODEL
  [ -n "$MODEL_ID" ] && export PHOTOSEARCH_BUNDLE_MODEL_ID=$MODEL_ID
  echo "build_linux: PyInstaller ($FLAVOUR torch); this takes minutes" >&2
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$(dirname "$DIST")" --workpath build/pyinstaller installer/photosearch.spec
fi
[ -x "$DIST/photosearch" ] || die "no executable at $DIST/photosearch"
t1=$(now)
"$DIST/photosearch" --version >/dev/null || die "the bundle does not start: $DIST/photosearch --version"

# --- optional features: people (3 dlib model files, never the 68-point one) and OCR models --
INTERNAL="$DIST/_internal"; [ -d "$INTERNAL" ] || INTERNAL=$DIST
OPT=$("$PY" -c 'import sys; sys.path.insert(0, "installer"); import bundle_contents as b, importlib.util as u; print(len(b.face_model_datas()), int(u.find_spec("rapidocr") is not None))')
FACES_N=${OPT% *}; OCR_ON=${OPT#* }
[ -z "$(find "$DIST" -name 'shape_predictor_68_face_landmarks*' | head -1)" ] \
  || die "the research-only 68-point face model is in the bundle"
PEOPLE_MB=0; OCR_MB=0
if [ "$SKIP_PYI" = 0 ] && [ "$FACES_N" -gt 0 ]; then  # built here: must hold what was found
  [ "$(ls "$INTERNAL/dlib-face-models" 2>/dev/null | wc -l)" = 3 ] \
    || die "people extra installed but the bundle lacks its 3 face model files"
fi
if [ "$SKIP_PYI" = 0 ] && [ "$OCR_ON" = 1 ]; then
  [ "$(ls "$INTERNAL"/rapidocr/models/*.onnx 2>/dev/null | wc -l)" -ge 3 ] \
    || die "ocr extra installed but the bundle lacks rapidocr's models"
  [ -f "$INTERNAL/rapidocr/MODEL_LICENSES.md" ] || die "rapidocr's MODEL_LICENSES.md is missing"
fi
[ -d "$INTERNAL/dlib-face-models" ] && PEOPLE_MB=$(du -sm "$INTERNAL/dlib-face-models" | cut -f1)
[ -d "$INTERNAL/rapidocr" ] && OCR_MB=$(du -sm "$INTERNAL/rapidocr" | cut -f1)

# --- 2. tarball --------------------------------------------------------------------------
TARBALL="$OUT/photosearch-$VERSION-linux-$MACH-$FLAVOUR.tar.gz"
GZ=gzip; command -v pigz >/dev/null && GZ=pigz
tar -C "$(dirname "$DIST")" -cf - "$(basename "$DIST")" | $GZ -6 > "$TARBALL"
t2=$(now)

# --- 3. .deb -----------------------------------------------------------------------------
# Staged beside the output (same disk, so hard links work); removed on exit.
STAGE_TOP=$(mktemp -d "$OUT/.deb-stage.XXXXXX")
trap 'rm -rf "$STAGE_TOP"' EXIT
STAGE=$STAGE_TOP/root
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/DEBIAN" \
  "$STAGE/usr/share/applications" "$STAGE/usr/share/metainfo" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/photosearch"
# Hard links when possible: a CUDA bundle is several GB.
cp -al "$DIST" "$STAGE/opt/photosearch" 2>/dev/null || cp -a "$DIST" "$STAGE/opt/photosearch"
cat > "$STAGE/usr/bin/photosearch" <<'EOF'
#!/bin/sh
# photosearch launcher: the app lives in /opt/photosearch (a PyInstaller one-folder build).
exec /opt/photosearch/photosearch "$@"
EOF
install -m 0644 resources/photosearch.desktop "$STAGE/usr/share/applications/photosearch.desktop"
install -m 0644 resources/io.github.photosearch.metainfo.xml "$STAGE/usr/share/metainfo/"
install -m 0644 resources/icons/photosearch.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
for png in resources/icons/hicolor/*/apps/photosearch.png; do
  size=$(basename "$(dirname "$(dirname "$png")")")
  install -D -m 0644 "$png" "$STAGE/usr/share/icons/hicolor/$size/apps/photosearch.png"
done
cat > "$STAGE/usr/share/doc/photosearch/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: photosearch
License: GPL-3.0-or-later
Comment: photosearch's own source is MIT. This package bundles Python, PySide6 (Qt, LGPL-3),
 PyTorch (BSD), open_clip (MIT), pyexiv2 (GPL-3.0) with exiv2 (GPL-2.0-or-later) and their
 dependencies; because of pyexiv2/exiv2 the bundle as a whole is distributed under
 GPL-3.0-or-later. Their licence files are inside /opt/photosearch/_internal.
EOF
# Normalise permissions: dirs and executables 0755, everything else 0644.
chmod -R u+rwX,go+rX,go-w "$STAGE"
chmod 0755 "$STAGE/usr/bin/photosearch" "$STAGE/opt/photosearch/photosearch"
INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
# The newest glibc symbol version any bundled binary needs (the build machine's Python
# usually sets it): the package must not install where it cannot run.
GLIBC=2.28
if command -v objdump >/dev/null; then
  need=$(find "$DIST" -type f \( -name '*.so*' -o -perm -u+x \) -print0 | xargs -0 objdump -T 2>/dev/null \
         | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1 || true)
  [ -n "$need" ] && GLIBC=$need
fi
cat > "$STAGE/DEBIAN/control" <<EOF
Package: photosearch
Version: $VERSION+$FLAVOUR
Architecture: $DEBARCH
Maintainer: photosearch developers <photosearch@users.noreply.github.com>
Installed-Size: $INSTALLED_KB
Section: graphics
Priority: optional
Homepage: https://github.com/photosearch/photosearch
Depends: libc6 (>= $GLIBC), libegl1, libgl1, libxkbcommon0, libxkbcommon-x11-0, libfontconfig1, libdbus-1-3, libglib2.0-0t64 | libglib2.0-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-render-util0, libxcb-image0, libx11-xcb1
Description: local, private photo search, tagging and duplicate cleanup
 photosearch watches your photo folders and understands them with a CLIP model
 running on your own computer: search in plain language, find similar photos,
 auto-tag with your own labels and clean up duplicates safely, with undo.
 Nothing leaves your computer. This build bundles a $FLAVOUR build of PyTorch.
EOF
DEB="$OUT/photosearch_${VERSION}+${FLAVOUR}_${DEBARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESS" --build "$STAGE" "$DEB" >/dev/null
t3=$(now)

# --- report ------------------------------------------------------------------------------
mb() { du -sm "$1" | cut -f1; }
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "machine: $(nproc) cores, $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "torch: $("$PY" -c 'from importlib.metadata import version; print(version("torch"))' 2>/dev/null) ($FLAVOUR)"
  echo "bundled model: ${BUNDLE_MODEL:-none}"
  echo "needs glibc: >= $GLIBC"
  echo "pyinstaller_s: $(secs "$t0" "$t1")$([ "$SKIP_PYI" = 1 ] && echo ' (skipped)')"
  echo "tarball_s: $(secs "$t1" "$t2")"
  echo "deb_s: $(secs "$t2" "$t3") ($COMPRESS)"
  echo "bundle_mb: $(mb "$DIST")"
  echo "people_models_mb: $PEOPLE_MB (3 dlib files; 0: people extra not installed)"
  echo "ocr_models_mb: $OCR_MB (rapidocr package with its models; 0: ocr extra not installed)"
  echo "tarball_mb: $(mb "$TARBALL") $(basename "$TARBALL")"
  echo "deb_mb: $(mb "$DEB") $(basename "$DEB")"
} | tee "$OUT/build-info.txt"
echo "$DEB"
