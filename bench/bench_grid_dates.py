"""The photo grid sorted by date at 100k results: cost of the date sections on the GUI thread.

Builds a synthetic, newest-first result list (N photos over D days), pages it into the real
`ResultsModel` + `ResultsGrid` (offscreen) and reports, with date headers on and off: the
full layout (grouping every row by day and placing the sections), the layout after one more
page arrives, and a jump to a random scroll position plus a paint of the viewport.
Thumbnails come from one small cached image (decoding is not what this measures).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_grid_dates.py [--n 100000]
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
    ap.add_argument("--days", type=int, default=3_000)
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
    cache.load("0" * 64, str(photo))
    cache.path_for = lambda _h: tmp / "thumbs" / "00" / f"{'0' * 64}-256.jpg"
    newest = time.time()
    span = args.days * 86400.0
    results = [Result(str(photo), f"{i:064x}", None, newest - span * i / args.n, 640, 480,
                      "jpeg", None, True, [str(photo)]) for i in range(args.n)]
    runner = Runner()
    model = ResultsModel(runner, cache, page_size=120)
    grid = ResultsGrid()
    grid.setModel(model)
    grid.resize(1100, 800)
    grid.show()
    grid.set_grouped_by_date(True)
    model.set_source(lambda off, lim: results[off:off + lim])
    while not model.exhausted:  # page everything in (as fast as possible)
        QCoreApplication.processEvents()
        if model.canFetchMore():
            model.fetchMore()
        else:
            time.sleep(0.0005)
    QCoreApplication.processEvents()

    from photosearch.ui.grid_sections import DayMemo

    def layout_ms(regroup: bool = False, cold: bool = False) -> tuple[float, float]:
        if cold:
            grid._days.memo = DayMemo()  # no capture time seen before
        if regroup:
            grid._days.seen = -1  # every row's day read again (a watcher event)
        grid._geometry = None
        t0, c0 = time.perf_counter(), time.process_time()
        grid._layout()
        return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000

    def med(xs: list[tuple[float, float]]) -> str:
        return (f"{statistics.median(x[0] for x in xs):.1f} / "
                f"{statistics.median(x[1] for x in xs):.1f}")

    def paint_ms(rng: random.Random) -> float:
        bar = grid.verticalScrollBar()
        bar.setValue(rng.randint(0, bar.maximum()))
        t0 = time.perf_counter()
        grid.viewport().repaint()
        out = (time.perf_counter() - t0) * 1000
        QCoreApplication.processEvents()
        return out

    rows = []
    for grouped in (True, False):
        grid.set_grouped_by_date(grouped)
        cold = [layout_ms(True, True) for _ in range(3)]
        regroup = [layout_ms(True) for _ in range(5)]
        full = [layout_ms() for _ in range(5)]
        rng = random.Random(0)
        paints = [paint_ms(rng) for _ in range(40)]
        heads = len(grid.section_headers())
        rows.append(f"| {'on' if grouped else 'off'} | {heads:,} | "
                    f"{med(cold)} | {med(regroup)} | {med(full)} | {statistics.median(paints):.1f} | "
                    f"{max(paints):.1f} |")
    runner.wait()
    body = (
        f"{args.n:,} results over {args.days:,} days, all paged into the grid (offscreen, "
        "1100x800 viewport). GUI-thread milliseconds (layouts: wall / process CPU time, "
        "the CPU figure is what a quiet machine would see); a layout runs once per change "
        "of rows (a page arriving, a watcher event), a paint on every scroll step:\n\n"
        "| date headers | headers | first grouping (cold) | regroup all rows (watcher "
        "event) | place sections (page appended, resize) | jump + paint median | paint max |"
        "\n|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "The box is shared with other jobs (2 cores, noisy; one run); 1-minute load average "
        f"at the end: {os.getloadavg()[0]:.1f}.\n")
    print(body)
    if not args.no_write:
        write_section("Photo grid: date sections at scale", " ".join(
            ["QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_grid_dates.py",
             *sys.argv[1:]]), body)


if __name__ == "__main__":
    main()
