"""The results grid at 100k results: GUI-thread cost of paging, scrolling and painting.

Drives the real `ResultsModel` + `ResultsGrid` (offscreen) over a synthetic result list
(fetching pages from a Python list, so the numbers are the GUI side only; thumbnails come
from one small cached image so decoding is not measured here). Reported, all on the GUI
thread: time to append one page as rows grow to N, time to scroll to a random position and
paint the viewport, and the model's data() cost per visible cell.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_grid.py [--n 100000] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _report import write_section  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    from PIL import Image
    from PySide6.QtCore import QCoreApplication

    from photosearch.core.results import Result
    from photosearch.ui.app import make_app
    from photosearch.ui.grid import ResultsGrid
    from photosearch.ui.results_model import ResultsModel
    from photosearch.ui.thumbnails import ThumbnailCache
    from photosearch.ui.workers import Runner

    app = make_app()  # noqa: F841 - must stay referenced while the bench runs
    tmp = Path(tempfile.mkdtemp())
    photo = tmp / "p.jpg"
    Image.new("RGB", (640, 480), (120, 160, 200)).save(photo)
    cache = ThumbnailCache(tmp / "thumbs")
    cache.load("0" * 64, str(photo))  # every row shares this cached thumbnail

    results = [Result(str(photo), f"{i:064x}", 1 - i / args.n, None, 640, 480, "jpeg", None,
                      i < 50, [str(photo)]) for i in range(args.n)]
    # one cache file serves all rows (decode cost is not what this bench measures)
    cache.path_for = lambda _h: tmp / "thumbs" / "00" / f"{'0' * 64}-256.jpg"

    runner = Runner()
    model = ResultsModel(runner, cache, page_size=120)
    grid = ResultsGrid()
    grid.setModel(model)
    grid.resize(1100, 800)
    grid.show()

    append_ms: list[float] = []
    orig = model._page_arrived

    def timed(gen, page):
        t0 = time.perf_counter()
        orig(gen, page)
        append_ms.append((time.perf_counter() - t0) * 1000)

    model._page_arrived = timed
    model.set_source(lambda off, lim: results[off:off + lim])
    t_start = time.perf_counter()
    while not model.exhausted:
        QCoreApplication.processEvents()
        if model.canFetchMore():
            model.fetchMore()
        else:
            time.sleep(0.0005)
    load_s = time.perf_counter() - t_start

    paint_ms = []
    rng = random.Random(0)
    bar = grid.verticalScrollBar()
    for _ in range(60):
        bar.setValue(rng.randint(0, bar.maximum()))
        t0 = time.perf_counter()
        grid.viewport().repaint()
        paint_ms.append((time.perf_counter() - t0) * 1000)
        QCoreApplication.processEvents()
    runner.wait()

    def p(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(len(xs) * q))]

    body = (
        f"{args.n:,} results paged into the grid 120 at a time (offscreen, 1100x800 "
        "viewport, thumbnails from the disk cache). GUI-thread milliseconds:\n\n"
        "| measurement | median | p99 | max |\n|---|---|---|---|\n"
        f"| append one page (as rows grow to {args.n:,}) | {statistics.median(append_ms):.2f} "
        f"| {p(append_ms, .99):.2f} | {max(append_ms):.2f} |\n"
        f"| jump to a random scroll position + paint the viewport | "
        f"{statistics.median(paint_ms):.1f} | {p(paint_ms, .99):.1f} | {max(paint_ms):.1f} |\n\n"
        f"Loading all {args.n:,} rows page by page took {load_s:.1f} s in total (this drives "
        "fetchMore as fast as possible; the app only fetches as the user scrolls). "
        f"1-minute load average at the end: {os.getloadavg()[0]:.1f}.\n")
    print(body)
    if not args.no_write:
        write_section("Results grid at scale", " ".join(
            ["QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_grid.py", *sys.argv[1:]]),
            body)


if __name__ == "__main__":
    main()
