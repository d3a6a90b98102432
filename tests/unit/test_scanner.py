"""Walking folders: exclusions by name and by folder, hidden parents, symlink loops."""

import os

from photosearch.core.scanner import Excluder, walk

from ..conftest import make_image


def names(root, excluder):
    return sorted(os.path.relpath(f.path, root) for f in walk(str(root), excluder))


def test_a_root_inside_a_hidden_folder_keeps_its_subfolders(tmp_path):
    root = tmp_path / ".hidden" / "photos"
    make_image(root / "a.jpg", fmt="JPEG")
    make_image(root / "2020" / "b.jpg", fmt="JPEG")
    make_image(root / ".thumbs" / "c.jpg", fmt="JPEG")
    assert names(root, Excluder([".*"])) == ["2020/b.jpg", "a.jpg"]


def test_excluded_names_and_folders(tmp_path):
    make_image(tmp_path / "keep" / "a.jpg", fmt="JPEG")
    make_image(tmp_path / "@eaDir" / "t.jpg", fmt="JPEG")
    make_image(tmp_path / "skip" / "deep" / "x.jpg", fmt="JPEG")
    make_image(tmp_path / "keep" / "dl.jpg.part", fmt="JPEG")
    (tmp_path / "keep" / "notes.txt").write_text("x")
    ex = Excluder(["@eaDir", "*.part"], folders=[str(tmp_path / "skip")])
    assert names(tmp_path, ex) == ["keep/a.jpg"]


def test_symlink_loops_end_and_linked_folders_are_followed_once(tmp_path):
    make_image(tmp_path / "a" / "x.jpg", fmt="JPEG")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "again")
    assert names(tmp_path, Excluder([])) == ["a/x.jpg"]
