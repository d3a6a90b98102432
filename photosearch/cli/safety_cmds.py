"""check, restore-backup: catalog integrity and recovery (see core/catalog_safety.py)."""

from __future__ import annotations

import time

from . import CliError


def register(sub) -> None:
    p = sub.add_parser("check", help="full integrity check of the library's catalog",
                       description="Run SQLite's integrity_check on the catalog. Exit 0 when "
                                   "it is fine, 1 (with the restore command) when not.")
    p.set_defaults(func=check)
    r = sub.add_parser("restore-backup",
                       help="replace the catalog with its newest good backup",
                       description="Put the newest backup that passes an integrity check in "
                                   "place of the catalog (backups are made daily and before "
                                   "each upgrade, in the library's backups/ folder). The "
                                   "current catalog is moved aside, not deleted.")
    r.add_argument("--from", dest="source", metavar="FILE",
                   help="restore this backup file instead of the newest good one")
    r.add_argument("--list", action="store_true", help="list the backups and stop")
    r.set_defaults(func=restore_backup)


def _paths(args):
    from ..core.paths import resolve_library

    return resolve_library(args.library)


def check(args) -> int:
    from ..core import catalog_safety as safety

    catalog = _paths(args).catalog
    problems = safety.check_catalog(catalog)
    if problems:
        raise CliError(safety.damaged_message(
            catalog, f"fails the integrity check ({len(problems)} problem"
                     f"{'s' * (len(problems) != 1)}, first: {problems[0]})"))
    print(f"catalog ok: {catalog}")
    return 0


def restore_backup(args) -> int:
    from ..core import catalog_safety as safety
    from ..core.single_instance import WriterLock

    paths = _paths(args)
    if args.list:
        found = safety.backups(paths.catalog)
        if not found:
            print(f"no backups in {safety.backup_dir(paths.catalog)}")
        for b in found:
            print(f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(b.at))}  {b.kind:14}  "
                  f"{b.path}")
        return 0
    writer = WriterLock(paths, "photosearch restore-backup").acquire()
    try:
        chosen, aside = safety.restore(paths.catalog, args.source)
    except safety.CatalogDamaged as exc:
        raise CliError(str(exc)) from exc
    finally:
        writer.release()
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(chosen.at))
    print(f"restored the catalog from {chosen.path} ({when})")
    if aside is not None:
        print(f"the previous catalog was kept as {aside}")
    print("run 'photosearch index' to catch up with changes made since the backup")
    return 0
