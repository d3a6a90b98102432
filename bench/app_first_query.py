"""One app launch -> the first results of a query, in this fresh process (offscreen).

The app has no way to take a query on its command line, so this drives the real
MainWindow the way `ui.app.run_app` builds it (model loading in the background as usual,
no folder watching), types QUERY into the search box as soon as the window is shown, and
prints one JSON line: seconds from process start to the window shown and to the first
result rows in the results model, and whether torch was imported by then. Used by
bench_cold_start.py.

    PHOTOSEARCH_CACHE=... python bench/app_first_query.py LIBRARY MODEL PRETRAINED QUERY
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def since_start() -> float:
    """Seconds since this process started (Linux /proc)."""
    with open("/proc/self/stat") as fh:
        start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as fh:
        uptime = float(fh.read().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    library, model, pretrained, query = sys.argv[1:5]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer

    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.ui.app import make_app
    from photosearch.ui.main_window import MainWindow

    app = make_app()
    lib = Library.open(resolve_library(library), model=model, pretrained=pretrained,
                       device="cpu")
    win = MainWindow(lib, load_model=True, first_run=False, watch=False)
    out: dict = {}

    def shown() -> None:
        out["shown_s"] = since_start()
        win.search.set_query(query)

    def poll() -> None:
        if win.results.rowCount() > 0 and "results_s" not in out:
            out["results_s"] = since_start()
            out["rows"] = win.results.rowCount()
            out["torch_imported"] = "torch" in sys.modules
            print(json.dumps(out), flush=True)
            os._exit(0)  # the model may still be loading in the background: do not wait
        if since_start() > 300:
            print(json.dumps({"error": "no results after 300 s", **out}), flush=True)
            os._exit(1)

    win.window_shown.connect(shown)
    timer = QTimer(app)
    timer.timeout.connect(poll)
    timer.start(10)
    win.show()
    app.exec()


if __name__ == "__main__":
    main()
