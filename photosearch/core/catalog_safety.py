"""Catalog safety: refuse what is not a catalog, detect damage, keep rotating backups.

The catalog holds what cannot be recomputed from the photos: folders, labels, review
decisions, "not duplicates" choices. So:

- a 0-byte or foreign file where the catalog should be is refused, never treated as a new,
  empty library (that silently lost every folder and label);
- `PRAGMA quick_check` runs when a process first opens a catalog whose file changed since
  the last passing check (see quick_check_once); `photosearch check` runs the full
  `integrity_check`;
- backups are made with SQLite's online backup API (consistent even while the app runs)
  into `backups/` beside the catalog: one a day when the catalog is opened for writing and
  one before each schema migration, keeping the newest few of each kind;
- damage is reported in one line that says what happened and the exact command that
  restores the newest good backup (`photosearch restore-backup`); restoring moves the
  damaged file aside (never deletes it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
BACKUP_DIR = "backups"
KEEP = {"daily": 7, "pre-migration": 3}
DAILY_S = 24 * 3600.0

_checked: set[str] = set()  # catalogs (path + inode) quick-checked by this process
_lock = threading.Lock()


class CatalogDamaged(Exception):
    """The catalog is damaged or is not a catalog; str() is the one-line advice (with the
    command line way back), `reason` what is wrong (for the app's own wording)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


def damaged(catalog_path: Path, what: str) -> CatalogDamaged:
    """The error for a damaged catalog: `damaged_message` as text, `what` as its reason."""
    return CatalogDamaged(damaged_message(catalog_path, what), reason=what)


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # daily | pre-migration | manual
    at: float  # epoch seconds (file mtime)


def backup_dir(catalog_path: Path) -> Path:
    return Path(catalog_path).parent / BACKUP_DIR


def restore_command(catalog_path: Path) -> str:
    return f"photosearch --library {shlex.quote(str(Path(catalog_path).parent))} restore-backup"


def damaged_message(catalog_path: Path, what: str) -> str:
    """One line: what happened, that photos are safe, and the exact way back."""
    good = newest_backup(catalog_path)
    if good is not None:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(good.at))
        advice = (f"restore the newest backup ({when}) with: {restore_command(catalog_path)}")
    else:
        advice = ("there is no backup; move the file aside and run 'photosearch index' to "
                  "rebuild the catalog from the photos (labels and review decisions are lost)")
    return f"the catalog {catalog_path} {what}; your photos are untouched; {advice}"


# -- checks -------------------------------------------------------------------------------
def check_file(path: Path) -> None:
    """Refuse a 0-byte or foreign file where the catalog should be (a missing file is fine:
    that is a new library). Raises CatalogDamaged."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise damaged(path, "is a folder, not a catalog file") from None
    if not head:
        raise damaged(path, "is empty (0 bytes: a failed copy or a full disk?) and was "
                            "not opened")
    if head != SQLITE_HEADER:
        raise damaged(path, "is not a photosearch catalog (not an SQLite database) and "
                            "was not opened")


def quick_check_once(conn: sqlite3.Connection, path: Path) -> None:
    """PRAGMA quick_check the first time this process opens `path`, unless the file is
    unchanged (inode, size, mtime) since a check passed; raises CatalogDamaged.

    quick_check reads every page (about 1 s per 100k photos, see docs/benchmarks.md), too
    slow for every `photosearch search`. The main file only changes when SQLite writes to
    it (a checkpoint), and damage from outside (a bad copy, garbage pages, truncation)
    changes its size or mtime, so an unchanged file is not checked again. Silent bit rot
    is what `photosearch check` is for."""
    key = _identity(path)
    with _lock:
        if key in _checked:
            return
    stamp = _file_stamp(path)
    if stamp is not None and stamp == _read_stamp(path):
        with _lock:
            _checked.add(key)
        return
    problems = run_check(conn, full=False)
    if problems:
        raise damaged(path, f"is damaged ({problems[0]})")
    with _lock:
        _checked.add(key)
    if stamp is not None:
        _write_stamp(path, stamp)


def _stamp_path(path: Path) -> Path:
    return Path(path).with_name(f".{Path(path).name}.checked")


def _file_stamp(path: Path) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _read_stamp(path: Path) -> str | None:
    try:
        return _stamp_path(path).read_text("ascii").strip()
    except (OSError, ValueError):
        return None


def _write_stamp(path: Path, stamp: str) -> None:
    try:
        tmp = _stamp_path(path).with_suffix(".tmp")
        tmp.write_text(stamp, "ascii")
        os.replace(tmp, _stamp_path(path))
    except OSError:
        pass  # a read-only library is checked on each open instead


def _identity(path: Path) -> str:
    """realpath + inode: a restored or replaced catalog is checked again."""
    real = os.path.realpath(path)
    try:
        return f"{real}:{os.stat(real).st_ino}"
    except OSError:
        return real


def run_check(conn: sqlite3.Connection, full: bool = True) -> list[str]:
    """Problems found by integrity_check (full) or quick_check; [] when the catalog is ok."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def is_damage(exc: BaseException) -> bool:
    """An SQLite error that means a damaged file (not a busy or missing one)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc).lower()
    return any(s in text for s in ("malformed", "not a database", "corrupt", "disk image"))


# -- backups ------------------------------------------------------------------------------
def backups(catalog_path: Path) -> list[Backup]:
    """Backups of this catalog, newest first."""
    out = []
    d = backup_dir(catalog_path)
    try:
        entries = list(os.scandir(d))
    except OSError:
        return []
    for e in entries:
        name = e.name
        if not (name.startswith("catalog-") and name.endswith(".db")):
            continue
        kind = name[len("catalog-"):-3].split("_", 1)[0]
        try:
            out.append(Backup(Path(e.path), kind, e.stat().st_mtime))
        except OSError:
            continue
    return sorted(out, key=lambda b: (b.at, b.path.name), reverse=True)


def newest_backup(catalog_path: Path) -> Backup | None:
    found = backups(catalog_path)
    return found[0] if found else None


def make_backup(conn: sqlite3.Connection, catalog_path: Path, kind: str) -> Path:
    """Copy the open catalog with the SQLite backup API into backups/, then rotate."""
    d = backup_dir(catalog_path)
    d.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    final = d / f"catalog-{kind}_{stamp}_{time.time_ns() % 10**9:09d}_{os.getpid()}.db"
    tmp = final.with_suffix(".tmp")
    dst = sqlite3.connect(tmp)
    try:
        conn.backup(dst)
    finally:
        dst.close()
    os.replace(tmp, final)
    _rotate(catalog_path, kind)
    return final


def maybe_daily_backup(conn: sqlite3.Connection, catalog_path: Path) -> Path | None:
    """A daily backup when the newest one is older than a day (or none exists)."""
    newest = next((b for b in backups(catalog_path) if b.kind == "daily"), None)
    if newest is not None and time.time() - newest.at < DAILY_S:
        return None
    return make_backup(conn, catalog_path, "daily")


def _rotate(catalog_path: Path, kind: str) -> None:
    keep = KEEP.get(kind, 3)
    for old in [b for b in backups(catalog_path) if b.kind == kind][keep:]:
        try:
            old.path.unlink()
        except OSError:
            pass


def restore(catalog_path: Path, source: Path | None = None) -> tuple[Backup, Path | None]:
    """Put the newest backup that passes integrity_check (or `source`) in place of the
    catalog. The current file (damaged or not) is moved aside, never deleted.
    Returns (backup used, where the old catalog went). Raises CatalogDamaged."""
    catalog_path = Path(catalog_path)
    candidates = [Backup(Path(source), "manual", os.stat(source).st_mtime)] if source \
        else backups(catalog_path)
    if not candidates:
        raise CatalogDamaged(f"no backups of {catalog_path} in {backup_dir(catalog_path)}")
    chosen = None
    for b in candidates:
        if _backup_ok(b.path):
            chosen = b
            break
    if chosen is None:
        raise CatalogDamaged(f"none of the {len(candidates)} backups in "
                             f"{backup_dir(catalog_path)} passes an integrity check")
    # Order matters for a crash at any point: the backup is copied beside the catalog
    # first, the current file is kept by a second name (hard link or copy), and only then is
    # the copy renamed over the catalog, atomically. There is never a moment without one.
    stamp = time.strftime("%Y%m%d-%H%M%S")
    tmp = catalog_path.with_name(catalog_path.name + ".restoring")
    src = sqlite3.connect(f"file:{chosen.path}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    aside = None
    if catalog_path.exists():
        aside = catalog_path.with_name(f"{catalog_path.name}.damaged-{stamp}")
        try:
            os.link(catalog_path, aside)
        except OSError:
            shutil.copy2(catalog_path, aside)
    for suffix in ("-wal", "-shm"):
        side = catalog_path.with_name(catalog_path.name + suffix)
        if side.exists():  # belongs to the file kept aside; never replay it on the backup
            os.replace(side, catalog_path.with_name(f"{catalog_path.name}.damaged-{stamp}"
                                                    f"{suffix}"))
    os.replace(tmp, catalog_path)
    with _lock:
        _checked.discard(_identity(catalog_path))
    return chosen, aside


def _backup_ok(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return run_check(conn, full=True) == []
        finally:
            conn.close()
    except (OSError, sqlite3.DatabaseError):
        return False


def check_catalog(catalog_path: Path) -> list[str]:
    """Full integrity check of a catalog file without opening it as a library (so it also
    works on a damaged one). [] when it is fine; raises CatalogDamaged when it is no catalog."""
    catalog_path = Path(catalog_path)
    if not catalog_path.exists():
        raise CatalogDamaged(f"there is no catalog at {catalog_path} (a new library?)")
    check_file(catalog_path)
    try:
        conn = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    try:
        return run_check(conn, full=True)
    finally:
        conn.close()
