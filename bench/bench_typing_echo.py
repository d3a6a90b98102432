"""Typing echo while indexing: how long a key typed into the search field waits before the
GUI thread handles it, while the app indexes ~200 shared flickr photos with the tiny
random `test-tiny` CLIP model (real decoding, real embedding, real catalog writes).

A timer posts one key press to the search field every --interval ms; the echo of a key is
the time from posting it to the field's `textEdited` (the GUI thread was free to take it).
Search-as-you-type runs as in the app. Offscreen; a throwaway library and HOME.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_typing_echo.py [--photos 200] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"

from _report import write_section  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--interval", type=int, default=120, help="ms between keys")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="echo-bench-"))
    for var, sub in (("PHOTOSEARCH_CACHE", "cache"), ("PHOTOSEARCH_LOG_DIR", "log"),
                     ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
        os.environ[var] = str(tmp / sub)
    os.environ["HF_HUB_OFFLINE"] = "1"
    photos = tmp / "photos"
    photos.mkdir()
    for src in sorted(FLICKR.glob("*.jpg"))[:args.photos]:
        shutil.copy2(src, photos / src.name)  # a temp copy: the shared data stays untouched

    from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
    from PySide6.QtGui import QKeyEvent

    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.ui.app import make_app
    from photosearch.ui.main_window import MainWindow

    app = make_app()
    lib = Library.open(resolve_library(tmp / "library"), model="test-tiny", pretrained="none")
    state = QSettings(str(tmp / "state.ini"), QSettings.Format.IniFormat)
    win = MainWindow(lib, load_model=False, first_run=False, state=state)
    win.confirm = lambda _text: True  # type: ignore[method-assign]
    win.show()

    posted: list[float] = []
    echoes: list[float] = []
    done: list[object] = []

    def edited(_text: str) -> None:
        if posted:
            echoes.append((time.perf_counter() - posted.pop(0)) * 1000)

    def type_key() -> None:
        if len(win.search.text()) > 12:
            win.search.clear()  # keep queries short, like a person retyping
        posted.append(time.perf_counter())
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QCoreApplication.postEvent(win.search, QKeyEvent(kind, Qt.Key.Key_A,
                                                             Qt.KeyboardModifier.NoModifier, "a"))

    win.search.textEdited.connect(edited)
    win.indexing.finished.connect(lambda report: done.append(report))
    timer = QTimer()
    timer.setInterval(args.interval)
    timer.timeout.connect(type_key)
    t0 = time.perf_counter()
    win.folders.add_folders([str(photos)])
    timer.start()
    while not done and time.perf_counter() - t0 < args.timeout:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    wall = time.perf_counter() - t0
    win.shutdown()
    lib.close()
    shutil.rmtree(tmp, ignore_errors=True)
    report = done[0] if done else None
    embedded = getattr(report, "embedded", 0)
    if not done or not echoes or not embedded:
        sys.exit(f"indexing did not finish in {args.timeout:.0f} s ({len(echoes)} keys)")
    echoes.sort()
    p95 = echoes[int(0.95 * (len(echoes) - 1))]
    body = (f"Typing into the search field while the app indexes {args.photos} flickr8k photos "
            f"(shared data, copied to a temp folder) with the tiny random `test-tiny` model, "
            f"offscreen; one key every {args.interval} ms, search-as-you-type on. Echo = key "
            "posted to the field until the field handles it (GUI thread free).\n\n"
            "| photos embedded | keys | indexing wall | echo median | p95 | max |\n"
            "|---|---|---|---|---|---|\n"
            f"| {embedded} | {len(echoes)} | {wall:.1f} s | {statistics.median(echoes):.1f} ms | "
            f"{p95:.1f} ms | {echoes[-1]:.1f} ms |\n\n"
            "This is the GUI thread's share only: the issue's ~160 ms median (xdotool under "
            "Xvfb, a real ViT model) also holds the X round trip and a heavier model, so the "
            "two are not comparable. "
            "The box is shared with other jobs (2 cores, noisy; one run); 1-minute load average "
            f"at the end: {os.getloadavg()[0]:.1f}.\n")
    print(body)
    if not args.no_write:
        write_section("Typing echo while indexing", " ".join(
            ["QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_typing_echo.py",
             *sys.argv[1:]]), body)


if __name__ == "__main__":
    main()
