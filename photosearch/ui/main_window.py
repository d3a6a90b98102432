"""The main window: search field, filter chips, results grid, preview, sidebar, status bar.

The window lays out the widgets and composes the controllers that do the work, one per job:

- `ModelStatus` (model_status.py): model load, weights download progress, the banner;
- `FoldersCoordinator` (folders.py): add/remove/exclude folders, indexing, watcher events;
- `SearchFlow` (search_flow.py): the request, the results, counts, find similar;
- `PhotoActions` (photo_actions.py): open, view, copy, the grid's context menu;
- `WindowDialogs` (dialogs.py): problems, settings, first run;
- `WindowMenus` (window_menus.py): menus and shortcuts;
- `WindowState` (window_state.py): geometry and view choices between runs.

They talk through signals wired here. Everything that touches the catalog, the model, the
index or photo files is submitted to the window's `Runner`.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import desktop, icons, sidebar_labels
from .app_text import app_error
from .dialogs import WindowDialogs
from .filters import FilterBar
from .folders import FoldersCoordinator
from .grid import ResultsGrid, follow_sort, size_slider
from .model_status import Banner, ModelStatus, banner_for
from .people_pass import PeoplePassController
from .person_chip import PersonNames
from .photo_actions import PhotoActions
from .preview import PreviewPane
from .results_model import ResultsModel
from .search_bar import SearchField, image_files, similar_chip
from .search_flow import SearchFlow, SearchWidgets
from .search_service import SearchService
from .sidebar import Sidebar
from .status_bar import IndexProgress, ProblemsButton
from .text_pass import TextPassController
from .thumbnails import ThumbnailCache
from .window_menus import WindowMenus
from .window_state import WindowState, app_state
from .workers import IndexingController, LiveWatcher, Runner

log = logging.getLogger(__name__)

__all__ = ["MainWindow", "app_state"]


class MainWindow(QMainWindow):
    """Composes the widgets and the per-job controllers of the desktop app's one window.

    Labels and duplicates screens reach back through `lib`, `runner`, `thumbs`, `search`,
    `confirm`, `show_screen` and `refresh_library`; everything else lives on the
    controllers (`model`, `folders`, `search_flow`, `photo_actions`, `dialogs`, `menus`)."""

    window_shown = Signal()
    results_changed = Signal(int)  # rows loaded
    model_state = Signal(str)  # loading | ready | failed
    folders_changed = Signal(list)

    def __init__(self, lib: Any, *, load_model: bool = True, first_run: bool = True,
                 state: QSettings | None = None, read_only: bool = False,
                 watch: bool = False) -> None:
        super().__init__()
        self.lib = lib
        self.runner = Runner()
        self.runner.default_error = self._background_error
        self.service = SearchService(lib)
        self.thumbs = ThumbnailCache.for_screen(lib.paths.thumbnails, lib.settings.max_pixels)
        self.results = ResultsModel(self.runner, self.thumbs)
        self.live = LiveWatcher(lib, self.runner)
        self.live.wanted = watch and not read_only  # follow the folders between runs
        self.indexing = IndexingController(lib, self.runner, watcher=self.live)
        self.state = state or app_state()
        self.load_model_on_show = load_model
        self.read_only = read_only
        self._shown = False
        self._closed = False
        self.clean_shutdown = True
        self.setWindowTitle("photosearch")
        self.setAcceptDrops(True)
        self._build()
        self._compose(first_run)
        self._connect()
        sort = self.window_state.restore()
        if sort is not None:
            self.search_flow.request.sort = sort
        follow_sort(self.grid, self.sort)  # date headers while sorted by date
        icons.decorate(self)  # menus, buttons, sidebar: one icon set, tinted by the theme

    # == layout ==========================================================================
    def _build(self) -> None:
        self.search = SearchField()
        self.filters = FilterBar()
        self.banner = Banner()
        self.similar_bar, self.similar_icon, self.similar_label, self.clear_similar_btn = \
            similar_chip()
        self.count_label = QLabel("")
        self.sort = QComboBox()
        self.sort.addItem("Sort: relevance", "relevance")
        self.sort.addItem("Sort: date", "date")
        self.grid = ResultsGrid()
        self.grid.setModel(self.results)
        self.grid.setDragEnabled(True)  # photos dragged onto a label in the sidebar
        self.thumb_slider = size_slider(self.grid)
        info = QHBoxLayout()
        info.addWidget(self.count_label, 1)
        info.addWidget(self.thumb_slider)
        info.addWidget(self.sort)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        center = QWidget()
        cl = QVBoxLayout(center)
        cl.setContentsMargins(6, 6, 6, 0)
        search_row = QHBoxLayout()  # find-similar mode: the query image as a chip
        search_row.addWidget(self.similar_bar)
        search_row.addWidget(self.search, 1)
        cl.addLayout(search_row)
        for w in (self.filters, self.banner):
            cl.addWidget(w)
        cl.addLayout(info)
        cl.addWidget(self.empty_label)
        cl.addWidget(self.grid, 1)
        self.preview = PreviewPane(self.lib, self.runner)
        photos = QSplitter(Qt.Orientation.Horizontal)
        photos.addWidget(center)
        photos.addWidget(self.preview)
        photos.setStretchFactor(0, 3)
        photos.setStretchFactor(1, 1)
        self.photos_splitter = photos
        self.screens = QStackedWidget()
        self._page_policies: dict[int, QSizePolicy] = {}  # each screen's own size policy
        self.screens.addWidget(photos)
        self.screen_pages: dict[str, QWidget] = {"photos": photos}
        self.sidebar = Sidebar()
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.sidebar)
        outer.addWidget(self.screens)
        outer.setStretchFactor(1, 1)
        outer.setSizes([230, 1100])
        self.outer_splitter = outer
        self.setCentralWidget(outer)
        self.progress = IndexProgress()
        self.library_label = QLabel("")
        self.problems_button = ProblemsButton()
        self.problems_button.set_count(0)
        status = self.statusBar()
        status.addWidget(self.progress, 1)
        status.addPermanentWidget(self.library_label)
        status.addPermanentWidget(self.problems_button)
        self.resize(1280, 820)

    def _compose(self, first_run: bool) -> None:
        """The controllers, each handed what its job needs."""
        lib, runner = self.lib, self.runner
        self.model = ModelStatus(lib, runner, self)
        self.search_flow = SearchFlow(
            service=self.service, results=self.results, runner=runner,
            widgets=SearchWidgets(self.search, self.filters, self.sort, self.count_label,
                                  self.empty_label, self.similar_bar, self.similar_label,
                                  self.grid, self.preview, self.similar_icon),
            sidebar=self.sidebar, indexing=self.indexing, paste_dir=lib.paths.cache / "pasted",
            parent=self)
        self.photo_actions = PhotoActions(results=self.results, grid=self.grid, runner=runner,
                                          host=self, parent=self)
        self.folders = FoldersCoordinator(
            lib=lib, runner=runner, indexing=self.indexing, live=self.live,
            progress=self.progress, problems_button=self.problems_button,
            library_label=self.library_label, host=self,
            confirm=lambda text: self.confirm(text),  # late-bound: tests replace `confirm`
            can_embed=self.model.usable, read_only=self.read_only, first_run=first_run,
            parent=self)
        self.dialogs = WindowDialogs(lib=lib, runner=runner, host=self, parent=self)
        self.text_pass = TextPassController(lib, runner, self)  # OCR after indexing
        self.people_pass = PeoplePassController(  # faces after indexing; one core while it runs
            lib, runner, self, clip_busy=lambda: self.indexing.running or self.live.busy)
        self.person_names = PersonNames(lib, runner, self.filters.person, self)  # the chip
        self.menus = WindowMenus(self, self.grid, search=self.search_flow,
                                 photos=self.photo_actions, folders=self.folders,
                                 dialogs=self.dialogs, select_screen=self.sidebar.select_screen)
        self.window_state = WindowState(
            self.state, self,
            {"window/outer": self.outer_splitter, "window/photos": self.photos_splitter},
            self.sort, self.grid)

    def _connect(self) -> None:
        """Who reacts to whom: widgets to controllers, controllers to each other."""
        flow, folders, dialogs, model = self.search_flow, self.folders, self.dialogs, self.model
        self.clear_similar_btn.clicked.connect(flow.clear_similar)
        self.banner.linkActivated.connect(
            lambda link: dialogs.open_settings() if link == "settings" else None)
        flow.results_changed.connect(self.results_changed)
        flow.photos_wanted.connect(lambda: self.show_screen("photos"))
        self.photo_actions.similar_requested.connect(flow.find_similar)
        self.photo_actions.duplicates_requested.connect(self.show_duplicates_of)
        self.preview.open_requested.connect(self.photo_actions.open_path)
        self.preview.reveal_requested.connect(self.photo_actions.reveal_path)
        self.photo_actions.library_changed.connect(flow.refresh_if_room)
        self.photo_actions.library_changed.connect(folders.refresh)
        self.photo_actions.tagged.connect(lambda _r: self._labels_changed())
        self.preview.copy_requested.connect(lambda p: desktop.copy_paths([p]))
        self.sidebar.add_folder.connect(folders.add_folder_dialog)
        self.sidebar.remove_folder.connect(folders.remove_folder)
        self.sidebar.index_now.connect(folders.start_indexing)
        self.sidebar.exclude_folder.connect(folders.exclude_dialog)
        self.sidebar.folder_clicked.connect(flow.select_folder)
        self.sidebar.screen_requested.connect(self.show_screen)
        sidebar_labels.connect(self)
        self.problems_button.clicked.connect(dialogs.open_problems)
        folders.folders_changed.connect(self.sidebar.set_folders)
        folders.folders_changed.connect(
            lambda statuses: self.filters.set_folders([s.path for s in statuses]))
        folders.folders_changed.connect(self.folders_changed)
        folders.index_report.connect(model.index_report)
        folders.results_stale.connect(flow.run_request)
        folders.results_may_grow.connect(flow.refresh_if_room)
        folders.first_run_wanted.connect(dialogs.first_run)
        dialogs.settings_applied.connect(flow.run_request)
        dialogs.folders_chosen.connect(folders.add_folders)
        dialogs.retry_problems.connect(folders.retry_problems)
        dialogs.ocr_switched.connect(self.text_pass.apply)
        dialogs.people_switched.connect(self.people_pass.apply)
        self.indexing.finished.connect(lambda _r: self.text_pass.poke())
        self.live.event.connect(self.text_pass.watch_event)
        self.text_pass.finished.connect(lambda r: r.read and flow.refresh_if_room())
        self.indexing.finished.connect(lambda _r: self.people_pass.poke())
        self.live.event.connect(self.people_pass.watch_event)
        self.people_pass.finished.connect(lambda r: r.faces and flow.refresh_if_room())
        self.people_pass.finished.connect(self.person_names.refresh)
        model.state_changed.connect(
            lambda _s: setattr(self.service, "model_error", model.error))
        model.state_changed.connect(self.model_state)
        model.changed.connect(self._update_banner)
        for source in (folders.message, dialogs.message, self.photo_actions.message,
                       self.text_pass.message, self.people_pass.message):
            source.connect(self.statusBar().showMessage)

    # == start-up ========================================================================
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self.window_shown.emit()
            QTimer.singleShot(0, self._after_shown)

    def _after_shown(self) -> None:
        if self.load_model_on_show:
            self.model.load()
        self.folders.refresh()
        self.search_flow.run_request()
        self.person_names.refresh()
        self.folders.check_at_start()
        if not self.read_only:
            self.text_pass.poke()  # OCR on: resume what an earlier session left unread
            self.people_pass.poke()  # people on: the same for faces
        if self.read_only:
            self.menus.set_read_only()
            for b in (self.sidebar.add_btn, self.sidebar.remove_btn, self.sidebar.index_btn,
                      self.sidebar.exclude_btn):
                b.setEnabled(False)
            self._update_banner()

    def _update_banner(self) -> None:
        self.banner.show_state(banner_for(self.model, self.read_only))

    # == what the labels and duplicates screens call =====================================
    def confirm(self, text: str) -> bool:
        """Ask yes/no (tests replace this)."""
        no = QMessageBox.StandardButton.No  # Return answers "No": nothing is lost by it
        return QMessageBox.question(self, "photosearch", text,
                                    QMessageBox.StandardButton.Yes | no, no) == \
            QMessageBox.StandardButton.Yes

    def refresh_library(self) -> None:
        """Re-read the folder list and the counts (after a change the window did not make)."""
        self.folders.refresh()

    def show_screen(self, key: str) -> None:
        page = self.screen_pages.get(key)
        if page is None:
            from .screens import make_screen

            page = make_screen(key, self)
            if hasattr(page, "labels_changed"):
                page.labels_changed.connect(self.sidebar.labels.set_labels)
            self.screen_pages[key] = page
            icons.decorate(page)
            self.screens.addWidget(page)
        self.screens.setCurrentWidget(page)
        # A stack's minimum size is the largest of all its pages: hidden screens must not
        # hold the window wider than the one on show (Ignored drops them from it).
        for i in range(self.screens.count()):
            other = self.screens.widget(i)
            own = self._page_policies.setdefault(id(other), other.sizePolicy())
            other.setSizePolicy(own if other is page else QSizePolicy(
                QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored))
        current = self.sidebar.nav.currentItem()
        if current and current.data(Qt.ItemDataRole.UserRole) != key:
            self.sidebar.select_screen(key)

    def _labels_changed(self) -> None:
        """A manual tag: the preview's tags and an open labels screen show it."""
        self.preview.show_result(self.preview.result)
        labels: Any = self.screen_pages.get("labels")
        if labels is not None:
            labels.refresh()

    def show_duplicates_of(self, content_hash: str) -> None:
        fresh = "duplicates" not in self.screen_pages
        self.show_screen("duplicates")
        view: Any = self.screen_pages["duplicates"]
        if hasattr(view, "show_photo"):
            if fresh:  # its first search is already running: focus when it lands
                view.focus_hash = content_hash
            else:
                view.show_photo(content_hash)

    # == drag and drop: an image dropped anywhere finds similar photos ====================
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.search_flow.drop(event.mimeData(), event.acceptProposedAction)

    # == errors, shutdown ================================================================
    def _background_error(self, exc: Exception) -> None:
        log.error("background task failed: %s", exc, exc_info=exc)
        from ..core.catalog_safety import is_damage

        if is_damage(exc) and not self.read_only:  # offer the way back, in the app's words
            from .catalog_restore import request_restore

            reason = getattr(exc, "reason", None) or f"is damaged ({exc})"
            QTimer.singleShot(0, lambda: request_restore(self, reason))
            return
        self.statusBar().showMessage(f"⚠ {app_error(exc)}", 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work (the indexer finishes its batch) and save window state."""
        if self._closed:
            return
        self._closed = True
        self.window_state.save()
        self.folders.stop()
        self.text_pass.stop()  # cancels between photos; waits for the one in flight
        self.people_pass.stop()
        # A model load (torch import, a download) cannot be interrupted: give up on it
        # after a while; run_app then exits without waiting for that thread.
        self.clean_shutdown = self.runner.wait(20_000)
        self.live.stop_now()
        # Stopping the watcher can post a last refresh: refuse new jobs, drain again, so
        # no worker still uses the library's connection when run_app closes it.
        self.clean_shutdown = self.runner.close(20_000) and self.clean_shutdown
