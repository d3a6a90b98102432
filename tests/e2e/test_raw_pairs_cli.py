"""RAW+JPEG pairs through the CLI (issue 14): one item per shot in search and browse, both
files listed, filters per pair, never a duplicate group of itself; tagging a pair tags both
halves. The DNGs are written by the test (tests/dng.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from photosearch.core.library import Library
from photosearch.core.manual_tags import set_manual_tag
from photosearch.core.paths import resolve_library
from photosearch.core.search import Searcher

from ..conftest import TEST_MODEL
from ..raw_pairs import make_pairs
from .cli_helpers import cli, cli_json


@pytest.fixture
def indexed(tmp_path, capsys) -> tuple[Path, dict[str, Path]]:
    files = make_pairs(tmp_path / "photos")
    lib = tmp_path / "lib"
    code, out, err = cli(capsys, lib, "index", str(tmp_path / "photos"))
    assert code == 0, err
    assert "5 embedded" in out and "0 problems" in out, out
    return lib, files


def _items(hits) -> dict[str, list[str] | None]:
    return {h["path"]: h.get("files") for h in hits}


def test_search_and_browse_list_a_pair_once_with_both_files(capsys, indexed):
    lib, f = indexed
    want = {str(f["jpg1"]): [str(f["dng1"]), str(f["jpg1"])],
            str(f["jpg2"]): [str(f["dng2"]), str(f["jpg2"])],
            str(f["lone"]): None}
    hits = cli_json(capsys, lib, "search", "a photo")
    assert len(hits) == 3 and _items(hits) == want
    pair = next(h for h in hits if h["path"] == str(f["jpg1"]))
    assert pair["pair"] == "RAW+JPEG" and pair["format"] == "jpeg"
    assert "pair" not in next(h for h in hits if h["path"] == str(f["lone"]))

    from photosearch.core.browse import count
    from photosearch.core.query import parse

    opened = Library.open(resolve_library(lib), **TEST_MODEL)
    try:
        assert count(opened.catalog) == 3  # the app's "N photos": items
        assert count(opened.catalog, parse("type:raw").filters) == 2
    finally:
        opened.close()
    browsed = cli_json(capsys, lib, "search", "after:2000")  # filters only: browse
    assert len(browsed) == 3 and _items(browsed) == want
    # newest first: the second shot, then the first (the lone JPEG has no date: last)
    assert [h["path"] for h in browsed] == [str(f["jpg2"]), str(f["jpg1"]), str(f["lone"])]

    # pages count items: a pair is never cut in two nor shown twice across pages
    pages = [cli_json(capsys, lib, "search", "a photo", "--limit", "1", "--offset", str(i))
             for i in range(4)]
    assert [len(p) for p in pages] == [1, 1, 1, 0]
    assert sorted(p[0]["path"] for p in pages[:3]) == sorted(want)

    # text output says RAW+JPEG and names both files
    code, out, err = cli(capsys, lib, "search", "a photo")
    assert code == 0, err
    assert out.count("RAW+JPEG: ") == 2
    assert f"RAW+JPEG: {f['dng2']} + {f['jpg2']}" in out


def test_filters_apply_per_pair(capsys, indexed):
    lib, f = indexed
    raw = cli_json(capsys, lib, "search", "a photo type:raw")
    assert sorted(h["path"] for h in raw) == sorted([str(f["jpg1"]), str(f["jpg2"])])
    assert all(h["files"][0].endswith(".dng") for h in raw)
    assert len(cli_json(capsys, lib, "search", "type:raw")) == 2  # browse too
    jpg = cli_json(capsys, lib, "search", "type:jpg")
    assert len(jpg) == 3 and sum("pair" in h for h in jpg) == 2
    dng = cli_json(capsys, lib, "search", "a photo", "--type", "dng")
    assert len(dng) == 2


def test_a_pair_is_not_a_duplicate_group_of_itself(capsys, indexed):
    lib, _ = indexed
    assert cli_json(capsys, lib, "dupes", "--tier", "same") == []


def test_similar_to_a_raw_leaves_out_its_own_jpeg(capsys, indexed):
    lib, f = indexed
    hits = cli_json(capsys, lib, "similar", str(f["dng1"]))
    assert str(f["jpg1"]) not in [h["path"] for h in hits]
    assert len(hits) == 2


def test_tagging_a_pair_tags_both_files_and_tag_finds_it_once(capsys, indexed):
    lib_path, f = indexed
    lib = Library.open(resolve_library(lib_path), **TEST_MODEL)
    try:
        item = next(r for r in Searcher(lib).search("type:raw").results
                    if r.path == str(f["jpg1"]))
        set_manual_tag(lib, "keepers", [item.hash])  # what the grid does for the item
    finally:
        lib.close()
    hits = cli_json(capsys, lib_path, "search", "tag:keepers")
    assert [h["files"] for h in hits] == [[str(f["dng1"]), str(f["jpg1"])]]
    for p in (f["dng1"], f["jpg1"]):
        code, out, err = cli(capsys, lib_path, "tags", str(p))
        assert code == 0 and "keepers" in out, (p, out, err)
    code, out, _ = cli(capsys, lib_path, "tags", str(f["dng2"]))
    assert "keepers" not in out


def test_search_with_text_in_photos_lists_a_pair_once(capsys, indexed):
    """With recognised text in the library, search fuses pictures and text: a pair whose
    RAW half carries the text is still one item, with the text match."""
    from photosearch.core.text.store import TextStore

    from ..unit.test_text_logic import _line

    lib_path, f = indexed
    lib = Library.open(resolve_library(lib_path), **TEST_MODEL)
    try:
        raw = lib.catalog.hash_of(str(f["dng1"]))
        TextStore(lib.catalog).save(raw, "e", [_line("Hardware Store")])
        page = Searcher(lib).search("hardware store")
    finally:
        lib.close()
    assert len(page.results) == 3
    first = page.results[0]
    assert (first.path, first.files) == (str(f["jpg1"]), [str(f["dng1"]), str(f["jpg1"])])
    assert first.text_match == ["Hardware Store"]
