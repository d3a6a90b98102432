"""The query language through `photosearch search` (test model, temp library): quoted
values, -key: excludes, image paths with spaces, errors instead of silent text, repeated
--tag (AND) and tag:a,b (OR), POSIX `--`, and --explain (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from photosearch.cli import main
from photosearch.core.library import Library
from photosearch.core.manual_tags import set_manual_tag
from photosearch.core.paths import resolve_library

from ..conftest import TEST_MODEL, make_image
from .cli_helpers import TINY, cli, cli_json


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    """One indexed, tagged library for the module (the tests only search it)."""
    root = tmp_path_factory.mktemp("query_cli")
    photos = root / "photos"
    trip, home = photos / "my trip", photos / "home"
    files = {"red": make_image(trip / "red beach.jpg", color=(220, 20, 20)),
             "green": make_image(trip / "green.jpg", color=(20, 220, 20)),
             "blue": make_image(home / "blue.png", color=(20, 20, 220), fmt="PNG")}
    library = root / "lib"
    with pytest.MonkeyPatch.context() as mp:  # as conftest._isolate, for this module
        for var, sub in (("PHOTOSEARCH_CACHE", "cache"), ("PHOTOSEARCH_LOG_DIR", "log"),
                         ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
            mp.setenv(var, str(root / "home" / sub))
        mp.setenv("HF_HUB_OFFLINE", "1")
        assert main(["--library", str(library), *TINY, "index", str(photos)]) == 0
        opened = Library.open(resolve_library(library), **TEST_MODEL)
        try:
            h = {k: opened.catalog.hash_of(str(p)) for k, p in files.items()}
            set_manual_tag(opened, "warm", [h["red"]])
            set_manual_tag(opened, "nature", [h["red"], h["green"]])
            set_manual_tag(opened, "sky", [h["blue"]])
        finally:
            opened.close()
    return library, trip, home, files


def names(rows) -> set[str]:
    return {Path(r["path"]).stem for r in rows}


def test_quoted_folder_with_space_matches_the_folder_option(lib, capsys):
    library, trip, _, _ = lib
    in_query = cli_json(capsys, library, "search", f'anything folder:"{trip}"')
    by_option = cli_json(capsys, library, "search", "anything", "--folder", str(trip))
    assert names(in_query) == names(by_option) == {"red beach", "green"}
    assert names(cli_json(capsys, library, "search", f'folder:"{trip}"')) == \
        {"red beach", "green"}  # filters only: browse, in the same folder


@pytest.mark.parametrize(("query", "expected"), [
    ("anything -tag:warm", {"green", "blue"}),
    ("anything tag:warm,sky", {"red beach", "blue"}),
    ("tag:nature -tag:warm", {"green"}),
    ("anything -type:png", None),  # cannot exclude a type: an error (below)
])
def test_tag_filters_in_the_query(lib, capsys, query, expected):
    library = lib[0]
    if expected is None:
        code, _, err = cli(capsys, library, "search", query)
        assert code == 1 and "-type: cannot exclude" in err
        return
    assert names(cli_json(capsys, library, "search", query)) == expected


def test_minus_folder_with_space(lib, capsys):
    library, trip, _, _ = lib
    assert names(cli_json(capsys, library, "search", f'anything -folder:"{trip}"')) == {"blue"}


def test_repeated_tag_option_means_all_and_comma_means_any(lib, capsys):
    library = lib[0]
    both = cli_json(capsys, library, "search", "--tag", "nature", "--tag", "warm")
    assert names(both) == {"red beach"}  # ALL of the tags; no query text needed (browse)
    either = cli_json(capsys, library, "search", "anything", "--tag", "warm,sky")
    assert names(either) == {"red beach", "blue"}


def test_quoted_image_path_with_spaces_is_an_image_term(lib, capsys):
    library, _, _, files = lib
    for query in (f'"{files["red"]}"', f'image:"{files["red"]}"'):
        rows = cli_json(capsys, library, "search", query)
        assert Path(rows[0]["path"]) == files["red"]  # its own stored embedding: score 1
        assert rows[0]["score"] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize(("args", "message"), [
    (["/no/such/photo.jpg"], "no such image file: /no/such/photo.jpg"),
    (['"/no/such dir/photo.jpg"'], "no such image file: /no/such dir/photo.jpg"),
    (["dog foo:bar"], "unknown filter 'foo:' in 'foo:bar'; known: tag:, keyword:, folder:"),
    (["dog -tag:nosuch"], "no label named 'nosuch'"),
])
def test_mistakes_fail_with_one_line_not_text_results(lib, capsys, args, message):
    code, out, err = cli(capsys, lib[0], "search", *args)
    assert (code, out) == (1, "")
    errors = [line for line in err.splitlines() if line.startswith("photosearch: error:")]
    assert len(errors) == 1 and message in errors[0]


def test_posix_double_dash(lib, capsys):
    library = lib[0]
    code, out, _ = cli(capsys, library, "search", "--limit", "2", "--json", "--", "-people")
    assert code == 0 and len(json.loads(out)) == 2  # options before -- applied
    code, out, _ = cli(capsys, library, "search", "--explain", "--", "-dog", "--limit", "1")
    assert code == 0 and '"dog" (weight -1), "-limit" (weight -1)' in out
    assert 'text terms:     "1"' in out  # after --, --limit 1 is query text, never an option


@pytest.mark.parametrize("typo", ["--limti", "-l"])
def test_unknown_option_is_an_error_not_query_text(lib, capsys, typo):
    code, out, err = cli(capsys, lib[0], "search", "dog", typo, "3")
    assert code == 2 and out == ""
    assert f"unknown option {typo}" in err and f"-- {typo}" in err


def test_explain_text(lib, capsys):
    library, trip, _, files = lib
    code, out, _ = cli(capsys, library, "search", "--explain", "--min-score", "0.2",
                       f'dog 2:"sunset" -"people" "{files["red"]}" folder:"{trip}" '
                       "-camera:iphone tag:warm,sky after:2020-05-01", "--tag", "nature")
    assert code == 0
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert lines["mode"].strip().startswith("search")
    assert lines["text terms"].strip() == '"dog" (weight 1), "sunset" (weight 2)'
    assert lines["image terms"].strip() == f'{files["red"]} (weight 1)'
    assert lines["negative terms"].strip() == '"people" (weight -1)'
    assert lines["filters"].strip() == (
        f"folder: {trip}; after: 2020-05-01; not_cameras: iphone; tags_all: nature; "
        "tags_any: (warm or sky)")
    assert lines["sort"].strip() == "relevance (best match first)"
    assert "min score 0.2" in lines["cut-off"] and "within 0.05 of the best" in lines["cut-off"]


def test_explain_json_and_browse(lib, capsys):
    library = lib[0]
    info = cli_json(capsys, library, "search", "--explain", "0.5:red -blue tag:warm")
    assert info["mode"] == "search"
    assert info["text_terms"] == [{"kind": "text", "value": "red", "weight": 0.5}]
    assert info["negative_terms"] == [{"kind": "text", "value": "blue", "weight": -1.0}]
    assert info["image_terms"] == [] and info["filters"] == {"tags_all": ["warm"]}
    assert info["cutoff"] == {"min_score": None,
                              "strong": "score within 0.05 of the best match"}
    browse = cli_json(capsys, library, "search", "--explain", "-tag:warm")
    assert (browse["mode"], browse["sort"], browse["text_terms"]) == (
        "browse", "newest first", [])
    assert browse["filters"] == {"not_tags": ["warm"]}
