"""Every screen in light and dark, at 1400x900 and 800x600 (issue 17), from the real app.

    xvfb-run -s '-screen 0 1400x900x24' .venv/bin/python scripts/look_screenshots.py [N]

Builds a throwaway library from N photos of ../shared/data/flickr8k-1k (never copied into
the repo; two duplicate copies added), indexed with the tiny *random* test model, with a
"dogs" label confirmed from the Flickr8k captions. Each screen (photos, people, labels,
duplicates, the settings dialog) is rendered with QWidget.grab() into
docs/screenshots/look/SCREEN-THEME-WxH.png.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
OUT = ROOT / "docs" / "screenshots" / "look"

from app_screenshots import FLICKR, build_photos  # noqa: E402

SCREENS = ("photos", "people", "labels", "duplicates")
SIZES = ((1400, 900), (800, 600))


def pump(cond, timeout: float = 60.0) -> None:
    from PySide6.QtCore import QCoreApplication

    give_up = time.monotonic() + timeout
    while not cond() and time.monotonic() < give_up:
        QCoreApplication.processEvents()
        time.sleep(0.03)
    end = time.monotonic() + 0.4  # let the last paints land
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.02)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    if not FLICKR.is_dir():
        print(f"need {FLICKR}", file=sys.stderr)
        return 1
    from PySide6.QtCore import QSettings

    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.ui import icons, theme
    from photosearch.ui.app import make_app
    from photosearch.ui.main_window import MainWindow
    from photosearch.ui.settings_dialog import SettingsDialog

    tmp = Path(tempfile.mkdtemp(prefix="photosearch-look-"))
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_app()
    theme.apply(app, "light")
    lib = Library.open(resolve_library(tmp / "library"), model="test-tiny", pretrained="none",
                       device="cpu")
    state = QSettings(str(tmp / "state.ini"), QSettings.Format.IniFormat)
    win = MainWindow(lib, first_run=False, state=state)
    try:
        win.setGeometry(0, 0, 1400, 900)
        win.show()
        photos = build_photos(tmp, n)
        done = []
        win.indexing.finished.connect(done.append)
        win.folders.add_folders([str(photos)])
        pump(lambda: bool(done) and not win.results.loading, 300)
        win.show_screen("labels")
        view = win.screen_pages["labels"]
        view.add_label("dogs", ["a dog"])
        pump(lambda: view.current == "dogs" and not any(m.loading for m in
                                                           view.models.values()), 120)
        captions = (FLICKR.parent / "captions.txt").read_text("utf-8").splitlines()
        dogs = {ln.split(",", 1)[0] for ln in captions if " dog" in ln.lower()}
        paths = [p for p in photos.rglob("*.jpg") if p.name in dogs][:8]
        view.review([lib.catalog.hash_of(str(p)) for p in paths], True)
        pump(lambda: view.models["confident"].rowCount() > 0, 120)
        for name in ("light", "dark"):
            theme.apply(app, name)
            icons.decorate(win)
            win.refresh_library()  # the sidebar's folder icons in the new palette
            for w, h in SIZES:
                win.resize(w, h)
                for key in SCREENS:
                    win.show_screen(key)
                    page = win.screen_pages[key]
                    models = [getattr(page, "models", {}).values(), [win.results]]
                    pump(lambda models=models: not any(
                        m.loading or m.thumbnails_pending() for ms in models for m in ms), 60)
                    win.grab().save(str(OUT / f"{key}-{name}-{w}x{h}.png"))
                    print(f"captured {key}-{name}-{w}x{h}.png", flush=True)
            dialog = SettingsDialog(lib.settings, win)
            dialog.show()
            pump(dialog.isVisible, 5)
            dialog.grab().save(str(OUT / f"settings-{name}.png"))
            print(f"captured settings-{name}.png", flush=True)
            dialog.close()
    finally:
        win.shutdown()
        lib.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
