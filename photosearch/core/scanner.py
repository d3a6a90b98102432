"""Walking photo folders: what image files exist on disk right now.

Follows directory symlinks (people link in folders from other drives) but never enters
the same directory twice, so symlink loops end. Unreadable directories are reported,
not fatal.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .imaging import is_image_name


@dataclass(frozen=True)
class DiskFile:
    path: str
    size: int
    mtime_ns: int


class Excluder:
    """Glob patterns matched against each file or folder *name* (not the whole path),
    plus absolute sub-folders to skip."""

    def __init__(self, patterns: list[str], folders: list[str] | None = None):
        self.patterns = [p for p in patterns if "/" not in p]
        self.folders = [os.path.normpath(f) for f in (folders or [])] + \
            [os.path.normpath(p) for p in patterns if p.startswith("/")]

    def name_excluded(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)

    def folder_excluded(self, path: str) -> bool:
        """An excluded sub-folder (by absolute path). Names are checked per entry during the
        walk, so a root that itself sits under a hidden folder still has its sub-folders."""
        return any(path == f or path.startswith(f + os.sep) for f in self.folders)


def walk(root: str, excluder: Excluder,
         on_error: Callable[[str, str], None] | None = None) -> Iterator[DiskFile]:
    """Image files under `root` (recursively), skipping excluded names and symlink loops."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            entries = list(os.scandir(directory))
        except OSError as exc:
            if on_error:
                on_error(directory, f"folder unreadable: {exc.strerror or exc}")
            continue
        for entry in entries:
            if excluder.name_excluded(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not excluder.folder_excluded(entry.path):
                        stack.append(entry.path)
                    continue
                if not is_image_name(entry.name) or not entry.is_file(follow_symlinks=True):
                    continue
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:  # broken symlink, vanished mid-walk, permission
                if on_error and is_image_name(entry.name):
                    on_error(entry.path, f"cannot stat file: {exc.strerror or exc}")
                continue
            yield DiskFile(entry.path, st.st_size, st.st_mtime_ns)
