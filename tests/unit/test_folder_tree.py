"""core.folder_tree: library folders with sub-folders and file counts."""

from __future__ import annotations

from photosearch.core import library_ops
from photosearch.core.folder_tree import folder_tree
from photosearch.core.indexer import Indexer
from tests.conftest import make_image


def test_sub_folders_and_counts(library, tmp_path):
    root = tmp_path / "Photos"
    make_image(root / "a.jpg", color=(200, 20, 20))
    make_image(root / "2019" / "b.jpg", color=(20, 200, 20))
    make_image(root / "2019" / "beach" / "c.jpg", color=(20, 20, 200))
    make_image(root / "2019" / "beach" / "d.png", color=(90, 90, 90))
    make_image(root / "Archive" / "e.png", color=(90, 190, 90))
    library_ops.add_folders(library, [str(root)])
    Indexer(library, embed=False).run()
    (tree,) = folder_tree(library.catalog).values()
    assert (tree.path, tree.files) == (str(root), 5)
    assert [(c.name, c.files) for c in tree.children] == [("2019", 3), ("Archive", 1)]
    y2019 = tree.children[0]
    assert [(c.name, c.files, c.children) for c in y2019.children] == [("beach", 2, [])]
    assert tree.find(str(root / "2019" / "beach")).files == 2
    assert tree.find(str(root / "nope")) is None
