"""dupes: find duplicate groups, resolve them to the OS trash (with undo), remember decisions."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

from . import CliError, open_library
from .output import ProgressBar, json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser(
        "dupes", help="find duplicates (exact, same photo, similar shots) and clean them up",
        description="List duplicate groups per tier, each with a suggested keeper and why. "
                    "Nothing is changed on disk unless you run 'dupes resolve'.")
    p.add_argument("--tier", dest="list_tier", choices=["exact", "same", "similar"],
                   help="only this tier (default: all three)")
    p.add_argument("--folder", dest="list_folder", metavar="P",
                   help="only consider files under this folder")
    p.add_argument("--json", dest="list_json", action="store_true")
    p.set_defaults(func=dupes_list)
    dsub = p.add_subparsers(dest="dupes_cmd", metavar="ACTION")

    r = dsub.add_parser(
        "resolve", help="move non-keepers to the OS trash (preview, confirm, undo log)",
        description="Move every non-keeper of the exact (default) or same-photo tier to the "
                    "OS trash. Shows the plan first; asks before doing anything unless --yes. "
                    "Similar shots are never resolved automatically.")
    r.add_argument("--tier", choices=["exact", "same"], default="exact")
    r.add_argument("--keep", metavar="RULES",
                   help="keeper rules in order, comma-separated: resolution, original, exif, "
                        "size, oldest, folder[:PATH] (default from settings)")
    r.add_argument("--folder", metavar="P", help="only consider files under this folder")
    r.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    r.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    r.add_argument("--json", action="store_true", help="print the plan/result as JSON")
    r.set_defaults(func=dupes_resolve)

    n = dsub.add_parser("not-duplicates", help="remember that these photos are not duplicates",
                        description="Remember that the given photos are not duplicates of "
                                    "each other; later runs respect it. Give one path to mark "
                                    "its identical copies as intentional. --forget undoes it.")
    n.add_argument("paths", nargs="+", metavar="PATH")
    n.add_argument("--forget", action="store_true", help="forget this decision instead")
    n.set_defaults(func=dupes_not_duplicates)

    u = dsub.add_parser("undo", help="restore files trashed by 'dupes resolve'",
                        description="Restore what an undo log lists (default: the newest "
                                    "one with anything left to restore).")
    u.add_argument("--log", metavar="FILE", help="undo log (in the library's undo/ folder)")
    u.add_argument("--json", action="store_true")
    u.set_defaults(func=dupes_undo)


def _close(lib) -> None:
    """Close the catalog only: grouping never changes the index, and resolve/undo save it
    themselves, so rewriting a 100k-photo index file on every run would be wasted I/O."""
    lib.catalog.close()


# -- dupes (list) -----------------------------------------------------------------------------
def _finder(lib, keep: str | None = None):
    from ..core.duplicates import DupeSettings, DuplicateFinder
    from ..core.keeper import RuleError

    settings = DupeSettings.from_settings(lib.settings)
    if keep:
        settings.keep_rules = [r for r in keep.split(",") if r.strip()]
    try:
        return DuplicateFinder(lib, settings, progress=_progress,
                               index_hint="'photosearch index' with a model")
    except RuleError as exc:
        raise CliError(str(exc)) from exc


def _progress(msg: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{msg}...", end="", file=sys.stderr, flush=True)


def _done_progress() -> None:
    if sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def _folder(path: str | None) -> str | None:
    if path is None:
        return None
    full = os.path.abspath(os.path.expanduser(path))
    if not os.path.isdir(full):
        raise CliError(f"{safe(full)} is not a folder")
    return full


def dupes_list(args) -> int:
    lib = open_library(args)
    tiers = (args.list_tier,) if args.list_tier else ("exact", "same", "similar")
    try:
        result = _finder(lib).find(tiers, folder=_folder(args.list_folder))
    finally:
        _done_progress()
        _close(lib)
    if args.list_json:
        print_json(json_safe([g.to_json() for g in result.all()]))
    else:
        for t in tiers:
            _print_tier(t, result.groups[t])
    for n in result.notices:
        print(f"photosearch: note: {n}", file=sys.stderr)
    return 0


TIER_TITLES = {"exact": "Exact duplicates (identical files)",
               "same": "Same photo (re-encoded, resized, converted, cropped or rotated)",
               "similar": "Similar shots (never selected for deletion; review by hand)"}


def _print_tier(tier: str, groups) -> None:
    total = sum(g.reclaimable() for g in groups)
    extra = f", {_size(total)} reclaimable" if tier != "similar" and groups else ""
    print(f"{TIER_TITLES[tier]}: {len(groups)} group{'s' * (len(groups) != 1)}{extra}")
    for n, g in enumerate(groups, 1):
        print(f"  [{tier} {n}] {g.reason}")
        for i, it in enumerate(g.items):
            mark = ("best " if i == 0 else "     ") if tier == "similar" else \
                ("keep " if i == 0 else "copy ")
            print(f"    {mark} {safe(it.path)}  ({_describe(it)})")
            for c in it.copies:
                print(f"           {safe(c)}  (identical file)")
        label = "suggested best" if tier == "similar" else "keeper"
        print(f"    {label}: {g.keeper_reason}")
    print()


def _describe(it) -> str:
    parts = [f"{it.width}x{it.height}" if it.width else "size unknown",
             (it.format or "?").lower(), _size(it.size)]
    if it.has_exif:
        parts.append("EXIF")
    if it.taken_at is not None:
        parts.append(datetime.fromtimestamp(it.taken_at, UTC).strftime("%Y-%m-%d %H:%M:%S"))
    return ", ".join(parts)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


# -- resolve ----------------------------------------------------------------------------------
def dupes_resolve(args) -> int:
    from ..core.dupes_cleanup import plan_groups, resolve

    lib = open_library(args)
    try:
        groups = _finder(lib, args.keep).find((args.tier,), folder=_folder(args.folder))
        _done_progress()
        plan = plan_groups(groups.groups[args.tier])
        if not plan.entries:
            _emit(args, {"plan": plan.to_json(), "done": False},
                  f"no {args.tier} duplicates: nothing to do")
            return 0
        if args.json and args.dry_run:
            print_json(json_safe({"plan": plan.to_json(), "done": False}))
            return 0
        if not args.json:
            _print_plan(plan)
        if args.dry_run:
            print("dry run: nothing was moved. Run without --dry-run to move these files to "
                  "the trash.")
            return 0
        if not args.yes and not _confirm(plan):
            print("cancelled: nothing was moved")
            return 1
        bar = ProgressBar("moving to trash")
        try:
            report = resolve(lib, plan, progress=lambda done, total: bar(
                SimpleNamespace(phase="trash", done=done, total=total, problems=0)))
        finally:
            bar.close()
    finally:
        _done_progress()
        _close(lib)
    _print_report(args, plan, report)
    return 0 if not report.skipped else 1


def _emit(args, data, text: str) -> None:
    if args.json:
        print_json(json_safe(data))
    else:
        print(text)


def _print_plan(plan) -> None:
    print(f"Plan: move {plan.files} file{'s' * (plan.files != 1)} ({_size(plan.bytes)}) "
          f"from {len(plan.entries)} group{'s' * (len(plan.entries) != 1)} to the trash")
    for e in plan.entries:
        print(f"  keep   {safe(e.keeper.path)}  ({e.keeper_reason})")
        for p, _ in e.trash:
            print(f"  trash  {safe(p)}")


def _confirm(plan) -> bool:
    if not sys.stdin.isatty():
        raise CliError("refusing to move files without confirmation: review the plan with "
                       "--dry-run, then pass --yes")
    try:
        answer = input(f"Move {plan.files} files to the trash? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _print_report(args, plan, report) -> None:
    if args.json:
        print_json(json_safe({
            "plan": plan.to_json(), "done": True,
            "trashed": [r.path for r in report.trashed],
            "skipped": [{"path": p, "reason": why} for p, why in report.skipped],
            "bytes": report.bytes, "tags_merged": report.tags_merged,
            "undo_log": str(report.log_path) if report.log_path else None}))
        return
    print(f"moved {len(report.trashed)} files ({_size(report.bytes)}) to the trash")
    for p, why in report.skipped:
        print(f"photosearch: warning: not moved: {safe(p)}: {why}", file=sys.stderr)
    if report.tags_merged:
        print(f"{report.tags_merged} tags/decisions merged into keepers")
    if report.log_path:
        print(f"undo with: photosearch dupes undo --log {safe(str(report.log_path))}")


# -- not-duplicates ---------------------------------------------------------------------------
def dupes_not_duplicates(args) -> int:
    from ..core.duplicates import forget_not_duplicates, mark_not_duplicates

    lib = open_library(args)
    try:
        hashes = []
        for p in args.paths:
            full = os.path.abspath(os.path.expanduser(p))
            h = lib.catalog.hash_of(full)
            if h is None:
                raise CliError(f"{safe(full)} is not in the library (index it first)")
            hashes.append(h)
        if args.forget:
            n = forget_not_duplicates(lib.catalog, hashes)
            print(f"forgot {n} not-duplicates decision{'s' * (n != 1)}")
        else:
            if len(set(hashes)) == 1 and len(args.paths) > 1:
                print("these files are identical copies: their exact-duplicate group will no "
                      "longer be shown")
            n = mark_not_duplicates(lib.catalog, hashes)
            print(f"remembered: {len(set(hashes))} photo{'s' * (len(set(hashes)) != 1)} "
                  f"are not duplicates ({n} pair{'s' * (n != 1)})")
    finally:
        _close(lib)
    return 0


# -- undo -------------------------------------------------------------------------------------
def dupes_undo(args) -> int:
    from ..core.dupes_cleanup import undo
    from ..core.trash import NotAnUndoLog

    lib = open_library(args)
    try:
        if args.log and not os.path.isfile(args.log):
            raise CliError(f"undo log {safe(args.log)} does not exist (logs are in "
                           f"{safe(str(lib.paths.undo_dir))})")
        report = undo(lib, args.log)
    except NotAnUndoLog as exc:
        raise CliError(f"{exc}; the logs are in {safe(str(lib.paths.undo_dir))}") from exc
    finally:
        _close(lib)
    if args.json:
        print_json(json_safe({
            "log": str(report.log_path) if report.log_path else None,
            "restored": [r.path for r in report.restored],
            "failed": [{"path": r.path, "reason": r.reason} for r in report.failed]}))
        return 0 if not report.failed else 1
    if report.log_path is None:
        print("nothing to undo")
        return 0
    print(f"restored {len(report.restored)} files from {safe(str(report.log_path))}")
    for r in report.restored:
        note = f"  ({r.reason})" if r.reason else ""
        print(f"  restored  {safe(r.path)}{note}")
    for r in report.failed:
        print(f"photosearch: warning: could not restore {safe(r.path)}: {r.reason}",
              file=sys.stderr)
    return 0 if not report.failed else 1
