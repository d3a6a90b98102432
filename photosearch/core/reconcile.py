"""Turning a batch of changed paths into catalog work: re-point moves, index, forget.

The watcher only says *where* something changed; this module looks at the disk and the
catalog to decide *what* changed. Order matters for "never lose work": moves are
re-pointed first (a row update, nothing is read), then new and changed files are indexed
(a file whose size matches a known photo is hashed before it is decoded, so a move across
roots or a restore links the old embedding), and only then are vanished paths forgotten,
and only those still missing under a root that is still online.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from .catalog import Catalog
from .imaging import is_image_name
from .scanner import DiskFile, Excluder, walk


@dataclass
class Roots:
    """The library's folders (path -> folder id) with which of them are online."""

    ids: dict[str, int]
    online: set[str] = field(default_factory=set)

    def root_of(self, path: str) -> str | None:
        """The innermost registered folder containing `path` (or being it)."""
        best = None
        for root in self.ids:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                if best is None or len(root) > len(best):
                    best = root
        return best


def excluded(root: str, path: str, excluder: Excluder) -> bool:
    """Whether `path` (under `root`) is excluded: name patterns apply to the components
    below the root only, so a root inside a hidden folder still works."""
    rel = path[len(root):].lstrip(os.sep)
    if any(excluder.name_excluded(part) for part in rel.split(os.sep) if part):
        return True
    return any(path == f or path.startswith(f + os.sep) for f in excluder.folders)


def root_identity(root: str, catalog: Catalog) -> tuple[int, int] | None:
    """(device, inode) of an online root; None when it is missing or is the bare, empty
    mount point of an unmounted drive that the catalog knows photos under."""
    try:
        st = os.stat(root)
    except OSError:
        return None
    if not os.path.isdir(root):
        return None
    try:
        with os.scandir(root) as it:
            empty = next(it, None) is None
    except OSError:
        return None
    if empty and catalog.has_files_under(root):
        return None
    return st.st_dev, st.st_ino


def apply_moves(catalog: Catalog, moves: Iterable[tuple[str, str, bool]], roots: Roots,
                excluder: Excluder) -> list[tuple[str, str]]:
    """Re-point catalog rows for moves the OS reported (src, dst, is_dir), where the file
    at the destination has the size and mtime the catalog knew: same bytes, nothing read.
    Returns the (old, new) pairs re-pointed; anything else is left to the generic pass."""
    plan: list[tuple[str, str, int | None]] = []
    planned: set[str] = set()  # a folder move also arrives as one move per file inside
    for src, dst, is_dir in sorted(moves, key=lambda m: not m[2]):  # folders first
        root = roots.root_of(dst)
        if root is None or root not in roots.online or excluded(root, dst, excluder):
            continue
        known = catalog.file_states(under=src) if is_dir else catalog.file_states_for([src])
        for old, state in known.items():
            if old in planned:
                continue
            new = dst + old[len(src):] if is_dir else dst
            if not is_image_name(os.path.basename(new)) or excluded(root, new, excluder):
                continue
            try:
                st = os.stat(new)
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns) == (state.size, state.mtime_ns):
                plan.append((old, new, roots.ids[root]))
                planned.add(old)
    if plan:
        catalog.repoint_files(plan)
    return [(old, new) for old, new, _ in plan]


@dataclass
class Plan:
    files: list[tuple[DiskFile, int | None]] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    likely_moves: set[tuple[int, int]] = field(default_factory=set)  # (size, mtime) gone
    unsettled: list[str] = field(default_factory=list)  # found in a folder, still being written


def plan_paths(catalog: Catalog, paths: Iterable[tuple[str, bool]], roots: Roots,
               excluder: Excluder, settle_s: float = 0.0,
               on_error=None) -> Plan:
    """What to index and what to forget for these changed paths, (path, is_dir)."""
    plan = Plan()
    seen: set[str] = set()
    now = time.time()
    for path, _is_dir in paths:
        root = roots.root_of(path)
        if root is None or root not in roots.online or excluded(root, path, excluder):
            continue
        folder_id = roots.ids[root]
        if os.path.isdir(path):
            disk = {f.path: f for f in walk(path, excluder, on_error)
                    if not excluded(root, f.path, excluder)}
            known = catalog.file_states(under=path)
            exact = catalog.file_states_for([path])  # a file replaced by a folder
            for p, k in {**known, **exact}.items():
                if p not in disk:
                    plan.vanished.append(p)
                    plan.likely_moves.add((k.size, k.mtime_ns))
            for p, f in disk.items():
                if p in seen:
                    continue
                seen.add(p)
                if settle_s and now - f.mtime_ns / 1e9 < settle_s and p not in known:
                    plan.unsettled.append(p)  # a folder being copied in: wait for it
                else:
                    plan.files.append((f, folder_id))
            continue
        if path in seen:
            continue
        seen.add(path)
        try:
            st = os.stat(path)
        except OSError:
            st = None
        if st is not None and is_image_name(os.path.basename(path)):
            plan.files.append((DiskFile(path, st.st_size, st.st_mtime_ns), folder_id))
            continue
        gone = catalog.file_states_for([path])
        gone.update(catalog.file_states(under=path))  # a folder deleted before we looked
        for p, k in gone.items():
            plan.vanished.append(p)
            plan.likely_moves.add((k.size, k.mtime_ns))
    return plan


def still_gone(paths: Iterable[str], roots: Roots) -> list[str]:
    """Vanished paths that are still missing, under a root that is still there (a root
    that went away is an unplugged drive: its photos are kept)."""
    out = []
    for p in dict.fromkeys(paths):
        root = roots.root_of(p)
        if root is None or not os.path.isdir(root):
            continue
        if not os.path.lexists(p):
            out.append(p)
    return out


def stale_siblings(catalog: Catalog, paths: list[str]) -> list[str]:
    """Other known paths of the photos at `paths` that no longer exist on disk."""
    hashes = {k.hash for k in catalog.file_states_for(paths).values()}
    mine = set(paths)
    return [p for ps in catalog.paths_of(list(hashes)).values() for p in ps
            if p not in mine and not os.path.lexists(p)]
