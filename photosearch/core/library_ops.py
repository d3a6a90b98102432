"""The use-case layer: the only code that changes what a library contains.

Adding or removing a folder, excluding a sub-folder or name pattern, forgetting vanished
paths, relinking restored files, merging a removed copy's tags into its keeper and purging
deleted photos all have to keep three things in step: the catalog (source of truth), the
vector index derived from it, and the saved settings. Each operation here does all three,
so the desktop app, the CLI and the pipeline (indexer, watcher) cannot disagree about what
"remove a folder" means. None of them touches a file on disk.

The pipeline (indexer, watcher) calls `forget_paths`; nothing here imports the pipeline.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import tagging_store
from .config import Settings
from .library import Library
from .reconcile import excluded
from .scanner import Excluder

log = logging.getLogger(__name__)

DAY = 86400.0


class LibraryOpError(Exception):
    """A library change the user asked for cannot be done; the message says why."""


# -- folders ---------------------------------------------------------------------------------
def normalise_folder(path: str) -> str:
    """The absolute form a folder is stored under."""
    return os.path.abspath(os.path.expanduser(path))


def add_folders(lib: Library, paths: Iterable[str]) -> list[str]:
    """Register folders (indexing them is the caller's next step); returns them absolute.
    Raises LibraryOpError, changing nothing, when one is not a folder."""
    full = [normalise_folder(p) for p in paths]
    for p in full:
        if not os.path.isdir(p):
            raise LibraryOpError(f"{p} is not a folder")
    for p in full:
        lib.catalog.add_folder(p)
    return full


def remove_folder(lib: Library, path: str) -> int:
    """Stop managing a folder: its files leave the catalog and the index at once (their
    embeddings stay for the grace period, so re-adding it is free). Returns files dropped."""
    full = normalise_folder(path)
    if full not in {p for _, p in lib.catalog.folders()}:
        raise LibraryOpError(f"{full} is not a library folder (see 'photosearch folders list')")
    n = lib.catalog.remove_folder(full)
    _sync_index(lib)
    return n


# -- exclusions ------------------------------------------------------------------------------
def normalise_exclusion(item: str) -> str:
    """A folder (anything with a path separator) becomes absolute; name patterns stay."""
    if os.sep in item or item.startswith("~"):
        return normalise_folder(item)
    return item


@dataclass
class ExcludeReport:
    added: list[str]
    already: list[str]
    forgotten: int  # cataloged files that the new exclusions took out of the library


def exclude(lib: Library, items: Iterable[str]) -> ExcludeReport:
    """Never index these sub-folders or name patterns again (saved in the library's
    settings), and forget the files already cataloged under them. Files stay on disk."""
    wanted = [normalise_exclusion(i) for i in items]
    saved = _saved_settings(lib)
    added = [i for i in dict.fromkeys(wanted) if i not in saved.exclude]
    already = [i for i in wanted if i in saved.exclude]
    if added:
        saved.exclude.extend(added)
        saved.save(lib.paths.settings)
        lib.settings.exclude.extend(i for i in added if i not in lib.settings.exclude)
    forgotten = forget_paths(lib, _excluded_files(lib, added)) if added else 0
    return ExcludeReport(added, already, forgotten)


def unexclude(lib: Library, items: Iterable[str]) -> list[str]:
    """Index these again from the next run on; raises LibraryOpError, changing nothing,
    for an item that is not excluded."""
    wanted = [normalise_exclusion(i) for i in items]
    saved = _saved_settings(lib)
    for item in wanted:
        if item not in saved.exclude:
            raise LibraryOpError(f"{item} is not excluded (see 'photosearch exclude list')")
    for item in dict.fromkeys(wanted):
        saved.exclude.remove(item)
        if item in lib.settings.exclude:
            lib.settings.exclude.remove(item)
    saved.save(lib.paths.settings)
    return wanted


def _saved_settings(lib: Library) -> Settings:
    """What is on disk: per-run overrides (--model...) in `lib.settings` are never saved."""
    return Settings.load(lib.paths.settings)


def _excluded_files(lib: Library, items: list[str]) -> list[str]:
    excluder = Excluder(items)
    out = []
    for _, root in lib.catalog.folders():
        out += [p for p in lib.catalog.file_states(under=root) if excluded(root, p, excluder)]
    return out


# -- files that went away, or came back ------------------------------------------------------
def forget_paths(lib: Library, paths: Iterable[str]) -> int:
    """Drop vanished (or excluded) paths; photos left with no file leave the index at once
    but keep their embedding for the grace period (a move back, or an undo, is then free).
    Returns how many file rows were dropped."""
    paths = list(paths)
    if not paths:
        return 0
    cat = lib.catalog
    hashes = {k.hash for k in cat.file_states_for(paths).values()}
    with cat.transaction():
        n = cat.delete_files(paths)
        cat.clear_problems(paths)
    drop_orphans(lib, hashes)
    return n


def drop_orphans(lib: Library, hashes: Iterable[str]) -> None:
    """Photos among `hashes` left with no file leave the index; their grace period starts."""
    hashes = list(hashes)
    cat = lib.catalog
    still_filed = cat.paths_of(hashes)
    orphans = [h for h in hashes if h not in still_filed]
    if not orphans:
        return
    with cat.transaction():
        cat.mark_orphans(orphans)  # see Catalog.purge_orphans
    ids = cat.embedding_ids_for(lib.model_id, orphans)
    if ids and lib.embedding_dim() is not None:
        lib.index().remove(ids.values())


def relink(lib: Library, files: Sequence[tuple[str, str]]) -> int:
    """Point restored paths, (path, content hash), at their still-cataloged photos without
    decoding them, and put their embeddings back in the index. Paths whose photo was purged
    meanwhile are left for the next 'photosearch index'. Returns how many were relinked."""
    cat = lib.catalog
    rows = []
    for path, h in files:
        if not os.path.exists(path) or not cat.known_hashes([h]):
            continue
        st = os.stat(path)
        rows.append((path, h, cat.folder_id_of(path), st.st_size, st.st_mtime_ns))
    if not rows:
        return 0
    with cat.transaction():
        cat.link_files(rows)
    if lib.embedding_dim() is not None:
        ids = cat.embedding_ids_for(lib.model_id, [r[1] for r in rows])
        if ids:
            order = list(ids.values())
            got: dict[int, np.ndarray] = {}
            for chunk_ids, vecs in cat.iter_embeddings(lib.model_id, order):
                got.update(zip(chunk_ids.tolist(), vecs))
            lib.index().add(np.array(order), np.stack([got[i] for i in order]))
            lib.save_index()
    return len(rows)


def merge_tags_into_keeper(lib: Library, removed: Sequence[str], keeper: str) -> int:
    """Give the keeper of a duplicate group the tags and review decisions of the copies
    that were removed; returns rows changed (see tagging_store.merge_photo_tags)."""
    return tagging_store.merge_photo_tags(lib.catalog, removed, keeper)


# -- housekeeping ----------------------------------------------------------------------------
@dataclass
class PurgeReport:
    photos: int  # deleted photos whose embeddings were dropped
    embeddings: int
    in_grace: int  # deleted photos still kept for their grace period
    grace_days: float


def purge(lib: Library, older_than_days: float | None = None) -> PurgeReport:
    """Drop embeddings of photos deleted longer ago than the grace period (default: the
    library's orphan_grace_days)."""
    days = lib.settings.orphan_grace_days if older_than_days is None else older_than_days
    if not days >= 0:  # also refuses nan
        raise LibraryOpError(f"the grace period must be 0 or more days (got {days})")
    photos, embeddings = lib.catalog.purge_orphans(time.time() - days * DAY)
    if embeddings:
        log.info("purged %d deleted photos (%d embeddings)", photos, embeddings)
    return PurgeReport(photos, embeddings, lib.catalog.orphan_count(), days)


def _sync_index(lib: Library) -> None:
    """After files left the catalog: the loaded index drops what no longer has a file."""
    if lib.embedding_dim() is None:
        return
    if lib.index_loaded:
        lib.reconcile_index()
    else:
        lib.index()  # opening it reconciles it with the catalog
    lib.save_index()
