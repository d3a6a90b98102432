"""The only destructive action: move a file to the OS trash (send2trash), with an undo log.

Before a file goes, its content hash is checked against what the user was shown; a file
that changed since grouping is left alone. Each trashed file is recorded as one JSON line
in the library's undo/ folder, with where the trash put it. On Linux (freedesktop trash)
`restore` moves it back and removes the .trashinfo; where the platform trash cannot be
addressed (macOS, Windows), undo says so and the user restores from the system Trash.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from .imaging import hash_file

LOG_VERSION = 1
log = logging.getLogger(__name__)


class ChangedError(Exception):
    """The file is not what was grouped (changed, replaced or gone): not trashed."""


@dataclass
class TrashRecord:
    """One trashed file: enough to put it back."""

    path: str
    hash: str
    size: int
    trashed_to: str | None  # where the trash keeps it; None where unknown (macOS/Windows)
    info_file: str | None  # freedesktop .trashinfo
    at: float
    group: str = ""
    keeper: str = ""
    # sidecars that went with it: [{"path", "trashed_to", "info_file"}] (issue 14)
    sidecars: list[dict] = field(default_factory=list)


@dataclass
class RestoreResult:
    path: str
    ok: bool
    reason: str = ""


def verify(path: str, expected_hash: str) -> int:
    """Size of `path` if its content hash is `expected_hash`; raises ChangedError otherwise."""
    try:
        digest, size = hash_file(path)
    except FileNotFoundError as exc:
        raise ChangedError("file is gone") from exc
    except OSError as exc:
        raise ChangedError(f"cannot read file to check it ({exc.strerror or exc})") from exc
    if digest != expected_hash:
        raise ChangedError("file changed since it was grouped (content differs); "
                           "index the folder again, then review the group again")
    return size


def trash_file(path: str, expected_hash: str, group: str = "", keeper: str = "") -> TrashRecord:
    """Check the content, then send2trash the file; raises ChangedError or OSError."""
    import send2trash

    size = verify(path, expected_hash)
    path = os.path.abspath(path)
    candidates = _predicted_entries(path)
    sidecars = _sidecars_of(path)
    send2trash.send2trash(path)
    trashed_to, info = _locate(path, candidates)
    return TrashRecord(path, expected_hash, size, trashed_to, info, time.time(), group, keeper,
                       [m for m in map(_trash_sidecar, sidecars) if m])


def _sidecars_of(photo: str) -> list[str]:
    """The photo's XMP sidecars that go to the trash with it: NAME.EXT.xmp, and NAME.xmp
    when no other file of that name stem (a RAW+JPEG twin) stays behind to own it. Regular
    files only."""
    from .keywords import sidecars_of

    folder, name = os.path.split(photo)
    stem = os.path.splitext(name)[0]
    out = []
    for side in sidecars_of(photo):
        if not side.endswith(name + ".xmp"):  # NAME.xmp: shared with a same-stem twin?
            try:
                twins = [n for n in os.listdir(folder or ".") if n != name
                         and os.path.splitext(n)[0] == stem and not n.lower().endswith(".xmp")]
            except OSError:
                continue
            if twins:
                continue
        try:
            if stat.S_ISREG(os.lstat(side).st_mode):
                out.append(side)
        except OSError:
            continue
    return out


def _trash_sidecar(side: str) -> dict | None:
    """Send one sidecar to the trash; its record, or None when it could not go (the photo
    is trashed anyway; the sidecar stays beside where it was)."""
    import send2trash

    candidates = _predicted_entries(side)
    try:
        send2trash.send2trash(side)
    except OSError:
        return None
    trashed_to, info = _locate(side, candidates)
    return {"path": side, "trashed_to": trashed_to, "info_file": info}


def trash_logged(path: str, expected_hash: str, undo: UndoLog, group: str = "",
                 keeper: str = "") -> tuple[TrashRecord | None, str | None]:
    """trash_file, recorded in `undo` when it moved; (record, None) or (None, why not)."""
    try:
        rec = trash_file(path, expected_hash, group, keeper)
    except ChangedError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"could not move to trash: {exc.strerror or exc}"
    undo.trashed(rec)
    return rec, None


def restore(rec: TrashRecord) -> RestoreResult:
    """Move a trashed file (and the sidecars that went with it) back to where it was; never
    overwrites anything."""
    if not rec.trashed_to:
        return RestoreResult(rec.path, False, "this platform's trash cannot be restored "
                             "automatically: restore it from the system Trash")
    if not os.path.lexists(rec.trashed_to):
        return RestoreResult(rec.path, False, "no longer in the trash (emptied, or restored "
                             "by hand?)")
    if os.path.lexists(rec.path):
        return RestoreResult(rec.path, False, f"a file now exists at the original path; the "
                             f"trashed copy is still at {rec.trashed_to}")
    try:
        os.makedirs(os.path.dirname(rec.path), exist_ok=True)
        try:
            os.rename(rec.trashed_to, rec.path)
        except OSError:
            shutil.move(rec.trashed_to, rec.path)  # trash on another filesystem
    except OSError as exc:
        return RestoreResult(rec.path, False, f"could not move it back ({exc.strerror or exc}); "
                             f"it is still at {rec.trashed_to}")
    if rec.info_file:
        try:
            os.unlink(rec.info_file)
        except OSError:
            pass
    for side in rec.sidecars:  # its sidecars come back with it (never over a newer one)
        back = restore(TrashRecord(side["path"], "", 0, side.get("trashed_to"),
                                   side.get("info_file"), rec.at))
        if not back.ok:
            log.info("%s: sidecar not restored: %s", side["path"], back.reason)
    try:
        digest, _ = hash_file(rec.path)
    except OSError:
        digest = None
    if digest != rec.hash:
        return RestoreResult(rec.path, True, "restored, but its content differs from what was "
                             "trashed")
    return RestoreResult(rec.path, True)


# -- undo log --------------------------------------------------------------------------------
class NotAnUndoLog(ValueError):
    """A file given as an undo log that `dupes resolve` did not write."""


class UndoLog:
    """An append-only JSON-lines file: a 'begin' line, then one line per trash or restore."""

    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def create(cls, undo_dir: Path, label: str) -> UndoLog:
        undo_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        log = cls(undo_dir / f"{stamp}-{label}.jsonl")
        log._append({"op": "begin", "version": LOG_VERSION, "label": label, "at": time.time()})
        return log

    def trashed(self, rec: TrashRecord) -> None:
        self._append({"op": "trash", **asdict(rec)})

    def restored(self, res: RestoreResult) -> None:
        self._append({"op": "restore", **asdict(res)})

    def tags_merged(self, keeper: str, prior: list) -> None:
        """A keeper got the removed copies' tags; `prior` is what it had (for undo)."""
        self._append({"op": "tags", "keeper": keeper, "prior": prior})

    def tags_unmerged(self) -> None:
        self._append({"op": "tags-undone"})

    def tag_merges(self) -> list[tuple[str, list]]:
        """(keeper, prior) of the merges not undone yet, newest first."""
        out: list[tuple[str, list]] = []
        for e in self.entries():
            if e.get("op") == "tags":
                out.append((e["keeper"], e["prior"]))
            elif e.get("op") == "tags-undone":
                out = []
        return out[::-1]

    def _append(self, entry: dict) -> None:
        # ensure_ascii keeps undecodable path bytes (lone surrogates) reversible.
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def entries(self) -> Iterator[dict]:
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError:  # a torn last line from a crash: skip it
                    continue

    def check(self) -> None:
        """Raise NotAnUndoLog unless this file starts like a log `dupes resolve` wrote."""
        try:
            first = next(self.entries(), None)
        except (UnicodeDecodeError, OSError) as exc:
            raise NotAnUndoLog(f"{self.path} is not an undo log ({exc})") from exc
        if not isinstance(first, dict) or first.get("op") != "begin" or "version" not in first:
            raise NotAnUndoLog(f"{self.path} is not an undo log written by 'dupes resolve' "
                               "(it does not start with a photosearch undo record)")

    def pending(self) -> list[TrashRecord]:
        """Trashed files not yet restored successfully, in trash order."""
        out: dict[str, TrashRecord] = {}
        for e in self.entries():
            if e.get("op") == "trash":
                e.pop("op")
                out[e["path"]] = TrashRecord(**e)
            elif e.get("op") == "restore" and e.get("ok"):
                out.pop(e["path"], None)
        return list(out.values())


def latest_log(undo_dir: Path) -> UndoLog | None:
    """The newest undo log that still has something to restore."""
    if not undo_dir.is_dir():
        return None
    for path in sorted(undo_dir.glob("*.jsonl"), reverse=True):
        log = UndoLog(path)
        if log.pending():
            return log
    return None


# -- where did the trash put it (freedesktop) -------------------------------------------------
def _trash_dirs(path: str) -> list[Path]:
    """Trash folders send2trash may use for `path`: the home trash, then the volume's."""
    if not sys.platform.startswith("linux") and "bsd" not in sys.platform:
        return []
    dirs = [_home_trash()]
    mount = _mount_point(path)
    uid = str(os.getuid())
    dirs += [Path(mount) / ".Trash" / uid, Path(mount) / f".Trash-{uid}"]
    return dirs


def _home_trash() -> Path:
    """The home trash send2trash uses (its pure-Python backend reads XDG_DATA_HOME once,
    at import; use the same value so we look where it wrote)."""
    mod = sys.modules.get("send2trash.plat_other")
    if mod is not None and getattr(mod, "HOMETRASH", None):
        return Path(mod.HOMETRASH)
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return Path(base) / "Trash"


def _mount_point(path: str) -> str:
    p = os.path.realpath(os.path.dirname(path))
    while not os.path.ismount(p):
        p = os.path.dirname(p)
    return p


def _predicted_entries(path: str) -> list[tuple[Path, str]]:
    """(trash dir, name) the freedesktop backend would pick, per candidate trash dir."""
    name = os.path.basename(path)
    base, ext = os.path.splitext(name)
    out = []
    for d in _trash_dirs(path):
        counter, dest = 0, name
        while (d / "files" / dest).exists() or (d / "info" / f"{dest}.trashinfo").exists():
            counter += 1
            dest = f"{base} {counter}{ext}"
        out.append((d, dest))
    return out


def _locate(path: str, predicted: list[tuple[Path, str]]) -> tuple[str | None, str | None]:
    """Find the trashed file: the predicted names first, then a scan of the trash info."""
    for d, name in predicted:
        info = d / "info" / f"{name}.trashinfo"
        if os.path.lexists(d / "files" / name) and _info_path(info, d) == path:
            return str(d / "files" / name), str(info)
    best: tuple[str, str, str] | None = None
    for d in {d for d, _ in predicted}:
        try:
            infos = list((d / "info").iterdir())
        except OSError:
            continue
        for info in infos:
            if info.suffix == ".trashinfo" and _info_path(info, d) == path:
                stamp = _info_date(info)
                files = d / "files" / info.name[:-len(".trashinfo")]
                if os.path.lexists(files) and (best is None or stamp > best[0]):
                    best = (stamp, str(files), str(info))
    return (best[1], best[2]) if best else (None, None)


def _info_fields(info: Path) -> dict[str, str]:
    try:
        text = info.read_text("utf-8", errors="surrogateescape")
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _info_path(info: Path, trash_dir: Path) -> str | None:
    raw = _info_fields(info).get("Path")
    if raw is None:
        return None
    p = unquote(raw, errors="surrogateescape")
    if not os.path.isabs(p):  # relative to the trash's top directory
        top = trash_dir.parent.parent if trash_dir.parent.name == ".Trash" else trash_dir.parent
        p = os.path.join(str(top), p)
    return os.path.normpath(p)


def _info_date(info: Path) -> str:
    return _info_fields(info).get("DeletionDate", "")
