"""The duplicates feature as one object, for the desktop app (and scripts).

Qt-free and blocking: the app runs these calls on a worker thread. Typical flow:
`find()` -> show groups per tier (keeper + reason) -> `preview()` (or `choose()` for a
hand-picked selection, the only way to remove similar shots) -> `resolve()` -> `undo()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .dupes_cleanup import Plan, PlanEntry, ResolveReport, UndoReport, plan_choice, \
    plan_groups, resolve, undo
from .duplicates import TIERS, DupeSettings, DuplicateFinder, Group, Grouping, \
    forget_not_duplicates, mark_not_duplicates
from .trash import UndoLog


@dataclass(frozen=True)
class UndoLogInfo:
    path: Path
    pending: int  # files still in the trash that this log can restore


class Duplicates:
    def __init__(self, library, settings: DupeSettings | None = None):
        self.lib = library
        self.settings = settings or DupeSettings.from_settings(library.settings)

    # -- finding --------------------------------------------------------------------
    def find(self, tiers: Sequence[str] = TIERS, folder: str | None = None,
             progress: Callable[[str], None] | None = None) -> Grouping:
        """Groups per tier, each with .keeper, .keeper_reason, .reason, .auto_select."""
        return DuplicateFinder(self.lib, self.settings, progress).find(tiers, folder)

    # -- planning -------------------------------------------------------------------
    def preview(self, groups: Sequence[Group], keep_rules: Sequence[str] | None = None) -> Plan:
        """What resolving these exact/same groups would do (nothing is touched). With
        `keep_rules`, keepers are re-chosen by those rules first."""
        if keep_rules:
            groups = self._rekeep(groups, keep_rules)
        return plan_groups(groups)

    def choose(self, entries: Sequence[tuple[Group, str, Sequence[str]]]) -> Plan:
        """A plan from the user's own picks: (group, path to keep, paths to remove)."""
        plan = Plan([plan_choice(g, keep, remove) for g, keep, remove in entries])
        for g, _, _ in entries:
            for it in g.items:
                for p in (it.path, *it.copies):
                    plan.sizes[p] = it.size
        return plan

    def _rekeep(self, groups: Sequence[Group], rules: Sequence[str]) -> list[Group]:
        from .keeper import build_rules, choose_keeper

        built = build_rules(rules, self.settings.preferred_folders)
        out = []
        for g in groups:
            keeper, why = choose_keeper(g.items, built)
            rest = sorted((i for i in g.items if i is not keeper), key=lambda i: i.path)
            out.append(replace(g, items=[keeper, *rest], keeper_reason=why))
        return out

    # -- acting ---------------------------------------------------------------------
    def resolve(self, plan: Plan, progress: Callable[[int, int], None] | None = None,
                cancel=None) -> ResolveReport:
        """Trash what the plan lists (re-checking every file first); writes an undo log."""
        return resolve(self.lib, plan, progress=progress, cancel=cancel)

    def undo(self, log: str | Path | None = None) -> UndoReport:
        return undo(self.lib, log)

    def undo_logs(self) -> list[UndoLogInfo]:
        """Undo logs, newest first, with how many files each can still restore."""
        d = self.lib.paths.undo_dir
        paths = sorted(d.glob("*.jsonl"), reverse=True) if d.is_dir() else []
        return [UndoLogInfo(p, len(UndoLog(p).pending())) for p in paths]

    # -- decisions ------------------------------------------------------------------
    def not_duplicates(self, group_or_hashes: Group | Sequence[str]) -> int:
        hashes = group_or_hashes.hashes if isinstance(group_or_hashes, Group) \
            else list(group_or_hashes)
        return mark_not_duplicates(self.lib.catalog, hashes)

    def forget_not_duplicates(self, hashes: Sequence[str]) -> int:
        return forget_not_duplicates(self.lib.catalog, hashes)


__all__ = ["Duplicates", "Group", "Grouping", "Plan", "PlanEntry", "ResolveReport",
           "UndoReport", "UndoLogInfo", "DupeSettings", "TIERS"]
