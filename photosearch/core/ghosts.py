"""Moved roots: files of an offline folder whose photos are on disk elsewhere now.

Renaming a photo folder on disk and adding the new path leaves the old folder offline with
every file still in the catalog ("ghosts"): status counted each photo twice, search
returned paths that no longer exist and every photo formed a fake duplicate group with
itself. A photo is its content hash, so once the same content is found under an online
folder its labels, reviews and embedding already belong to the new path; the ghost rows
only have to go. Ghosts whose content is nowhere else stay: that folder may be a drive
that is simply unplugged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .catalog import Catalog
from .paths import is_under


def relinked_ghosts(catalog: Catalog, offline_roots: Sequence[str]) -> dict[str, list[str]]:
    """Files under `offline_roots` whose content has a file on disk now under an online
    folder: offline root -> those paths. Read-only; the caller forgets them through
    library_ops.forget_paths (photos, labels and reviews stay: they belong to the hash)."""
    out: dict[str, list[str]] = {}
    offline = [r for r in offline_roots if not os.path.isdir(r) or _empty(r)]
    for root in offline:
        ghosts = catalog.file_states(under=root)
        if not ghosts:
            continue
        elsewhere = catalog.paths_of(sorted({g.hash for g in ghosts.values()}))
        drop = [p for p, g in ghosts.items()
                if any(_online(q, offline) for q in elsewhere.get(g.hash, ()) if q != p)]
        if drop:
            out[root] = drop
    return out


def _online(path: str, offline: Sequence[str]) -> bool:
    return not any(is_under(path, r) for r in offline) and os.path.exists(path)


def _empty(path: str) -> bool:
    try:
        with os.scandir(path) as it:
            return next(it, None) is None
    except OSError:
        return True
