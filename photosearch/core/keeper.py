"""Which copy of a duplicate group to keep: ordered, configurable rules.

Each rule maps a file to a sort key (smaller is better); the keeper is the file that sorts
first, and the reason shown is the first rule that separates it from the runner-up. Rules
only *suggest*: nothing is trashed without the user confirming the plan.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

DEFAULT_RULES = ("resolution", "original", "exif", "size", "oldest", "folder")

RAW_FORMATS = frozenset({"dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf", "pef", "srw",
                         "raw", "x3f"})
# Higher is more "original": RAW > HEIC > JPEG (what cameras write) > lossless containers
# (PNG/TIFF: usually conversions; a lossless re-encode of a JPEG is no more original than
# the JPEG) > web formats. Camera metadata and file age come first; see choose_keeper.
FORMAT_RANK = {**{f: 5 for f in RAW_FORMATS}, "heif": 4, "heic": 4, "jpeg": 3, "jpg": 3,
               "mpo": 3, "png": 2, "tiff": 2, "tif": 2, "bmp": 2, "jpeg2000": 2,
               "webp": 1, "avif": 1, "gif": 0}


@dataclass(frozen=True)
class Item:
    """One file in a duplicate group, with the metadata of its photo."""

    path: str
    hash: str
    size: int
    mtime_ns: int
    width: int | None = None
    height: int | None = None
    format: str | None = None
    taken_at: float | None = None
    has_exif: bool = False
    copies: tuple[str, ...] = ()  # other paths of the same photo (identical bytes)
    camera: str | None = None  # camera make/model from EXIF: written by a camera

    @property
    def is_raw(self) -> bool:
        return _fmt(self) in RAW_FORMATS

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)

    def to_json(self) -> dict:
        return {"path": self.path, "hash": self.hash, "size": self.size,
                "width": self.width, "height": self.height, "format": self.format,
                "taken_at": self.taken_at, "has_exif": self.has_exif,
                "copies": list(self.copies), "camera": self.camera}


class RuleError(ValueError):
    """A keeper rule list the user has to fix."""


@dataclass(frozen=True)
class Rule:
    name: str
    key: Callable[[Item], object]
    explain: Callable[[Item, Item], str]


def _under(path: str, folders: Sequence[str]) -> int:
    """Index of the first preferred folder containing `path` (len(folders) when none)."""
    for i, f in enumerate(folders):
        base = os.path.abspath(os.path.expanduser(f)).rstrip(os.sep) + os.sep
        if path.startswith(base):
            return i
    return len(folders)


def _fmt(item: Item) -> str:
    return (item.format or "unknown").lower()


def _res(item: Item) -> str:
    return f"{item.width}x{item.height}" if item.width else "unknown size"


def build_rules(names: Sequence[str], preferred_folders: Sequence[str] = ()) -> list[Rule]:
    """Rules from names: resolution, original, exif, size, oldest, folder[:PATH]."""
    rules: list[Rule] = []
    for raw in names:
        name, _, arg = raw.strip().partition(":")
        name = name.lower()
        if name == "resolution":
            rules.append(Rule(name, lambda it: -it.pixels,
                              lambda k, o: f"highest resolution ({_res(k)} vs {_res(o)})"))
        elif name == "original":
            rules.append(Rule(name, lambda it: -FORMAT_RANK.get(_fmt(it), 1),
                              lambda k, o: f"original format ({_fmt(k)} over {_fmt(o)})"))
        elif name == "exif":
            rules.append(Rule(name, lambda it: not it.has_exif,
                              lambda k, o: "has EXIF metadata (the other copy lost it)"))
        elif name == "size":
            rules.append(Rule(name, lambda it: -it.size,
                              lambda k, o: f"largest file ({k.size:,} vs {o.size:,} bytes)"))
        elif name == "oldest":
            rules.append(Rule(name, lambda it: it.taken_at if it.taken_at is not None
                              else float("inf"), lambda k, o: "oldest capture time"))
        elif name == "folder":
            folders = [arg] if arg else list(preferred_folders)
            rules.append(Rule(name, _in_folders(folders), lambda k, o: "in a preferred folder"))
        elif name:
            raise RuleError(f"unknown keeper rule {raw!r}; use some of: "
                            "resolution, original, exif, size, oldest, folder[:PATH]")
    return rules


# Names that file managers, browsers and chat apps give to second copies. Camera numbering
# (IMG_0002, DSC-0042) is deliberately not matched.
_COPY_NAME = re.compile(
    r"(?i)(^copy of |^copy \(\d+\) of |[ _-]copy( \d+)?$"
    r"| - kopie$|[ _-]copie$| - copia$| \(\d+\)$)")


def looks_like_copy(path: str) -> bool:
    """Whether a file's name marks it as a copy ("copy of x.jpg", "x (1).jpg", "x - Copy.jpg")."""
    return bool(_COPY_NAME.search(os.path.splitext(os.path.basename(path))[0]))


def _tiebreak(item: Item) -> tuple:
    # Identical files tie on every rule: keep an original-looking name over a "copy of" one,
    # then the oldest file, then the shortest path.
    return (looks_like_copy(item.path), item.mtime_ns, len(item.path), item.path)


def camera_originals(items: Sequence[Item]) -> tuple[list[Item], str | None]:
    """The candidates the `original` rule allows to be kept, and why the rest are not.

    A conversion never beats its original: RAW files win over everything; otherwise files
    with camera metadata (EXIF make/model) win over files without it (PNG/TIFF/WebP exports,
    edits, messenger copies); with neither, a group in several formats keeps to the format
    of its oldest file (the newer ones were derived from it)."""
    raw = [it for it in items if it.is_raw]
    if raw and len(raw) < len(items):
        return raw, f"RAW original ({_fmt(raw[0])} over {_others_formats(items, raw)})"
    camera = [it for it in items if it.camera]
    if camera and len(camera) < len(items):
        return camera, (f"camera original ({_fmt(camera[0])} with {camera[0].camera} EXIF; "
                        f"the {_others_formats(items, camera)} copy has no camera metadata, "
                        "a conversion or export)")
    formats = {_fmt(it) for it in items}
    if len(formats) > 1:
        first = min(it.mtime_ns for it in items)
        first_formats = {_fmt(it) for it in items if it.mtime_ns == first}
        if len(first_formats) == 1:
            fmt = first_formats.pop()
            oldest = [it for it in items if _fmt(it) == fmt]
            return oldest, (f"oldest file ({fmt}; the newer {_others_formats(items, oldest)} "
                            "copy was converted from it)")
    return list(items), None


def _others_formats(items: Sequence[Item], chosen: Sequence[Item]) -> str:
    ids = {id(c) for c in chosen}
    return "/".join(sorted({_fmt(it) for it in items if id(it) not in ids}))


def choose_keeper(items: Sequence[Item], rules: Sequence[Rule]) -> tuple[Item, str]:
    """(keeper, why) for a group of at least two files."""
    pool, pool_why = (camera_originals(items) if any(r.name == "original" for r in rules)
                      else (list(items), None))
    ranked = sorted(pool, key=lambda it: (tuple(r.key(it) for r in rules), _tiebreak(it)))
    keeper = ranked[0]
    if pool_why is not None and len(ranked) == 1:
        return keeper, pool_why
    runner_up = ranked[1]
    prefix = f"{pool_why}; then " if pool_why else ""
    for rule in rules:
        if rule.key(keeper) != rule.key(runner_up):
            return keeper, prefix + rule.explain(keeper, runner_up)
    what = "identical copies" if keeper.hash == runner_up.hash else "no rule separates them"
    if looks_like_copy(runner_up.path) and not looks_like_copy(keeper.path):
        return keeper, f"{prefix}{what}: kept the original name (the other is named like a copy)"
    return keeper, f"{prefix}{what}: kept the oldest file (then shortest path)"


def _in_folders(folders: list[str]) -> Callable[[Item], int]:
    """A rule key: the rank of the first of `folders` holding the item (lower wins)."""
    return lambda it: _under(it.path, folders)
