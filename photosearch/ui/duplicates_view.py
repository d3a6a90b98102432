"""The duplicates screen: groups per tier, side by side with the keeper highlighted and the
reason, resolve to the OS trash after a preview, and undo. Built on core `duplicates`
(grouping, read-only) and `dupes_cleanup` (trash with an undo log).

Nothing is selected for trashing in "similar" groups (burst shots are never
auto-selected); exact and same-photo groups start with every non-keeper checked, and the
user can pick another keeper. The grouping and the trashing run on the db thread.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from . import style
from .app_text import app_error
from .empty_state import EmptyState
from .preview import human_size

TIER_NAMES = {"exact": "Identical files", "same": "Same photo", "similar": "Similar shots"}
LIST_ICON = 56  # the group list's keeper thumbnail
THUMB_READY = Qt.ItemDataRole.UserRole + 1


def group_label(g) -> str:
    files = sum(1 + len(it.copies) for it in g.items)
    return (f"{TIER_NAMES.get(g.tier, g.tier)} · {files} files · "
            f"{human_size(g.reclaimable())} to free\n{os.path.basename(g.keeper.path)}")


def _boxed(pix: QPixmap | None, side: int = 200) -> QPixmap:
    """A thumbnail centred on a fixed transparent square (tiles keep their size)."""
    box = QPixmap(side, side)
    box.fill(style.TRANSPARENT)
    if pix is not None and not pix.isNull():
        scaled = pix.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)
        painter = QPainter(box)
        painter.drawPixmap((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
        painter.end()
    return box


class DuplicatesView(QWidget):
    groups_loaded = Signal(int)
    resolved = Signal(object)  # core ResolveReport
    undone = Signal(object)  # core UndoReport

    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.lib, self.runner = window.lib, window.runner
        self.groups: list = []
        self.focus_hash: str | None = None  # "show duplicates of this photo"
        self.keepers: dict[str, str] = {}  # group id -> chosen keeper path
        self.checked: dict[str, set[str]] = {}  # group id -> paths to trash
        self.chosen: set[str] = set()  # groups whose keeper/checks the user changed
        self.current = None
        self.tier = QComboBox()
        self.tier.addItem("All kinds", None)
        for key, name in TIER_NAMES.items():
            self.tier.addItem(name, key)
        self.tier.currentIndexChanged.connect(lambda _i: self.refresh())
        self.find_btn = QPushButton("Find duplicates")
        self.find_btn.clicked.connect(self.refresh)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        style.set_kind(self.find_btn, "primary")
        self.summary = style.muted(self.summary)
        top = QHBoxLayout()
        top.setSpacing(style.SPACE_M)
        top.addWidget(style.heading("Duplicates", "1"))
        top.addWidget(self.tier)
        top.addWidget(self.find_btn)
        top.addWidget(self.summary, 1)
        self.list = QListWidget()
        self.list.setIconSize(QSize(LIST_ICON, LIST_ICON))
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # elided
        self.list.currentRowChanged.connect(self._select_row)
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.items = QListWidget()
        self.items.setViewMode(QListView.ViewMode.IconMode)
        self.items.setIconSize(QSize(200, 200))
        self.items.setGridSize(QSize(230, 270))
        self.items.setResizeMode(QListView.ResizeMode.Adjust)
        self.items.setMovement(QListView.Movement.Static)
        self.items.setWordWrap(True)
        self.items.itemChanged.connect(self._item_changed)
        self.keep_btn = QPushButton("Keep this one instead")
        self.keep_btn.clicked.connect(self._keep_selected)
        self.not_dupes_btn = QPushButton("Not duplicates")
        self.not_dupes_btn.setToolTip("Never group these photos again")
        self.not_dupes_btn.clicked.connect(self.mark_not_duplicates)
        self.trash_btn = QPushButton("Move checked to trash…")
        self.trash_btn.clicked.connect(self.resolve_checked)
        self.undo_btn = QPushButton("Undo last cleanup")
        self.undo_btn.clicked.connect(self.undo)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        for label in (self.summary, self.status):  # long notices wrap, never widen the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            label.setMinimumWidth(0)
        for b in (self.keep_btn, self.not_dupes_btn, self.trash_btn, self.undo_btn):
            b.setAutoDefault(False)  # Return never presses "trash"
        style.set_kind(self.trash_btn, "danger")
        buttons = QGridLayout()  # two rows: the screen fits an 800 px window
        for i, b in enumerate((self.keep_btn, self.not_dupes_btn, self.trash_btn,
                               self.undo_btn)):
            buttons.addWidget(b, i // 2, i % 2)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(style.card(self.reason))  # why these are duplicates, which one is kept
        rl.addWidget(self.items, 1)
        split = QSplitter()
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([270, 800])  # the groups list leaves the photos room at 800 px
        split.setStretchFactor(1, 1)
        self.empty = EmptyState(
            "duplicates", "No duplicates found",
            "No two indexed photos are the same file, the same photo or a similar shot. "
            "Look again after adding folders or indexing.", "Look again", self.refresh)
        self.pages = QStackedWidget()  # the groups, or the empty state
        self.pages.addWidget(split)
        self.pages.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.SPACE_M, style.SPACE_M, style.SPACE_M, style.SPACE_M)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        bottom = QHBoxLayout()  # under both pages ("Undo last cleanup" stays reachable),
        bottom.addStretch(1)  # at the right, at the buttons' own width
        bottom.addLayout(buttons)
        layout.addLayout(bottom)
        layout.addWidget(self.status)
        self._enable()
        self.refresh()

    # -- grouping ------------------------------------------------------------------------
    def refresh(self) -> None:
        from ..core.duplicates import TIERS, DuplicateFinder

        tier = self.tier.currentData()
        tiers = (tier,) if tier else TIERS
        self.summary.setText("Looking for duplicates…")
        self.find_btn.setEnabled(False)
        hint = "the photos indexed with a search model (Index now, F5)"
        self.runner.submit("db", lambda: DuplicateFinder(self.lib, index_hint=hint).find(tiers),
                           on_done=self._groups_arrived, on_error=self._failed)

    def _groups_arrived(self, grouping) -> None:
        self.find_btn.setEnabled(True)
        current = self.current.id if self.current is not None else None
        old_row = self.list.currentRow()
        self.groups = grouping.all()
        self._carry_choices()
        total = sum(g.reclaimable() for g in self.groups if g.auto_select)
        notes = " ".join(grouping.notices)
        self.summary.setText(f"{len(self.groups):,} groups · up to {human_size(total)} to free "
                             f"in identical and same-photo groups. {notes}".strip())
        self.list.blockSignals(True)
        self.list.clear()
        self._list_render = getattr(self, "_list_render", 0) + 1
        for g in self.groups:
            item = QListWidgetItem(QIcon(_boxed(None, LIST_ICON)), group_label(g))
            item.setData(Qt.ItemDataRole.UserRole, g.id)
            self.list.addItem(item)
            self.runner.submit(
                "thumbs", self.window.thumbs.load, g.keeper.hash, g.keeper.path,
                on_done=lambda img, gid=g.id, r=self._list_render: self._list_thumb(r, gid, img),
                on_error=lambda _e: None)
        self.list.blockSignals(False)
        focus = self.focus_hash
        self.focus_hash = None
        self.pages.setCurrentWidget(self.pages.widget(0) if self.groups else self.empty)
        self.empty.title.setText("This photo has no duplicates" if focus
                                 else "No duplicates found")
        for b in (self.keep_btn, self.not_dupes_btn, self.trash_btn):
            b.setVisible(bool(self.groups))  # nothing to act on: only the undo stays
        if focus:
            row = next((i for i, g in enumerate(self.groups) if focus in g.hashes), -1)
        else:  # the selection stays put: the same group, else the same place in the list
            row = next((i for i, g in enumerate(self.groups) if g.id == current),
                       min(max(old_row, 0), len(self.groups) - 1))
        if row >= 0 and self.groups:
            self.list.setCurrentRow(row)
        else:
            self._show_group(None)
            if focus:
                self.reason.setText("This photo has no duplicates.")
        self.groups_loaded.emit(len(self.groups))

    def _carry_choices(self) -> None:
        """Suggested keepers and checks for new groups; the user's own choices survive a
        refresh (another group's "Not duplicates", a cleanup, an undo) while the group is
        unchanged (its id covers its files and hashes)."""
        keepers, checked = {}, {}
        for g in self.groups:
            paths = {p for it in g.items for p in (it.path, *it.copies)}
            if g.id in self.chosen and self.keepers.get(g.id) in paths:
                keepers[g.id] = self.keepers[g.id]
                checked[g.id] = (self.checked.get(g.id, set()) & paths) - {keepers[g.id]}
            else:
                keepers[g.id] = g.keeper.path
                checked[g.id] = ({p for it in g.others for p in (it.path, *it.copies)}
                                 if g.auto_select else set())
        self.chosen &= set(keepers)
        self.keepers, self.checked = keepers, checked

    def show_photo(self, content_hash: str) -> None:
        """Find duplicates again and open the group holding this photo."""
        self.focus_hash = content_hash
        self.tier.blockSignals(True)
        self.tier.setCurrentIndex(0)
        self.tier.blockSignals(False)
        self.refresh()

    def _select_row(self, row: int) -> None:
        self._show_group(self.groups[row] if 0 <= row < len(self.groups) else None)

    def _show_group(self, g) -> None:
        self.current = g
        self._render = getattr(self, "_render", 0) + 1  # tiles of older renders are gone
        self.items.blockSignals(True)
        self.items.clear()
        if g is None:
            self.reason.setText("No duplicates found." if not self.groups else "")
            self.items.blockSignals(False)
            self._enable()
            return
        keeper = self.keepers[g.id]
        why = g.keeper_reason if keeper == g.keeper.path else "chosen by you"
        self.reason.setText(f"<b>{TIER_NAMES.get(g.tier, g.tier)}</b>: {g.reason}<br>"
                            f"Keeping <b>{os.path.basename(keeper)}</b> ({why}). Checked files "
                            "go to the trash; you can undo.")
        for it in g.items:
            for path in (it.path, *it.copies):
                self._add_item(it, path, path == keeper, path in self.checked[g.id])
        self.items.blockSignals(False)
        self._enable()

    def _add_item(self, it, path: str, keeper: bool, checked: bool) -> None:
        dims = f"{it.width}×{it.height}" if it.width else "?"
        item = QListWidgetItem(f"{'KEEP · ' if keeper else ''}{os.path.basename(path)}\n"
                               f"{dims} · {human_size(it.size)}")
        item.setData(Qt.ItemDataRole.UserRole, path)
        item.setToolTip(path)
        if keeper:
            item.setBackground(QBrush(style.color("keeper_bg")))
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        else:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        item.setIcon(QIcon(_boxed(None)))
        self.items.addItem(item)
        self.runner.submit("thumbs", self.window.thumbs.load, it.hash, path,
                           on_done=lambda img, p=path, r=self._render: self._thumb(r, p, img),
                           on_error=lambda _e: None)

    def _thumb(self, render: int, path: str, image) -> None:
        if render != self._render:
            return
        for i in range(self.items.count()):
            item = self.items.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == path:
                item.setIcon(QIcon(_boxed(QPixmap.fromImage(image))))

    def _list_thumb(self, render: int, group_id: str, image) -> None:
        if render != self._list_render:
            return
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == group_id:
                item.setIcon(QIcon(_boxed(QPixmap.fromImage(image), LIST_ICON)))
                item.setData(THUMB_READY, True)

    def list_thumbs_ready(self) -> int:
        """How many groups show their keeper's thumbnail (tests, screenshots)."""
        return sum(1 for i in range(self.list.count())
                   if self.list.item(i).data(THUMB_READY))

    def _item_changed(self, item) -> None:
        if self.current is None:
            return
        path = item.data(Qt.ItemDataRole.UserRole)
        chosen = self.checked[self.current.id]
        self.chosen.add(self.current.id)
        if item.checkState() == Qt.CheckState.Checked:
            chosen.add(path)
        else:
            chosen.discard(path)
        self._enable()

    def set_keeper(self, path: str) -> None:
        g = self.current
        if g is None:
            return
        self.keepers[g.id] = path
        self.checked[g.id].discard(path)
        self.chosen.add(g.id)
        self._show_group(g)

    def _keep_selected(self) -> None:
        item = self.items.currentItem()
        if item is not None:
            self.set_keeper(item.data(Qt.ItemDataRole.UserRole))

    # -- actions -------------------------------------------------------------------------
    def plan(self):
        """The cleanup the user chose: per group, keeper + checked files (never the keeper)."""
        from ..core.dupes_cleanup import Plan, plan_choice

        entries, sizes = [], {}
        for g in self.groups:
            remove = sorted(self.checked[g.id] - {self.keepers[g.id]})
            if not remove:
                continue
            entries.append(plan_choice(g, self.keepers[g.id], remove))
            by_path = {p: it.size for it in g.items for p in (it.path, *it.copies)}
            sizes.update({p: by_path[p] for p in remove})
        return Plan(entries, sizes)

    def resolve_checked(self) -> None:
        from ..core.dupes_cleanup import resolve

        plan = self.plan()
        if not plan.files:
            self.status.setText("Nothing is checked.")
            return
        listing = "\n".join(p for e in plan.entries for p, _h in e.trash[:20])
        if not self.window.confirm(
                f"Move {plan.files} file(s) ({human_size(plan.bytes)}) from "
                f"{len(plan.entries)} group(s) to the trash?\n\n{listing}\n\n"
                "You can undo this here, or restore them from the system trash."):
            return
        self.status.setText("Moving to trash…")
        self.runner.submit("db", resolve, self.lib, plan, on_done=self._resolved,
                           on_error=self._failed)

    def _resolved(self, report) -> None:
        skipped = f"; {len(report.skipped)} skipped (changed or missing)" if report.skipped else ""
        self.status.setText(f"Moved {len(report.trashed)} file(s) "
                            f"({human_size(report.bytes)}) to the trash{skipped}.")
        self.resolved.emit(report)
        self.window.refresh_library()
        self.refresh()

    def undo(self) -> None:
        from ..core.dupes_cleanup import undo

        self.runner.submit("db", undo, self.lib, on_done=self._undone, on_error=self._failed)

    def _undone(self, report) -> None:
        if report.log_path is None:
            self.status.setText("Nothing to undo.")
        else:
            failed = f"; {len(report.failed)} could not be restored" if report.failed else ""
            self.status.setText(f"Restored {len(report.restored)} file(s){failed}.")
        self.undone.emit(report)
        self.window.refresh_library()
        self.refresh()

    def mark_not_duplicates(self) -> None:
        from ..core.duplicates import mark_not_duplicates

        g = self.current
        if g is None:
            return
        self.runner.submit("db", mark_not_duplicates, self.lib.catalog, g.hashes,
                           on_done=lambda _n: self.refresh(), on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.find_btn.setEnabled(True)
        self.status.setText(f"⚠ {app_error(exc)}")
        self.summary.setText(self.summary.text().replace("Looking for duplicates…", ""))

    def _enable(self) -> None:
        has = self.current is not None
        for b in (self.keep_btn, self.not_dupes_btn):
            b.setEnabled(has)
        self.trash_btn.setEnabled(any(self.checked.values()))
