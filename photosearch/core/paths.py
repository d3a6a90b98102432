"""Every on-disk location the app uses, in one place.

All state lives under one *library directory* (catalog, index, settings, undo logs) so a
library can be backed up, moved or deleted as a unit. Caches (thumbnails, model weights)
and logs go to the platform's cache/log dirs because they can be regenerated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "photosearch"
LIBRARY_ENV = "PHOTOSEARCH_LIBRARY"
CACHE_ENV = "PHOTOSEARCH_CACHE"


@dataclass(frozen=True)
class LibraryPaths:
    """Resolved locations for one library."""

    root: Path
    cache: Path

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def index_dir(self) -> Path:
        return self.root / "index"

    @property
    def undo_dir(self) -> Path:
        return self.root / "undo"

    @property
    def lock(self) -> Path:
        return self.root / "writer.lock"

    @property
    def thumbnails(self) -> Path:
        return self.cache / "thumbnails"

    @property
    def models(self) -> Path:
        return models_cache_dir()

    def ensure(self) -> LibraryPaths:
        for d in (self.root, self.index_dir, self.undo_dir, self.thumbnails):
            if d != self.root and (d.is_symlink() or d.exists()) and not d.is_dir():
                _move_aside(d)  # e.g. `index` as a regular file: derived data, repaired
            d.mkdir(parents=True, exist_ok=True)
        return self


def _move_aside(path: Path) -> None:
    """A file where one of the library's folders belongs: keep it (renamed), say so, and
    let the folder be created; its contents are rebuilt from the catalog."""
    import logging
    import time

    aside = path.with_name(f"{path.name}.not-a-folder-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, aside)
    logging.getLogger(__name__).warning(
        "%s was a file, not a folder; moved it to %s and rebuilt the folder", path, aside)


def default_library_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def models_cache_dir() -> Path:
    """Model weights are shared by all libraries of a user: they are large and immutable."""
    base = os.environ.get(CACHE_ENV)
    root = Path(base) if base else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    return root / "models"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def resolve_library(arg: str | os.PathLike | None = None) -> LibraryPaths:
    """Library from the --library argument, else $PHOTOSEARCH_LIBRARY, else the platform default."""
    raw = arg or os.environ.get(LIBRARY_ENV)
    root = Path(raw).expanduser().resolve() if raw else default_library_dir()
    cache_env = os.environ.get(CACHE_ENV)
    if cache_env:
        cache = Path(cache_env) / "libraries" / _slug(root)
    elif raw:
        # An explicit library keeps its caches beside it so tests and portable libraries
        # never write into the user's real cache dir.
        cache = root / "cache"
    else:
        cache = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "library"
    return LibraryPaths(root=root, cache=cache)


def _slug(path: Path) -> str:
    import hashlib

    return hashlib.blake2b(str(path).encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


# --- paths in the catalog ---------------------------------------------------------------
# POSIX filenames are bytes; Python represents undecodable bytes as lone surrogates
# (U+DC80..U+DCFF), which SQLite's UTF-8 TEXT cannot hold. We map them to plane-16
# private-use code points (U+10FF80..U+10FFFF), which are valid UTF-8 and never occur in
# real filenames, so the mapping is reversible and keeps paths sortable/prefix-searchable.
_TO_DB = {0xDC00 + b: 0x10FF00 + b for b in range(0x80, 0x100)}
_FROM_DB = {v: k for k, v in _TO_DB.items()}


def is_under(path: str, folder: str) -> bool:
    """Whether `path` lies strictly inside `folder` (plain string test, no disk access)."""
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def prefix_range(folder: str) -> tuple[str, str]:
    """Half-open [lo, hi) range of catalog paths strictly under `folder`: lets SQLite answer
    'everything under this folder' from the path index. Uses the platform separator."""
    base = to_db_path(folder).rstrip(os.sep) + os.sep
    return base, base[:-1] + chr(ord(os.sep) + 1)


def to_db_path(path: str | os.PathLike) -> str:
    return os.fspath(path).translate(_TO_DB)


def from_db_path(text: str) -> str:
    return text.translate(_FROM_DB)


def display_path(path: str) -> str:
    """A printable form of a path (undecodable bytes shown as \\xNN)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
