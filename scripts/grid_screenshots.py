"""Screenshots of the photo grid sorted by date (date headers, counts, a selection), light
and dark, at 1400x900 and 800x600, of the real app under Xvfb.

    xvfb-run -s '-screen 0 1400x900x24' .venv/bin/python scripts/grid_screenshots.py [N]

Uses app_screenshots.py's throwaway library: N photos of ../shared/data/flickr8k-1k copied to
a temp folder (never into the repo), indexed with the tiny random test model. The copies'
file times are spread over five days of June 2024 (the copies only: Flickr8k has no capture
dates), so the grid shows several day sections. Writes docs/screenshots/grid-*.png.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app_screenshots import FLICKR, build_photos, shoot  # noqa: E402

DAYS = (14, 12, 12, 9, 9, 9, 3)  # June 2024 days, weighted: a few photos on some, many on others


def spread_dates(photos: Path) -> None:
    base = time.mktime((2024, 6, 1, 10, 0, 0, 0, 0, -1))
    for i, f in enumerate(sorted(photos.rglob("*.jpg"))):
        t = base + (DAYS[i % len(DAYS)] - 1) * 86400 + (i % 7) * 1800
        os.utime(f, (t, t))


def settle(app, cond, timeout: float = 120.0, extra_ms: int = 800) -> None:
    end = time.monotonic() + timeout
    while not cond() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.05)
    end = time.monotonic() + extra_ms / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    if not FLICKR.is_dir():
        print(f"need {FLICKR}", file=sys.stderr)
        return 1
    from PySide6.QtCore import QItemSelectionModel, QSettings

    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.ui import theme
    from photosearch.ui.app import make_app
    from photosearch.ui.main_window import MainWindow

    tmp = Path(tempfile.mkdtemp(prefix="photosearch-grid-shots-"))
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    try:
        app = make_app()
        theme.apply(app, "light")
        photos = build_photos(tmp, n)
        spread_dates(photos)
        lib = Library.open(resolve_library(tmp / "library"), model="test-tiny",
                           pretrained="none", device="cpu")
        state = QSettings(str(tmp / "state.ini"), QSettings.Format.IniFormat)
        win = MainWindow(lib, first_run=False, state=state)
        win.setGeometry(0, 0, 1400, 900)
        win.show()
        done: list[object] = []
        win.indexing.finished.connect(done.append)
        win.folders.add_folders([str(photos)])
        settle(app, lambda: bool(done) and not win.results.loading, 300)
        win.sort.setCurrentIndex(win.sort.findData("date"))
        settle(app, lambda: not win.results.loading and win.grid.section_headers() != [])
        win.grid.setCurrentIndex(win.results.index(3))
        win.grid.selectionModel().select(win.results.index(4),
                                         QItemSelectionModel.SelectionFlag.Select)
        ready = lambda: win.results.thumbnails_pending() == 0  # noqa: E731
        print("headers:", win.grid.section_headers(), flush=True)
        for name in ("light", "dark"):
            theme.apply(app, name)
            win.setGeometry(0, 0, 1400, 900)
            settle(app, lambda: ready() and win.width() == 1400, extra_ms=1500)
            shoot(f"grid-date-{name}-1400x900.png")
            win.setGeometry(0, 0, 800, 600)
            settle(app, lambda: ready() and win.width() == 800, extra_ms=1500)
            shoot(f"grid-date-{name}-800x600.png", "800x600+0+0")
        win.shutdown()
        lib.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
