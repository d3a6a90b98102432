#!/usr/bin/env bash
# Install the .deb, run the installed app's smoke tests, remove it, and check nothing is left.
#
#   installer/check_deb.sh [--system | --scratch DIR] [--no-gui] [DEB]
#
#   DEB        the package (default: the newest dist/photosearch_*.deb)
#   --system   install into this system with apt-get/dpkg (needs root; the default as root)
#   --scratch  unpack into DIR instead (any user; the default when not root)
#   --no-gui   skip the GUI smoke test (used by the check's own unit test)
#
# Checks, in order:
#   1. the package's files are where the desktop expects them (launcher, .desktop, metainfo,
#      icons) and the installed .desktop / metainfo validate when the validators are present;
#   2. CLI smoke: index a few generated images with the tiny test model, then search;
#   3. GUI smoke: the app's --smoke-test (opens the window, indexes, searches, exits 0)
#      under Xvfb (the xcb platform plugin and the system's X libraries, as on a desktop);
#   4. the run wrote nothing into the install dir (only to the user's data/cache/log dirs);
#   5. removal (system mode: apt-get/dpkg purge) leaves none of the package's files behind.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=""
SCRATCH=""
GUI=1
DEB=""
while [ $# -gt 0 ]; do
  case "$1" in
    --system) MODE=system; shift ;;
    --scratch) MODE=scratch; SCRATCH=$2; shift 2 ;;
    --no-gui) GUI=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) DEB=$1; shift ;;
  esac
done
die() { echo "check_deb: FAIL: $*" >&2; exit 1; }
say() { echo "check_deb: $*" >&2; }
[ -n "$DEB" ] || DEB=$(ls -t dist/photosearch_*.deb 2>/dev/null | head -1 || true)
[ -f "$DEB" ] || die "no .deb found (build one with 'make package')"
DEB=$(cd "$(dirname "$DEB")" && pwd)/$(basename "$DEB")
[ -n "$MODE" ] || { [ "$(id -u)" = 0 ] && MODE=system || MODE=scratch; }
[ "$MODE" = system ] && [ "$(id -u)" != 0 ] && die "--system needs root (or use --scratch DIR)"

WORK=$(mktemp -d /tmp/photosearch-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [ "$MODE" = scratch ]; then
  [ -n "$SCRATCH" ] || SCRATCH=$WORK/root
  mkdir -p "$SCRATCH"
  ROOT=$(cd "$SCRATCH" && pwd)
else
  ROOT=""
fi
APPDIR=$ROOT/opt/photosearch
APP=$APPDIR/photosearch

# --- install -----------------------------------------------------------------------------
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's#^\./#/#' | grep -v '/$' > "$WORK/files"
if [ "$MODE" = system ]; then
  dpkg -s photosearch >/dev/null 2>&1 && die "photosearch is already installed; remove it first"
  say "installing $DEB into the system"
  export DEBIAN_FRONTEND=noninteractive
  if command -v apt-get >/dev/null; then
    apt-get install -y -qq "$DEB" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; die "apt-get install failed"; }
  else
    dpkg -i "$DEB" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; die "dpkg -i failed"; }
  fi
  LAUNCHER=/usr/bin/photosearch
else
  say "unpacking $DEB into $ROOT"
  dpkg-deb -x "$DEB" "$ROOT"
  grep -q 'exec /opt/photosearch/photosearch' "$ROOT/usr/bin/photosearch" \
    || die "launcher does not exec /opt/photosearch/photosearch"
  LAUNCHER=$APP  # the launcher's absolute path only holds in a real install
fi

# --- 1. layout -----------------------------------------------------------------------------
for f in /usr/bin/photosearch /usr/share/applications/photosearch.desktop \
         /usr/share/metainfo/io.github.photosearch.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/photosearch.svg \
         /usr/share/icons/hicolor/256x256/apps/photosearch.png /opt/photosearch/photosearch; do
  [ -e "$ROOT$f" ] || die "missing $f"
done
[ -x "$ROOT/usr/bin/photosearch" ] || die "/usr/bin/photosearch is not executable"
[ -z "$(find "$APPDIR" -name 'shape_predictor_68_face_landmarks*' | head -1)" ] \
  || die "the research-only 68-point face model is in the package"
FACE_MODELS=$APPDIR/_internal/dlib-face-models  # present when built with the people extra
if [ -d "$FACE_MODELS" ]; then
  for f in shape_predictor_5_face_landmarks.dat dlib_face_recognition_resnet_model_v1.dat \
           mmod_human_face_detector.dat; do
    [ -s "$FACE_MODELS/$f" ] || die "missing face model $f"
  done
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$ROOT/usr/share/applications/photosearch.desktop" || die "desktop file invalid"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$ROOT/usr/share/metainfo/io.github.photosearch.metainfo.xml" >/dev/null \
    || die "metainfo invalid"
fi
say "layout ok"

# --- 2-4. smoke tests as a fresh user ----------------------------------------------------
snapshot() { (cd "$APPDIR" && find . -printf '%p %s %T@ %m\n' | sort); }
snapshot > "$WORK/before"
export HOME=$WORK/home XDG_DATA_HOME=$WORK/home/.local/share XDG_CACHE_HOME=$WORK/home/.cache \
       XDG_CONFIG_HOME=$WORK/home/.config XDG_STATE_HOME=$WORK/home/.local/state HF_HUB_OFFLINE=1
unset PHOTOSEARCH_LIBRARY PHOTOSEARCH_CACHE PHOTOSEARCH_LOG_DIR QT_QPA_PLATFORM
mkdir -p "$HOME" "$WORK/photos"
python3 - "$WORK/photos" <<'EOF'
# Three small solid-colour PNGs, written with the standard library only.
import struct, sys, zlib
def png(path, rgb, w=48, h=32):
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    open(path, "wb").write(data + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for name, rgb in (("red", (220, 30, 30)), ("green", (30, 200, 40)), ("blue", (30, 40, 220))):
    png(f"{sys.argv[1]}/{name}.png", rgb)
EOF
TINY=(--model test-tiny --pretrained none)
"$LAUNCHER" --version
"$LAUNCHER" --library "$WORK/lib" "${TINY[@]}" index "$WORK/photos" 2>"$WORK/index.log" \
  || { cat "$WORK/index.log"; die "CLI index failed"; }
"$LAUNCHER" --library "$WORK/lib" "${TINY[@]}" search red --json >"$WORK/search.json" 2>"$WORK/search.log" \
  || { cat "$WORK/search.log"; die "CLI search failed"; }
for n in red green blue; do grep -q "$n.png" "$WORK/search.json" || die "search did not list $n.png"; done
say "CLI smoke ok (indexed 3 images, search listed them)"
if [ -d "$FACE_MODELS" ]; then  # dlib loads in the bundle, models install, a worker spawns
  "$LAUNCHER" --library "$WORK/lib" "${TINY[@]}" people enable >"$WORK/people.log" 2>&1 \
    && "$LAUNCHER" --library "$WORK/lib" "${TINY[@]}" people scan --workers 1 >>"$WORK/people.log" 2>&1 \
    || { cat "$WORK/people.log"; die "people enable/scan failed"; }
  grep -q "faces: 3 photos scanned" "$WORK/people.log" || { cat "$WORK/people.log"; die "faces pass did not scan"; }
  say "people smoke ok (face models installed from the package, worker process scanned 3 images)"
fi

if [ "$GUI" = 0 ]; then
  say "GUI smoke skipped (--no-gui)"
else
  "$LAUNCHER" --help 2>/dev/null | grep -q -- --smoke-test || die "the installed app has no --smoke-test flag"
  command -v xvfb-run >/dev/null || die "xvfb-run not found (apt-get install xvfb xauth)"
  timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" "$LAUNCHER" --smoke-test >"$WORK/gui.log" 2>&1 \
    || { cat "$WORK/gui.log"; die "--smoke-test failed under Xvfb"; }
  grep '^smoke:' "$WORK/gui.log" | sed 's/^/check_deb:   /' >&2 || true
  say "GUI smoke ok (--smoke-test opened the window under Xvfb, indexed, searched)"
fi

snapshot > "$WORK/after"
if ! diff "$WORK/before" "$WORK/after" >"$WORK/install-dir.diff"; then
  head "$WORK/install-dir.diff" >&2
  die "the app wrote into its install dir"
fi
[ -n "$(find "$HOME" -type f | head -1)" ] || die "the app wrote nothing under the user's dirs (log expected)"
say "install dir untouched; user files went to $HOME only"

# --- 5. removal ----------------------------------------------------------------------------
if [ "$MODE" = system ]; then
  if command -v apt-get >/dev/null; then apt-get purge -y -qq photosearch >/dev/null
  else dpkg --purge photosearch >/dev/null; fi
  dpkg -s photosearch >/dev/null 2>&1 && die "photosearch still registered after purge"
else
  rm -rf "$ROOT/opt/photosearch" "$ROOT/usr"
fi
left=0
while read -r f; do [ -e "$ROOT$f" ] || [ -L "$ROOT$f" ] && { echo "left behind: $f" >&2; left=1; }; done < "$WORK/files"
[ -e "$ROOT/opt/photosearch" ] && { echo "left behind: /opt/photosearch" >&2; left=1; }
[ $left = 0 ] || die "files left after removal"
say "removed cleanly ($(wc -l < "$WORK/files") files)"
say "PASS $(basename "$DEB") ($MODE)"
