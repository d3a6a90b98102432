"""Startup time of the desktop app: process start to main window shown.

Each run starts `python main.py --library DIR` as a fresh process with
PHOTOSEARCH_STARTUP_PROBE=1, which makes the app print the wall-clock time at which its
main window was first shown (and whether torch had been imported by then) and quit. The
figure is that time minus the moment just before the process was spawned, so it includes
interpreter start-up, imports, opening the library and building the window. For context
the script also times a bare `python -c "import torch"`, the cost the app keeps off the
start-up path by loading the model in a background thread after the window appears.

    .venv/bin/python bench/bench_startup.py [--runs 7] [--platform offscreen] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402


def one_start(library: Path, platform: str) -> tuple[float, bool]:
    env = dict(os.environ, PHOTOSEARCH_STARTUP_PROBE="1", QT_QPA_PLATFORM=platform)
    t0 = time.time()
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "--library", str(library)],
                          capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"app failed to start: {proc.stderr.strip()}")
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    data = json.loads(line)
    return data["shown_at"] - t0, data["torch_imported"]


def torch_import() -> float:
    t0 = time.time()
    subprocess.run([sys.executable, "-c", "import torch, open_clip"], check=True, timeout=120)
    return time.time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--platform", default="offscreen",
                    help="Qt platform plugin (offscreen, xcb under Xvfb, ...)")
    ap.add_argument("--no-write", action="store_true", help="print only")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "library"
        one_start(library, args.platform)  # creates the library; warms the OS file cache
        runs = [one_start(library, args.platform) for _ in range(args.runs)]
    times = [t for t, _ in runs]
    torch_loaded = any(loaded for _, loaded in runs)
    torch_s = statistics.median(torch_import() for _ in range(3))
    body = (
        f"Process start to main window shown, {args.runs} fresh processes "
        f"(Qt platform `{args.platform}`, empty library, warm OS file cache; 1-minute load "
        f"average {load:.1f} when it started: the machine was shared).\n\n"
        "| measurement | seconds |\n|---|---|\n"
        f"| **window shown (median)** | **{statistics.median(times):.2f}** |\n"
        f"| window shown (min / max) | {min(times):.2f} / {max(times):.2f} |\n"
        f"| for context: `import torch, open_clip` in a fresh process (median of 3) "
        f"| {torch_s:.2f} |\n\n"
        f"torch imported before the window was shown: {'YES (regression)' if torch_loaded else 'no'}"
        " — the model loads on a background thread afterwards. Target: window within 1 s.\n")
    print(body)
    if not args.no_write:
        write_section("App startup", " ".join([".venv/bin/python bench/bench_startup.py",
                                               *sys.argv[1:]]), body)


if __name__ == "__main__":
    main()
