"""A symlinked copy never costs the user the real file."""

import os

from photosearch.core.dupes_api import Duplicates
from photosearch.core.indexer import Indexer

from ..conftest import make_image


def test_keeping_a_symlink_never_trashes_its_target(fake_library, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    real = make_image(tmp_path / "photos" / "2020" / "bee.jpg", fmt="JPEG")
    link = tmp_path / "photos" / "aaa_favs" / "bee.jpg"
    link.parent.mkdir()
    os.symlink(real, link)
    Indexer(fake_library).run([str(tmp_path / "photos")])
    api = Duplicates(fake_library)
    groups = api.find(tiers=("exact",)).groups["exact"]
    assert len(groups) == 1
    before = real.read_bytes()
    report = api.resolve(api.choose([(groups[0], str(link), [str(real)])]))
    assert report.trashed == []
    assert any("symlink" in why for _, why in report.skipped)
    assert real.read_bytes() == before and os.path.realpath(link) == str(real)
