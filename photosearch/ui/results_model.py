"""The results grid's model: pages of core `Result`s, fetched and thumbnailed off the GUI thread.

Qt asks `canFetchMore`/`fetchMore` as the user scrolls towards the end, so a 100k-photo
library is loaded a page at a time. Each page is fetched on the runner's `db` thread and
appended when it arrives; a reset (new query) bumps a generation number so late pages of an
old query are dropped. Thumbnails are requested only for rows the view paints, newest
request first, and kept in a bounded in-memory LRU on top of the disk cache.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPixmap

from . import style
from .app_text import app_error
from .photo_drag import PHOTOS_MIME, photos_mime
from .thumbnails import ThumbnailCache
from .workers import Runner

log = logging.getLogger(__name__)

# fetch(offset, limit) -> list of core.search.Result; runs on the db thread.
PageFetcher = Callable[[int, int], list]

ResultRole = Qt.ItemDataRole.UserRole + 1
StrongRole = Qt.ItemDataRole.UserRole + 2
ScoreRole = Qt.ItemDataRole.UserRole + 3
PathRole = Qt.ItemDataRole.UserRole + 4
ThumbStateRole = Qt.ItemDataRole.UserRole + 5  # "loading" | "ready" | "failed"

PIXMAP_CACHE_ITEMS = 3000


class ResultsModel(QAbstractListModel):
    page_loaded = Signal(int)  # rows now loaded
    fetch_failed = Signal(str)
    loading_changed = Signal(bool)
    about_to_refresh = Signal()  # rows are about to change in place (views keep their scroll)

    def __init__(self, runner: Runner, thumbs: ThumbnailCache, page_size: int = 120,
                 parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.thumbs = thumbs
        self.page_size = page_size
        self._items: list = []
        self._rows: dict[str, int] = {}  # content hash -> row
        self._fetch: PageFetcher | None = None
        self._generation = 0
        self._loading = False
        self._refresh_wanted = False
        self._exhausted = True
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._failed: set[str] = set()
        self._priority = itertools.count(1)
        self._placeholder = _solid(thumbs.size, style.color("placeholder"))
        self._broken = _solid(thumbs.size, style.color("broken"))

    # -- source -------------------------------------------------------------------------
    def set_source(self, fetch: PageFetcher | None) -> None:
        """Show the results of a new query (None: empty); the first page loads at once."""
        self._generation += 1
        self.beginResetModel()
        self._items = []
        self._rows = {}
        self._fetch = fetch
        self._exhausted = fetch is None
        self._set_loading(False)
        self._refresh_wanted = False
        self.endResetModel()
        self.runner.clear_pending("thumbs")
        self._pending.clear()
        if fetch is not None:
            self._request(0)

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    def results(self) -> list:
        return list(self._items)

    def result_at(self, row: int):
        return self._items[row] if 0 <= row < len(self._items) else None

    def strong_count(self) -> int:
        return sum(1 for r in self._items if r.strong)

    # -- paging -------------------------------------------------------------------------
    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and not self._exhausted and not self._loading

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request(len(self._items))

    def _request(self, offset: int) -> None:
        gen, fetch = self._generation, self._fetch
        self._set_loading(True)
        self.runner.submit(
            "db", fetch, offset, self.page_size,
            on_done=lambda page: self._page_arrived(gen, page),
            on_error=lambda exc: self._page_failed(gen, exc))

    def _page_arrived(self, generation: int, page: list) -> None:
        if generation != self._generation:
            return  # an old query's page
        self._set_loading(False)
        if len(page) < self.page_size:
            self._exhausted = True
        fresh = []
        for r in page:
            if r.hash not in self._rows:
                self._rows[r.hash] = len(self._items) + len(fresh)
                fresh.append(r)
        if fresh:
            first = len(self._items)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._items.extend(fresh)
            self.endInsertRows()
        self.page_loaded.emit(len(self._items))
        if self._refresh_wanted:
            self._refresh_wanted = False
            self.refresh_in_place()

    # -- live updates -------------------------------------------------------------------
    def refresh_in_place(self) -> None:
        """Re-read the rows shown (at least a page) and apply the difference: new photos
        are inserted where they belong, vanished ones removed, the rest stay, so the
        selection and the scroll position survive (a watcher event, an indexing run)."""
        if self._fetch is None:
            return
        if self._loading:  # a page is on its way: look again once it is in
            self._refresh_wanted = True
            return
        gen, fetch = self._generation, self._fetch
        n = max(len(self._items), self.page_size)
        self.runner.submit("db", fetch, 0, n,
                           on_done=lambda page: self._refreshed(gen, page, n),
                           on_error=lambda exc: self._page_failed(gen, exc))

    def _refreshed(self, generation: int, page: list, asked: int) -> None:
        if generation != self._generation:
            return
        self.about_to_refresh.emit()
        # List comprehensions and sets, not per-row Python loops with Qt calls: at 12,000
        # rows this runs on the GUI thread for every watcher event (bench_live_grid.py).
        seen: dict[str, object] = {}
        for r in page:
            seen.setdefault(r.hash, r)
        fresh: list = list(seen.values())
        for row in reversed([i for i, r in enumerate(self._items) if r.hash not in seen]):
            self.beginRemoveRows(QModelIndex(), row, row)  # vanished photos leave
            del self._items[row]
            self.endRemoveRows()
        kept = {r.hash for r in self._items}
        order = [r.hash for r in fresh if r.hash in kept]
        if order != [r.hash for r in self._items]:
            self._reorder(order)
        for i in [i for i, r in enumerate(fresh) if r.hash not in kept]:
            self.beginInsertRows(QModelIndex(), i, i)  # new photos come in where they belong
            self._items.insert(i, fresh[i])
            self.endInsertRows()
        self._items = fresh  # same photos, same order: new paths, scores or dates
        self._rows = {r.hash: i for i, r in enumerate(self._items)}
        if self._items:
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1))
        self._exhausted = len(page) < asked
        self.page_loaded.emit(len(self._items))

    def _reorder(self, hashes: list[str]) -> None:
        """Put the shown rows in `hashes` order, moving persistent indexes (selection)."""
        self.layoutAboutToBeChanged.emit()
        old = {r.hash: i for i, r in enumerate(self._items)}
        by_hash = {r.hash: r for r in self._items}
        self._items = [by_hash[h] for h in hashes]
        for new_row, h in enumerate(hashes):
            if old[h] != new_row:
                self.changePersistentIndex(self.index(old[h]), self.index(new_row))
        self.layoutChanged.emit()

    def _page_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        self._exhausted = True
        self.fetch_failed.emit(app_error(exc))
        self.page_loaded.emit(len(self._items))

    def _set_loading(self, value: bool) -> None:
        if value != self._loading:
            self._loading = value
            self.loading_changed.emit(value)

    # -- Qt model -----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    # -- dragging photos (onto a label in the sidebar) ----------------------------------
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [PHOTOS_MIME]

    def mimeData(self, indexes) -> QMimeData:  # type: ignore[override]
        rows = sorted({i.row() for i in indexes if i.isValid() and i.row() < len(self._items)})
        return photos_mime([self._items[r].hash for r in rows])

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._items):
            return None
        r = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(r.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(r)
        if role == Qt.ItemDataRole.ToolTipRole:
            score = "" if r.score is None else f"\nscore {r.score:.3f}" + \
                ("" if r.strong else " (weaker match)")
            pair = f"\n{r.pair}: {' + '.join(r.files)}" if getattr(r, "pair", None) else ""
            return f"{r.path}{pair}{score}"
        if role == ResultRole:
            return r
        if role == StrongRole:
            return r.strong or r.score is None
        if role == ScoreRole:
            return r.score
        if role == PathRole:
            return r.path
        if role == ThumbStateRole:
            if r.hash in self._pixmaps:
                return "ready"
            return "failed" if r.hash in self._failed else "loading"
        return None

    # -- thumbnails ---------------------------------------------------------------------
    def _thumbnail(self, r) -> QPixmap:
        pix = self._pixmaps.get(r.hash)
        if pix is not None:
            self._pixmaps.move_to_end(r.hash)
            return pix
        if r.hash in self._failed:
            return self._broken
        if r.hash not in self._pending:
            self._pending.add(r.hash)
            # Newest request first: after a fast scroll the visible tiles come before
            # the ones scrolled past.
            self.runner.pools["thumbs"].start(
                _ThumbJob(self.runner, self.thumbs, r.hash, r.path, self._thumb_arrived),
                next(self._priority))
        return self._placeholder

    def _thumb_arrived(self, value) -> None:
        content_hash, image = value
        self._pending.discard(content_hash)
        if image is None or image.isNull():
            self._failed.add(content_hash)
        else:
            self._pixmaps[content_hash] = QPixmap.fromImage(image)
            while len(self._pixmaps) > PIXMAP_CACHE_ITEMS:
                self._pixmaps.popitem(last=False)
        row = self._rows.get(content_hash)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    def thumbnails_pending(self) -> int:
        return len(self._pending)


class _ThumbJob(QRunnable):
    """Loads one thumbnail on a worker thread and hands it to the GUI thread."""

    def __init__(self, runner: Runner, thumbs: ThumbnailCache, content_hash: str, path: str,
                 callback) -> None:
        super().__init__()
        self.runner, self.thumbs, self.hash, self.path = runner, thumbs, content_hash, path
        self.callback = callback

    def run(self) -> None:  # worker thread
        try:
            image = self.thumbs.load(self.hash, self.path)
        except Exception as exc:  # an unreadable photo shows a "broken" tile
            log.debug("thumbnail failed for %s: %s", self.path, exc)
            image = None
        self.runner.emit(self.callback, (self.hash, image))


def _solid(size: int, color: QColor) -> QPixmap:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(color)
    return QPixmap.fromImage(img)
