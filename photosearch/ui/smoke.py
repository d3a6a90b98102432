"""`photosearch --smoke-test`: prove a build works end to end, in a throwaway library.

Opens the real main window, generates a few images, indexes them with the tiny test model
(no download), runs a text search and a find-similar, and exits 0. Each step prints one
line; any failure or a timeout prints the reason and exits 1. The installer runs this to
check a build; CI runs it under Xvfb.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

TIMEOUT_S = 240
COLORS = [(220, 40, 40), (40, 180, 60), (40, 70, 220), (230, 200, 40), (120, 40, 160),
          (30, 30, 30)]


def _say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def make_images(folder: Path) -> list[Path]:
    """A few small gradient images (different colours and formats)."""
    import numpy as np
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, color in enumerate(COLORS):
        x = np.linspace(0.5, 1.0, 160)[None, :, None]
        y = np.linspace(0, 60, 120)[:, None, None]
        arr = np.clip(np.array(color)[None, None, :] * x + y, 0, 255).astype(np.uint8)
        path = folder / f"smoke_{i}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(arr, "RGB").save(path)
        out.append(path)
    return out


class SmokeTest:
    """Drives the window through the steps, each started by the previous one's signal."""

    def __init__(self, app, args, root: Path) -> None:
        from PySide6.QtCore import QTimer

        from ..core.library import Library
        from ..core.paths import resolve_library
        from .main_window import MainWindow

        self.app, self.root = app, root
        self.images = make_images(root / "photos")
        self.lib = Library.open(resolve_library(root / "library"), model="test-tiny",
                                pretrained="none", device=getattr(args, "device", None) or "cpu")
        self.win = MainWindow(self.lib, first_run=False, state=_scratch_state(root))
        self.rc = 1
        self.step = "showing the window"
        self.win.window_shown.connect(self._shown)
        self.win.indexing.finished.connect(self._indexed)
        self.win.indexing.failed.connect(lambda msg: self.fail(msg))
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.fail(f"timed out after {TIMEOUT_S}s"))
        self.timer.start(TIMEOUT_S * 1000)

    def _shown(self) -> None:
        torch = "yes" if "torch" in sys.modules else "no"
        _say(f"window shown (torch imported before the window: {torch})")
        self.step = "indexing"
        self.win.folders.add_folders([str(self.root / "photos")])

    def _indexed(self, report) -> None:
        _say(f"indexed {report.embedded} photos ({report.problems} problems)")
        if report.embedded != len(self.images) or report.model_error:
            self.fail(f"expected {len(self.images)} embedded photos, got {report.embedded} "
                      f"({report.model_error or 'no model error'})")
            return
        self.step = "searching"
        self.win.results_changed.connect(self._searched)
        self.win.search.set_query("a red photo")

    def _searched(self, rows: int) -> None:
        if self.step != "searching" or self.win.search_flow.request.text != "a red photo":
            return
        if self.win.results.loading:
            return
        self.win.results_changed.disconnect(self._searched)
        _say(f"search 'a red photo' -> {rows} results")
        if rows != len(self.images):
            self.fail(f"expected {len(self.images)} results, got {rows}: "
                      f"{self.win.count_label.text()}")
            return
        self.step = "find similar"
        self.win.results_changed.connect(self._similar)
        self.win.search_flow.find_similar(str(self.images[0]))

    def _similar(self, rows: int) -> None:
        if self.win.results.loading:
            return
        self.win.results_changed.disconnect(self._similar)
        _say(f"find similar -> {rows} results")
        if rows != len(self.images) - 1:
            self.fail(f"expected {len(self.images) - 1} similar photos, got {rows}")
            return
        self.rc = 0
        _say("OK")
        self.app.quit()

    def fail(self, reason: str) -> None:
        if self.rc == 0:
            return
        _say(f"FAILED while {self.step}: {reason}")
        self.rc = 1
        self.app.quit()

    def run(self) -> int:
        self.win.show()
        self.app.exec()
        self.timer.stop()
        self.win.shutdown()
        self.win.close()
        self.lib.close()
        return self.rc


def _scratch_state(root: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(root / "window-state.ini"), QSettings.Format.IniFormat)


def run_smoke_test(app, args) -> int:
    root = Path(tempfile.mkdtemp(prefix="photosearch-smoke-"))
    try:
        return SmokeTest(app, args, root).run()
    except Exception as exc:  # noqa: BLE001 - the installer needs a verdict, not a traceback
        _say(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
