"""The query language (core/query.py): one case per README query-table row, every error
that replaced a silent fallback, and the new filters (quoted values, -key: excludes,
tag:a,b) applied by both search (numpy over labels) and browse (SQL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photosearch.core.browse import browse
from photosearch.core.indexer import Indexer
from photosearch.core.manual_tags import set_manual_tag
from photosearch.core.query import (
    FILTERS,
    Filters,
    Query,
    QueryError,
    Term,
    parse,
    parse_date,
)
from photosearch.core.search import Searcher
from photosearch.core.tagging_store import TaggingError

from ..conftest import make_image
from .test_search_logic import solid


@pytest.fixture
def photo(tmp_path) -> Path:
    return make_image(tmp_path / "my trip" / "beach day.jpg")


def terms(text: str) -> list[tuple[str, str, float]]:
    return [(t.kind, t.value, t.weight) for t in parse(text).terms]


# == one case per README row ===============================================================
def test_row_words_form_one_phrase():
    assert terms("dog on a beach at sunset") == [("text", "dog on a beach at sunset", 1.0)]


def test_row_quoted_terms_and_negatives():
    assert terms('"beach" -"people"') == [("text", "beach", 1.0), ("text", "people", -1.0)]


def test_row_weights_and_image_path(photo, monkeypatch):
    monkeypatch.chdir(photo.parent)
    assert terms('2:"sunset" + "beach day.jpg"') == [
        ("text", "sunset", 2.0), ("image", str(photo), 1.0)]
    assert terms("0.5:dog -cat") == [("text", "dog", 0.5), ("text", "cat", -1.0)]


def test_row_image_key_and_quoted_path_with_spaces(photo):
    assert terms(f'image:"{photo}"') == [("image", str(photo), 1.0)]
    assert terms(f'"{photo}" 2:image:"{photo}"') == [
        ("image", str(photo), 1.0), ("image", str(photo), 2.0)]
    assert terms(f'-image:"{photo}" sunset') == [
        ("image", str(photo), -1.0), ("text", "sunset", 1.0)]


def test_row_filters_all_kinds(tmp_path):
    q = parse("cat after:2023-01-01 before:2024 type:jpg,png camera:pixel "
              f"folder:{tmp_path}/2023 tag:pets")
    f = q.filters
    assert q.terms == [Term("text", "cat")]
    assert (f.after, f.before) == (parse_date("2023-01-01"), parse_date("2024"))
    assert (f.types, f.camera, f.folder, f.tags) == (
        {"jpeg", "png"}, "pixel", f"{tmp_path}/2023", ["pets"])


def test_row_type_raw_means_every_raw_format():
    f = parse("type:raw,jpg").filters
    assert f.types == {"jpeg", "dng", "cr2", "cr3", "nef", "arw", "orf", "rw2", "raf", "pef",
                       "srw"}
    assert parse("type:dng,nef").filters.types == {"dng", "nef"}


@pytest.mark.parametrize(("text", "attr", "value"), [
    ('folder:"/photos/my trip"', "folder", "/photos/my trip"),
    ('camera:"Canon EOS 5D"', "camera", "Canon EOS 5D"),
    ('tag:"pets"', "tags", ["pets"]),
    ('person:"Anna Smith"', "people", ["Anna Smith"]),
    ('text:"booking code"', "text", ["booking code"]),
    ('after:"2023-01-01"', "after", parse_date("2023-01-01")),
    ('type:"jpg, png"', "types", {"jpeg", "png"}),
    ('Folder:"/photos/my trip"', "folder", "/photos/my trip"),  # keys ignore case
])
def test_row_quoted_values_in_every_filter(text, attr, value):
    q = parse(f"{text} sunset")
    assert getattr(q.filters, attr) == value
    assert q.terms == [Term("text", "sunset")]


@pytest.mark.parametrize(("text", "attr", "value"), [
    ("-tag:screenshots", "not_tags", ["screenshots"]),
    ("-tag:a,b", "not_tags", ["a", "b"]),
    ('-folder:"/photos/my trip"', "not_folders", ["/photos/my trip"]),
    ("-camera:iphone", "not_cameras", ["iphone"]),
    ('-person:"Bob Jones"', "not_people", ["Bob Jones"]),
    ("-text:draft", "not_text", ["draft"]),
    ("-has:text", "has_text", False),
])
def test_row_minus_key_excludes(text, attr, value):
    q = parse(f"sunset {text}")
    assert getattr(q.filters, attr) == value
    assert q.terms == [Term("text", "sunset")]  # never a negative text term


def test_row_tag_any_of():
    f = parse("tag:cat,dog tag:pets").filters
    assert (f.any_tags, f.tags) == ([["cat", "dog"]], ["pets"])


def test_row_people_and_text_rows():
    f = parse("person:Anna beach -person:Bob text:invoice has:text").filters
    assert (f.people, f.not_people, f.text, f.has_text) == (["Anna"], ["Bob"], ["invoice"], True)


def test_row_filters_only_is_browse():
    q = parse("tag:pets -folder:/tmp/x")
    assert q.terms == [] and q.filters.active()
    assert parse("   ").terms == [] and not parse("").filters.active()


@pytest.mark.parametrize(("text", "kept"), [
    ("sunset at 10:30", "sunset at 10:30"),          # a time is text, not weight 10
    ("16:9 poster", "16:9 poster"),                  # a ratio too
    ("clock at 3:00pm", "clock at 3:00pm"),
    ("logo of https://example.org/a", "logo of https://example.org/a"),  # a URL
])
def test_clearly_text_with_a_colon_stays_text(text, kept):
    assert terms(text) == [("text", kept, 1.0)]


def test_quoted_text_with_slash_is_text_not_a_path():
    assert terms('"AC/DC" "black/white photo"') == [
        ("text", "AC/DC", 1.0), ("text", "black/white photo", 1.0)]


# == errors instead of silent fallbacks ====================================================
@pytest.mark.parametrize(("text", "message"), [
    ("foo:bar", "unknown filter 'foo:'"),
    ("dog -foo:bar", "unknown filter 'foo:'"),
    ("Tags:pets", "known: tag:, keyword:, folder:"),
    ("/no/such/dir/photo.jpg", "no such image file: /no/such/dir/photo.jpg"),
    ("missing.jpg", 'quote them: "missing.jpg"'),
    ("AC/DC", 'quote them: "AC/DC"'),
    ('"/no/such/place with space.jpg"', "no such image file: /no/such/place with space.jpg"),
    ('image:"/no/such.png"', "no such image file"),
    ("image:", "image: needs a file"),
    ("2:tag:pets", "a weight applies to search terms"),
    ("-after:2020", "-after: cannot exclude; use before:"),
    ("-type:png", "-type: cannot exclude"),
    ("tag:", "tag: needs a value"),
    ('folder:""', "folder: needs a value"),
    ("tag:a,,b", "empty tag name"),
    ('nan:"dog"', "weight 'nan'"),
    ("has:faces", "has:faces is not a filter"),
])
def test_errors_say_what_to_write(text, message):
    with pytest.raises(QueryError) as info:
        parse(text)
    assert message in str(info.value)


def test_unknown_filter_lists_every_known_key():
    with pytest.raises(QueryError) as info:
        parse("colour:red")
    for key in [*FILTERS, "image"]:
        assert f"{key}:" in str(info.value)


def test_folder_and_non_image_as_image_term_are_errors(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(QueryError, match="is a folder, not an image; to search in it use"):
        parse(f'"{tmp_path}"')
    with pytest.raises(QueryError, match="is not an image file"):
        parse(f"{tmp_path}/notes.txt")


# == the filters applied (search and browse agree) =========================================
@pytest.fixture
def tagged(tmp_path, fake_library):
    lib = fake_library
    trip, home = tmp_path / "photos" / "my trip", tmp_path / "photos" / "home"
    files = {
        "cat": solid(trip / "cat.jpg", (250, 5, 5), camera=("Canon", "EOS 5D")),
        "dog": solid(trip / "dog.jpg", (5, 250, 5), camera=("Apple", "iPhone 12")),
        "both": solid(home / "both.jpg", (5, 5, 250), camera=("Canon", "EOS R")),
        "none": solid(home / "none.jpg", (120, 120, 120)),
    }
    Indexer(lib).run([str(tmp_path / "photos")])
    h = {k: lib.catalog.hash_of(str(p)) for k, p in files.items()}
    set_manual_tag(lib, "cat", [h["cat"], h["both"]])
    set_manual_tag(lib, "dog", [h["dog"], h["both"]])
    set_manual_tag(lib, "pets", [h["cat"], h["dog"], h["both"]])
    return lib, trip, home


def found(lib, text: str) -> tuple[set[str], set[str]]:
    """(names found by search, by browse) for the filters in `text` (plus a term)."""
    q = parse(text)
    assert not q.terms
    searched = Searcher(lib).search(Query([Term("text", "red")], q.filters), limit=50)
    browsed = browse(lib.catalog, q.filters, limit=50)
    return ({Path(r.path).stem for r in searched.results},
            {Path(r.path).stem for r in browsed})


@pytest.mark.parametrize(("text", "names"), [
    ("tag:cat tag:dog", {"both"}),                     # several tags: ALL of them
    ("tag:cat,dog", {"cat", "dog", "both"}),           # comma: ANY of them
    ("tag:pets -tag:dog", {"cat"}),
    ("-tag:cat,dog", {"none"}),                        # -tag:a,b: neither
    ("camera:canon -camera:\"eos r\"", {"cat"}),
    ("-camera:iphone", {"cat", "both", "none"}),
])
def test_tag_and_camera_filters(tagged, text, names):
    lib, _, _ = tagged
    assert found(lib, text) == (names, names)


def test_quoted_folder_with_space_and_minus_folder(tagged):
    lib, trip, home = tagged
    assert found(lib, f'folder:"{trip}"') == ({"cat", "dog"}, {"cat", "dog"})
    assert found(lib, f'-folder:"{trip}"') == ({"both", "none"}, {"both", "none"})
    assert found(lib, f'folder:"{trip.parent}" -folder:"{home}" -tag:dog') == ({"cat"},) * 2


def test_unknown_tag_is_an_error_not_an_empty_result(tagged):
    lib, _, _ = tagged
    for text in ("tag:nosuch", "tag:cat,nosuch", "-tag:nosuch"):
        with pytest.raises(TaggingError, match="no label named 'nosuch'"):
            browse(lib.catalog, parse(text).filters)


def test_merged_keeps_new_filters():
    merged = Filters(not_tags=["a"]).merged(parse("-folder:/x -camera:y tag:b,c").filters)
    assert (merged.not_tags, merged.not_folders, merged.not_cameras, merged.any_tags) == (
        ["a"], [os.path.abspath("/x")], ["y"], [["b", "c"]])
