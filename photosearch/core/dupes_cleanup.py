"""Resolving duplicate groups: plan (preview), trash with an undo log, and undo.

A plan lists, per group, the keeper and the files to trash; it is built from the suggested
keepers (exact and same tiers only: similar shots are never pre-selected) or from the
user's own choice in the app. Resolving re-checks every file's content hash (and that the
keeper is still there, unchanged) before anything moves; afterwards the catalog forgets the
trashed paths and the tags and review decisions of removed photos are merged into the
keeper. Undo puts the files back and re-links them to the catalog without re-reading them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .duplicates import AUTO_TIERS, Group
from .keeper import Item
from .trash import ChangedError, RestoreResult, TrashRecord, UndoLog, latest_log, restore, \
    trash_file, verify

log = logging.getLogger(__name__)


class PlanError(ValueError):
    """A plan that must not run (e.g. auto-selecting similar shots)."""


@dataclass
class PlanEntry:
    group_id: str
    tier: str
    keeper: Item
    trash: list[tuple[str, str]]  # (path, expected content hash)
    reason: str = ""
    keeper_reason: str = ""

    def to_json(self) -> dict:
        return {"group": self.group_id, "tier": self.tier, "keep": self.keeper.path,
                "keeper_reason": self.keeper_reason, "reason": self.reason,
                "trash": [p for p, _ in self.trash]}


@dataclass
class Plan:
    entries: list[PlanEntry]
    sizes: dict[str, int] = field(default_factory=dict)  # path -> bytes, for the summary

    @property
    def files(self) -> int:
        return sum(len(e.trash) for e in self.entries)

    @property
    def bytes(self) -> int:
        return sum(self.sizes.get(p, 0) for e in self.entries for p, _ in e.trash)

    def to_json(self) -> dict:
        return {"files": self.files, "bytes": self.bytes,
                "groups": [e.to_json() for e in self.entries]}


def plan_groups(groups: Sequence[Group]) -> Plan:
    """Trash every non-keeper file (and its identical copies) of exact / same groups."""
    entries, sizes = [], {}
    for g in groups:
        if g.tier not in AUTO_TIERS:
            raise PlanError(f"{g.tier} groups are never auto-selected for deletion; "
                            "choose what to remove yourself (plan_choice)")
        trash = []
        for it in g.others:
            for path in (it.path, *it.copies):
                trash.append((path, it.hash))
                sizes[path] = it.size
        entries.append(PlanEntry(g.id, g.tier, g.keeper, trash, g.reason, g.keeper_reason))
    return Plan(entries, sizes)


def plan_choice(group: Group, keep: str, remove: Sequence[str]) -> PlanEntry:
    """An entry from the user's own choice within one group (any tier, similar included)."""
    by_path = {p: it for it in group.items for p in (it.path, *it.copies)}
    if keep not in by_path:
        raise PlanError(f"{keep} is not in this group")
    bad = [p for p in remove if p not in by_path or p == keep]
    if bad:
        raise PlanError(f"cannot remove {bad[0]}: not in this group, or it is the keeper")
    return PlanEntry(group.id, group.tier, by_path[keep],
                     [(p, by_path[p].hash) for p in remove], group.reason, "chosen by you")


# -- resolve ---------------------------------------------------------------------------------
@dataclass
class ResolveReport:
    log_path: Path | None
    trashed: list[TrashRecord] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    tags_merged: int = 0

    @property
    def bytes(self) -> int:
        return sum(r.size for r in self.trashed)


def resolve(library, plan: Plan, *, progress: Callable[[int, int], None] | None = None,
            cancel=None) -> ResolveReport:
    """Carry out a plan: send2trash, undo log, forget trashed paths, merge tags."""
    progress = progress or (lambda done, total: None)
    tiers = sorted({e.tier for e in plan.entries}) or ["none"]
    undo = UndoLog.create(library.paths.undo_dir, "-".join(tiers))
    report = ResolveReport(undo.path)
    done = 0
    keepers = {os.path.abspath(e.keeper.path) for e in plan.entries}
    for entry in plan.entries:
        if cancel is not None and cancel.is_set():
            report.skipped += [(p, "cancelled") for p, _ in entry.trash]
            continue
        _resolve_entry(library, entry, undo, report, keepers)
        done += len(entry.trash)
        progress(done, plan.files)
    _after_trash(library, plan, report)
    if not report.trashed:
        undo.path.unlink(missing_ok=True)  # nothing to undo: no empty log lying around
        report.log_path = None
    return report


def _resolve_entry(library, entry: PlanEntry, undo: UndoLog, report: ResolveReport,
                   keepers: set[str]) -> None:
    try:
        verify(entry.keeper.path, entry.keeper.hash)
    except ChangedError as exc:
        why = f"keeper {entry.keeper.path}: {exc}; nothing in this group was trashed"
        report.skipped += [(p, why) for p, _ in entry.trash]
        return
    for path, expected in entry.trash:
        if os.path.abspath(path) in keepers:  # never trash any group's keeper
            report.skipped.append((path, "is a keeper in this plan"))
            continue
        if os.path.realpath(path) in {os.path.realpath(k) for k in keepers}:
            # A symlink and its target look like identical copies; trashing the target
            # would leave the "kept" link dangling.
            report.skipped.append((path, "is the file a kept symlink points to"))
            continue
        try:
            rec = trash_file(path, expected, entry.group_id, entry.keeper.path)
        except ChangedError as exc:
            report.skipped.append((path, str(exc)))
            continue
        except OSError as exc:
            report.skipped.append((path, f"could not move to trash: {exc}"))
            continue
        undo.trashed(rec)
        report.trashed.append(rec)


def _after_trash(library, plan: Plan, report: ResolveReport) -> None:
    if not report.trashed:
        return
    from .indexer import Indexer

    Indexer(library).forget_paths([r.path for r in report.trashed])
    gone = {r.hash for r in report.trashed}
    for entry in plan.entries:
        removed = sorted({h for _, h in entry.trash if h in gone and h != entry.keeper.hash})
        if removed:
            report.tags_merged += merge_tags_into_keeper(library.catalog, removed,
                                                         entry.keeper.hash)
    library.save_index()


def merge_tags_into_keeper(catalog, removed: Sequence[str], keeper: str) -> int:
    """Give the keeper the tags and review decisions of removed copies; returns rows changed.

    Uses photosearch.core.tagging.merge_photo_tags when the tagging feature provides it.
    Otherwise merges photo_tags rows directly: the keeper's own user decisions win; a
    removed copy's user decision (confirmed/rejected) replaces the keeper's auto tag; other
    rows are copied where the keeper has none. Rows of removed photos are kept, so undo
    restores them unchanged. No-op when the tagging tables do not exist."""
    try:
        from . import tagging
    except ImportError:
        tagging = None
    merge = getattr(tagging, "merge_photo_tags", None)
    if merge is not None:
        return int(merge(catalog, list(removed), keeper) or 0)
    if not catalog.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                                "AND name='photo_tags'").fetchone():
        return 0
    rows = lambda h: {r[0]: r for r in catalog.conn.execute(  # noqa: E731
        "SELECT label_id, score, source, model_id FROM photo_tags WHERE hash = ?", (h,))}
    mine = rows(keeper)
    changes = []
    for h in removed:
        for label, (_, score, source, model_id) in rows(h).items():
            have = mine.get(label)
            if have is None or (have[2] == "auto" and source != "auto"):
                mine[label] = (label, score, source, model_id)
                changes.append((keeper, label, score, source, model_id, time.time()))
    with catalog.transaction():
        catalog.conn.executemany(
            "INSERT OR REPLACE INTO photo_tags(hash, label_id, score, source, model_id, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)", changes)
    return len(changes)


# -- undo ------------------------------------------------------------------------------------
@dataclass
class UndoReport:
    log_path: Path | None
    restored: list[RestoreResult] = field(default_factory=list)
    failed: list[RestoreResult] = field(default_factory=list)
    relinked: int = 0


def undo(library, log_path: str | Path | None = None) -> UndoReport:
    """Restore what an undo log (default: the newest with anything left) trashed."""
    log_ = UndoLog(Path(log_path)) if log_path else latest_log(library.paths.undo_dir)
    if log_ is None:
        return UndoReport(None)
    if not log_.path.is_file():
        raise FileNotFoundError(f"undo log {log_.path} does not exist")
    report = UndoReport(log_.path)
    pending = log_.pending()
    hashes = {r.path: r.hash for r in pending}
    for rec in reversed(pending):  # last trashed first, like any undo
        res = restore(rec)
        log_.restored(res)
        (report.restored if res.ok else report.failed).append(res)
    report.relinked = relink(library, [(r.path, hashes[r.path]) for r in report.restored])
    return report


def relink(library, files: Sequence[tuple[str, str]]) -> int:
    """Point restored paths at their (still cataloged) photos without decoding them, and
    put their embeddings back in the index. Paths whose photo was purged meanwhile are left
    for the next 'photosearch index'."""
    catalog = library.catalog
    folders = sorted(catalog.folders(), key=lambda f: -len(f[1]))
    rows = []
    for path, h in files:
        if not os.path.exists(path) or not catalog.known_hashes([h]):
            continue
        folder_id = next((i for i, f in folders if path.startswith(f.rstrip(os.sep) + os.sep)),
                         None)
        st = os.stat(path)
        rows.append((path, h, folder_id, st.st_size, st.st_mtime_ns))
    if not rows:
        return 0
    with catalog.transaction():
        catalog.link_files(rows)
    if library.embedding_dim() is not None:
        ids = catalog.embedding_ids_for(library.model_id, [r[1] for r in rows])
        if ids:
            order = list(ids.values())
            got = {}
            for chunk_ids, vecs in catalog.iter_embeddings(library.model_id, order):
                got.update(zip(chunk_ids.tolist(), vecs))
            library.index().add(np.array(order), np.stack([got[i] for i in order]))
            library.save_index()
    return len(rows)
