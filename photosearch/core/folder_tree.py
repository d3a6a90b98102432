"""The library's folders as a tree: each library folder with its sub-folders and how many
files each holds (itself and everything below), read from the catalog in one pass.

Only folders that hold photos appear (the catalog knows files, not empty directories).
A file belongs to the deepest library folder containing it, as in `Catalog.folder_id_of`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .catalog import Catalog
from .paths import from_db_path


@dataclass
class FolderNode:
    path: str
    files: int = 0  # files here and in every sub-folder
    children: list[FolderNode] = field(default_factory=list)

    @property
    def name(self) -> str:
        return os.path.basename(self.path.rstrip(os.sep)) or self.path

    def find(self, path: str) -> FolderNode | None:
        if path == self.path:
            return self
        for c in self.children:
            hit = c.find(path)
            if hit is not None:
                return hit
        return None


def folder_tree(catalog: Catalog) -> dict[int, FolderNode]:
    """library folder id -> its tree (sub-folders sorted by name, case-insensitive)."""
    roots = {fid: FolderNode(path) for fid, path in catalog.folders()}
    index: dict[int, dict[str, FolderNode]] = {fid: {} for fid in roots}
    for fid, db_path in catalog.conn.execute("SELECT folder_id, path FROM files"):
        root = roots.get(fid)
        if root is None:
            continue
        root.files += 1
        rel = os.path.relpath(os.path.dirname(from_db_path(db_path)), root.path)
        if rel in (".", "") or rel.startswith(".."):
            continue
        node, here = root, root.path
        for part in rel.split(os.sep):
            here = os.path.join(here, part)
            child = index[fid].get(here)
            if child is None:
                child = index[fid][here] = FolderNode(here)
                node.children.append(child)
            child.files += 1
            node = child
    for tree in index.values():
        for node in tree.values():
            node.children.sort(key=lambda n: n.name.lower())
    for root in roots.values():
        root.children.sort(key=lambda n: n.name.lower())
    return roots
