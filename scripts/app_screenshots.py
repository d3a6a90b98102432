"""Take the README's screenshots of the real app under Xvfb.

    xvfb-run -s '-screen 0 1400x900x24' .venv/bin/python scripts/app_screenshots.py [N]

Builds a throwaway library from N photos of ../shared/data/flickr8k-1k (never copied into
the repo) plus two duplicate copies, indexed with the tiny *random* test model (this
environment has no real CLIP weights, so the search screenshot shows plumbing, not
quality; the app itself says so in its banner). Each screen is captured with ImageMagick's
`import -window root` into docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"


def build_photos(tmp: Path, n: int) -> Path:
    photos = tmp / "Pictures"
    (photos / "2023 trip").mkdir(parents=True)
    (photos / "phone").mkdir()
    files = sorted(FLICKR.glob("*.jpg"))[:n]
    for i, f in enumerate(files):
        dst = photos / ("2023 trip" if i % 2 else "phone") / f.name
        shutil.copy2(f, dst)
    shutil.copy2(files[0], photos / "phone" / "copy of first.jpg")
    shutil.copy2(files[1], photos / "2023 trip" / "IMG_0002 (1).jpg")
    return photos


def shoot(name: str, crop: str | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cmd = ["import", "-window", "root"]
    if crop:  # e.g. "800x600+0+0": the small-window shot without the empty screen around it
        cmd += ["-crop", crop]
    subprocess.run([*cmd, str(OUT / name)], check=True)
    print(f"captured {name}", flush=True)


class Driver:
    """Steps through the screens; each step waits for the app to settle, then captures."""

    def __init__(self, app, tmp: Path, photos: Path) -> None:
        from PySide6.QtCore import QSettings

        from photosearch.core.library import Library
        from photosearch.core.paths import resolve_library
        from photosearch.ui import theme
        from photosearch.ui.main_window import MainWindow

        self.app, self.tmp, self.photos = app, tmp, photos
        theme.apply(app, "system")
        self.lib = Library.open(resolve_library(tmp / "library"), model="test-tiny",
                                pretrained="none", device="cpu")
        state = QSettings(str(tmp / "state.ini"), QSettings.Format.IniFormat)
        self.win = MainWindow(self.lib, first_run=False, state=state)
        self.win.setGeometry(0, 0, 1400, 900)
        self.steps = [self.index, self.indexing_shot, self.browse, self.search, self.labels,
                      self.duplicates, self.folder_tree, self.viewer, self.label_dialog,
                      self.empty_state, self.dark, self.small, self.first_run, self.done]

    def next(self, delay_ms: int = 800) -> None:
        from PySide6.QtCore import QTimer

        step = self.steps.pop(0)
        QTimer.singleShot(delay_ms, step)

    def wait(self, cond, then, delay_ms: int = 600) -> None:
        import time

        from PySide6.QtCore import QTimer

        give_up = time.monotonic() + 90

        def poll() -> None:
            if cond():
                QTimer.singleShot(delay_ms, then)
            elif time.monotonic() > give_up:  # never hang the script: shoot what is there
                print("warning: a step did not settle in 90 s", flush=True)
                QTimer.singleShot(delay_ms, then)
            else:
                QTimer.singleShot(100, poll)
        poll()

    def index(self) -> None:
        self.win.indexing.finished.connect(lambda _r: setattr(self, "indexed", True))
        self.indexed = False
        self.win.indexing.PROGRESS_INTERVAL_S = 0.0
        self.win.indexing.progress.connect(self._maybe_pause)
        self.paused_once = False
        self.win.folders.add_folders([str(self.photos)])
        self.wait(lambda: self.paused_once, self.next, 0)

    def _maybe_pause(self, status) -> None:
        """Hold the run a third of the way in, so the shot shows it mid-way."""
        if not self.paused_once and status.phase == "indexing" and status.done >= 40:
            self.paused_once = True
            self.win.progress.pause_btn.click()

    def indexing_shot(self) -> None:
        self.wait(lambda: True, self._shoot_paused, 1500)

    def _shoot_paused(self) -> None:
        shoot("06-indexing.png")
        self.win.progress.pause_btn.click()
        self.wait(lambda: self.indexed and not self.win.results.loading, self.next, 1500)

    def browse(self) -> None:
        self.win.grid.setCurrentIndex(self.win.results.index(4))
        self.wait(lambda: self.win.preview._pixmap is not None and
                  self.win.results.thumbnails_pending() == 0,
                  lambda: (shoot("01-browse.png"), self.next()), 800)

    def search(self) -> None:
        self.win.search.set_query("a dog running on the grass")
        self.wait(lambda: not self.win.results.loading, self._show_boundary, 300)

    def _show_boundary(self) -> None:
        """Scroll to where strong matches end, and select the first weaker one."""
        from PySide6.QtWidgets import QAbstractItemView

        index = self.win.results.index(self.win.results.strong_count())
        self.win.grid.setCurrentIndex(index)
        self.win.grid.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.wait(lambda: self.win.results.thumbnails_pending() == 0 and
                  self.win.preview._pixmap is not None,
                  lambda: (shoot("02-search.png"), self.next()), 1200)

    def labels(self) -> None:
        self.win.show_screen("labels")
        view = self.win.screen_pages["labels"]
        view.add_label("dogs", ["a dog"])
        self.wait(lambda: view.current == "dogs" and not any(
            m.loading for m in view.models.values()), lambda: self._confirm_dogs(view))

    def _confirm_dogs(self, view) -> None:
        """Answer "yes" for photos whose Flickr8k captions mention a dog (the user's
        review); the random test model cannot find them itself."""
        captions = (FLICKR.parent / "captions.txt").read_text("utf-8").splitlines()
        dogs = {ln.split(",", 1)[0] for ln in captions if " dog" in ln.lower()}
        paths = [p for p in self.photos.rglob("*.jpg") if p.name in dogs][:8]
        view.review([self.lib.catalog.hash_of(str(p)) for p in paths], True)
        self.wait(lambda: not any(
            m.loading for m in view.models.values()) and view.models["confident"].rowCount()
            and not any(
            m.loading for m in view.models.values()) and not any(
            m.thumbnails_pending() for m in view.models.values()),
            lambda: (shoot("05-labels.png"), self.next()), 2000)

    def duplicates(self) -> None:
        self.win.show_screen("duplicates")
        view = self.win.screen_pages["duplicates"]
        # identical files only: "similar shots" need real weights to mean anything
        self.wait(lambda: view.find_btn.isEnabled(), lambda: view.tier.setCurrentIndex(
            view.tier.findData("exact")), 0)
        self.wait(lambda: view.find_btn.isEnabled() and view.groups and
                  all(g.tier == "exact" for g in view.groups) and
                  view.list_thumbs_ready() == len(view.groups),
                  lambda: (shoot("04-duplicates.png"), self.next()), 2000)

    def folder_tree(self) -> None:
        """The sidebar's tree, expanded, with a sub-folder chosen."""
        self.win.show_screen("photos")
        tree = self.win.sidebar.folders
        tree.expandAll()
        trip = tree.find_path(str(self.photos / "2023 trip"))
        tree.setCurrentItem(trip)
        self.win.sidebar.folder_clicked.emit(str(self.photos / "2023 trip"))
        self.wait(lambda: not self.win.results.loading and
                  self.win.results.thumbnails_pending() == 0,
                  lambda: (shoot("07-folder-tree.png"), self.next()), 1200)

    def viewer(self) -> None:
        """Space on a photo, then 100%: zoomed in, panned to the middle."""
        self.win.grid.setCurrentIndex(self.win.results.index(2))
        self.win.photo_actions.view_current()
        viewer = self.win.photo_actions.viewer
        viewer.setGeometry(100, 60, 1200, 780)
        self.wait(lambda: viewer._pixmap is not None, lambda: self._zoom(viewer), 300)

    def _zoom(self, viewer) -> None:
        viewer.view.set_zoom(2.0)
        viewer.view.centerOn(viewer.view.item)
        self.wait(lambda: True, lambda: (shoot("08-viewer-zoom.png"), viewer.close(),
                                         self.next()), 800)

    def label_dialog(self) -> None:
        """New label: words, an example photo, the threshold and its live count."""
        self.win.show_screen("labels")
        view = self.win.screen_pages["labels"]
        dialog = view._ask_new_label()
        dialog.setGeometry(400, 200, 560, 400)
        dialog.name.setText("beach")
        dialog.words.setText("a beach, the sea")
        dialog.add_examples([str(sorted(self.photos.rglob("*.jpg"))[3])])
        dialog.threshold.setValue(30)
        self.wait(lambda: dialog.scores is not None,
                  lambda: (shoot("09-label-dialog.png"), dialog.reject(), self.next()), 800)

    def empty_state(self) -> None:
        self.win.show_screen("photos")
        self.win.filters.folder.setCurrentIndex(0)
        self.win.search.set_query("camera:hasselblad")
        self.wait(lambda: self.win.empty_label.isVisible(),
                  lambda: (shoot("11-empty-search.png"), self.next()), 800)

    def dark(self) -> None:
        """Dark theme on the duplicates screen: the trash check boxes stay visible."""
        self._theme("dark")
        self.win.show_screen("duplicates")
        self.wait(lambda: True, lambda: (shoot("10-dark.png"), self._theme("system"),
                                         self.next()), 1200)

    def _theme(self, name: str) -> None:
        """Switch theme as the Settings dialog does: icons re-tinted for the new palette."""
        from photosearch.ui import icons, theme

        theme.apply(self.app, name)
        icons.decorate(self.win)
        self.win.refresh_library()  # the sidebar's folder icons too

    def small(self) -> None:
        """The whole window at 800x600 (the smallest size it promises to be usable at)."""
        self.win.show_screen("photos")
        self.win.search.set_query("")
        self.win.setGeometry(0, 0, 800, 600)
        print("minimum widths:", self.win.minimumSizeHint().width(), {
            k: p.minimumSizeHint().width() for k, p in self.win.screen_pages.items()},
            flush=True)
        self.wait(lambda: not self.win.results.loading and
                  self.win.results.thumbnails_pending() == 0 and self.win.width() == 800,
                  lambda: (shoot("12-800x600.png", "800x600+0+0"),
                           self.win.setGeometry(0, 0, 1400, 900), self.next()), 1200)

    def first_run(self) -> None:
        from photosearch.ui.first_run import FirstRunDialog

        self.win.show_screen("photos")
        dialog = FirstRunDialog("ViT-B-32", "laion2b_s34b_b79k",
                                suggestions=[str(Path.home() / "Pictures")], parent=self.win)
        dialog.move(380, 120)  # at the size it opens with (640x640): 520 high clipped its notes
        dialog.show()
        self.dialog = dialog
        self.next(1200)

    def done(self) -> None:
        shoot("03-first-run.png")
        self.dialog.close()
        self.app.quit()


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    if not FLICKR.is_dir():
        print(f"need {FLICKR}", file=sys.stderr)
        return 1
    from photosearch.ui.app import make_app

    tmp = Path(tempfile.mkdtemp(prefix="photosearch-shots-"))
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    try:
        app = make_app()
        driver = Driver(app, tmp, build_photos(tmp, n))
        driver.win.show()
        driver.next(1000)
        app.exec()
        driver.win.shutdown()
        driver.lib.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
