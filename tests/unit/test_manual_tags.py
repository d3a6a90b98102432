"""core.manual_tags: a tag added by hand is a review decision on a label."""

from __future__ import annotations

import pytest

from photosearch.core.indexer import Indexer
from photosearch.core.manual_tags import label_names, set_manual_tag
from photosearch.core.search import Searcher
from photosearch.core.tagging import Tagger
from photosearch.core.tagging_store import TaggingError
from tests.conftest import make_image


def test_manual_tag_confirms_creates_and_untags(fake_library, tmp_path):
    a = make_image(tmp_path / "p" / "a.jpg", color=(200, 20, 20))
    make_image(tmp_path / "p" / "b.jpg", color=(20, 200, 20))
    Indexer(fake_library).run([str(tmp_path / "p")])
    h = fake_library.catalog.hash_of(str(a))
    report = set_manual_tag(fake_library, "holiday", [h, h])
    assert (report.label, report.photos, report.added, report.created) == \
        ("holiday", 1, True, True)
    assert label_names(fake_library) == ["holiday"]
    tagger = Tagger(fake_library)
    lab = tagger.store.get("holiday")
    rows = tagger.store.tag_rows(lab, ("confirmed",))
    assert list(rows) == [h] and any(e.hash == h and e.positive for e in lab.examples)
    found = Searcher(fake_library).search("tag:holiday", limit=10).results
    assert [r.hash for r in found] == [h]
    assert not set_manual_tag(fake_library, "holiday", [h], add=False).added
    assert list(tagger.store.tag_rows(tagger.store.get("holiday"), ("rejected",))) == [h]
    assert Searcher(fake_library).search("tag:holiday", limit=10).results == []
    with pytest.raises(TaggingError):
        set_manual_tag(fake_library, "no such", [h], add=False)
    with pytest.raises(TaggingError):
        set_manual_tag(fake_library, "bad:name", [h])
