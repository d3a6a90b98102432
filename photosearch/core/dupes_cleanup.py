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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import library_ops
from .duplicates import AUTO_TIERS, Group
from .keeper import Item
from .library import Library
from .trash import (
    ChangedError,
    RestoreResult,
    TrashRecord,
    UndoLog,
    latest_log,
    restore,
    trash_logged,
    verify,
)

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
        if not os.path.lexists(g.keeper.path):
            continue  # the keeper is not on disk right now: keep the whole group
        trash = []
        for it in g.others:
            for path in (it.path, *it.copies):
                if not os.path.lexists(path):
                    continue  # plans never include files that are not on disk right now
                trash.append((path, it.hash))
                sizes[path] = it.size
        if not trash:
            continue
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
    _after_trash(library, plan, report, undo)
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
        rec, failure = trash_logged(path, expected, undo, entry.group_id, entry.keeper.path)
        if rec is None:
            report.skipped.append((path, failure or "not moved"))
        else:
            report.trashed.append(rec)


def _after_trash(library: Library, plan: Plan, report: ResolveReport, undo: UndoLog) -> None:
    if not report.trashed:
        return
    library_ops.forget_paths(library, [r.path for r in report.trashed])
    gone = {r.hash for r in report.trashed}
    for entry in plan.entries:
        removed = sorted({h for _, h in entry.trash if h in gone and h != entry.keeper.hash})
        if removed:
            prior: list = []
            report.tags_merged += library_ops.merge_tags_into_keeper(
                library, removed, entry.keeper.hash, prior)
            if prior:
                undo.tags_merged(entry.keeper.hash, prior)
    library.save_index()


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
    log_.check()  # never act on a file that is not one of our logs
    report = UndoReport(log_.path)
    pending = log_.pending()
    hashes = {r.path: r.hash for r in pending}
    for rec in reversed(pending):  # last trashed first, like any undo
        res = restore(rec)
        log_.restored(res)
        (report.restored if res.ok else report.failed).append(res)
    report.relinked = library_ops.relink(library,
                                         [(r.path, hashes[r.path]) for r in report.restored])
    merges = log_.tag_merges()
    if report.restored and merges:  # the copies are back with their own decisions
        for keeper, prior in merges:
            library_ops.unmerge_tags(library, keeper, prior)
        log_.tags_unmerged()
    return report
