"""A symlinked copy never costs the user the real file."""

import os

from photosearch.core.dupes_cleanup import Plan, plan_choice, resolve
from photosearch.core.duplicates import DuplicateFinder
from photosearch.core.indexer import Indexer

from ..conftest import make_image


def test_keeping_a_symlink_never_trashes_its_target(fake_library, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    real = make_image(tmp_path / "photos" / "2020" / "bee.jpg", fmt="JPEG")
    link = tmp_path / "photos" / "aaa_favs" / "bee.jpg"
    link.parent.mkdir()
    os.symlink(real, link)
    Indexer(fake_library).run([str(tmp_path / "photos")])
    groups = DuplicateFinder(fake_library).find(("exact",)).groups["exact"]
    assert len(groups) == 1
    before = real.read_bytes()
    report = resolve(fake_library, Plan([plan_choice(groups[0], str(link), [str(real)])]))
    assert report.trashed == []
    assert any("symlink" in why for _, why in report.skipped)
    assert real.read_bytes() == before and os.path.realpath(link) == str(real)
