"""A library written by the previous release (schema 4, unversioned settings) opens with
today's code: migrated, nothing lost, and usable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from photosearch.core.catalog import migrations
from photosearch.core.config import SETTINGS_VERSION
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library
from photosearch.core.tagging_store import LabelStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "library_v0_1_0"


def open_copy(tmp_path) -> Library:
    root = tmp_path / "library"
    root.mkdir()
    for name in ("catalog.db", "settings.json"):
        shutil.copy(FIXTURE / name, root / name)
    return Library.open(resolve_library(root), model="test-tiny", pretrained="none")


def test_the_previous_release_library_opens_migrated_with_everything_kept(tmp_path):
    lib = open_copy(tmp_path)
    cat = lib.catalog
    assert cat.schema_version == migrations()[-1][0]
    assert [p for _, p in cat.folders()] == ["/tmp/fx/photos"]
    counts = cat.counts(lib.model_id)
    assert (counts["files"], counts["photos"], counts["embedded"], counts["problems"]) == \
        (7, 6, 6, 1)
    store = LabelStore(cat)
    [cats] = store.all()
    rows = store.tag_rows(cats, ("confirmed", "rejected"))
    assert sorted(src for _, src in rows.values()) == ["confirmed", "rejected"]
    cat_hash = cat.hash_of("/tmp/fx/photos/cat.jpg")
    assert "cats" in store.tag_names_of(cat_hash)
    assert len(cat.paths_of([cat_hash])[cat_hash]) == 2  # cat.jpg and its copy
    lib.close()


def test_the_previous_release_settings_are_upgraded_keeping_the_users_values(tmp_path):
    lib = open_copy(tmp_path)
    s = lib.settings
    assert (s.theme, s.strong_match) == ("dark", 0.25)
    assert "/home/me/Private" in s.exclude
    lib.save_settings()
    saved = json.loads(lib.paths.settings.read_text("utf-8"))
    assert saved["version"] == SETTINGS_VERSION and saved["theme"] == "dark"
    lib.close()


def test_the_previous_release_library_searches_and_indexes_again(tmp_path):
    from photosearch.core.search import Searcher

    lib = open_copy(tmp_path)
    page = Searcher(lib).search("tag:cats", limit=10)
    tagged = LabelStore(lib.catalog).tagged_hashes(["cats"])
    assert {r.hash for r in page.results} == tagged
    assert lib.catalog.hash_of("/tmp/fx/photos/cat.jpg") in tagged  # the confirmed one
    assert lib.catalog.hash_of("/tmp/fx/photos/bee.jpg") not in tagged  # the rejected one
    assert len(lib.index()) == 6  # the index (not in the fixture) is rebuilt from the catalog
    lib.close()
