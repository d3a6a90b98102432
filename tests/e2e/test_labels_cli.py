"""labels / tags / review / export-xmp / eval through the CLI, on the tiny random model.

The random model's tags are meaningless, so these tests check plumbing and invariants
(tag filters agree with the tags command, decisions win, originals untouched), never which
photos the model picks.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from photosearch.core import xmp

from ..conftest import FLICKR, make_image, require
from .cli_helpers import cli, cli_json


@pytest.fixture
def indexed(tmp_path, capsys):
    photos = tmp_path / "photos"
    for i, col in enumerate([(220, 30, 30), (30, 200, 40), (30, 40, 220), (200, 200, 30),
                             (120, 120, 120), (240, 240, 240)]):
        make_image(photos / f"p{i}.jpg", col, fmt="JPEG")
    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "index", str(photos))
    assert code == 0, err
    return lib, photos


def digest_tree(root: Path) -> dict[str, tuple[str, int]]:
    return {str(p): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix != ".xmp"}


def tagged_paths(lib: Path, label: str) -> set[str]:
    """What the catalog says is tagged (read directly: no model needed)."""
    from photosearch.core.catalog import Catalog
    from photosearch.core.tagging import tagged_hashes

    cat = Catalog(lib / "catalog.db", readonly=True)
    try:
        hashes = tagged_hashes(cat, [label])
        return {p for ps in cat.paths_of(list(hashes)).values() for p in ps}
    finally:
        cat.close()


def test_label_lifecycle_add_list_show_edit_remove(indexed, capsys):
    lib, photos = indexed
    code, out, err = cli(capsys, lib, "labels", "add", "sunsets", "--prompt", "a sunset",
                         "--prompt", "the sun going down", "--threshold", "0.6")
    assert code == 0, err
    assert "photos tagged" in out and "RANDOM weights" in err
    [row] = cli_json(capsys, lib, "labels", "list")
    assert row["name"] == "sunsets" and row["prompts"] == ["a sunset", "the sun going down"]
    assert row["threshold"] == 0.6 and row["threshold_from"] == "user"
    assert row["needs_apply"] is False
    shown = cli_json(capsys, lib, "labels", "show", "sunsets")
    assert {"confident", "borderline", "rejected"} <= set(shown)
    code, _, err = cli(capsys, lib, "labels", "edit", "sunsets", "--add-prompt", "dusk",
                       "--remove-prompt", "a sunset", "--rename", "dusk", "--no-apply")
    assert code == 0, err
    [row] = cli_json(capsys, lib, "labels", "list")
    assert row["name"] == "dusk" and row["prompts"] == ["the sun going down", "dusk"]
    assert row["needs_apply"] is True
    assert cli(capsys, lib, "labels", "apply")[0] == 0
    assert cli_json(capsys, lib, "labels", "list")[0]["needs_apply"] is False
    code, _, err = cli(capsys, lib, "labels", "add", "DUSK")
    assert code == 1 and "already exists" in err
    assert cli(capsys, lib, "labels", "remove", "dusk")[0] == 0
    assert cli_json(capsys, lib, "labels", "list") == []
    code, _, err = cli(capsys, lib, "labels", "show", "dusk")
    assert code == 1 and "no label named 'dusk'" in err


def test_tag_filter_in_search_matches_tags_and_review_wins(indexed, capsys):
    lib, photos = indexed
    assert cli(capsys, lib, "labels", "add", "mine", "--prompt", "a red thing")[0] == 0
    p0, p1 = str(photos / "p0.jpg"), str(photos / "p1.jpg")
    code, out, err = cli(capsys, lib, "review", "mine", "--accept", p0, "--reject", p1)
    assert code == 0, err
    expected = tagged_paths(lib, "mine")
    assert p0 in expected and p1 not in expected
    by_option = {r["path"] for r in cli_json(capsys, lib, "search", "anything", "--tag", "mine",
                                              "--limit", "100")}
    by_query = {r["path"] for r in cli_json(capsys, lib, "search", "anything tag:mine",
                                             "--limit", "100")}
    assert by_option == by_query == expected
    # combining with text search ranks only tagged photos; an unknown tag is a clear error
    code, _, err = cli(capsys, lib, "search", "x", "--tag", "nosuch")
    assert code == 1 and "no label named 'nosuch'" in err
    rows = cli_json(capsys, lib, "tags", p0)
    assert {"label": "mine", "tagged": True, "source": "confirmed"}.items() <= rows[0].items()
    # decisions survive re-applying and a definition change
    assert cli(capsys, lib, "labels", "edit", "mine", "--prompt", "something else")[0] == 0
    after = tagged_paths(lib, "mine")
    assert p0 in after and p1 not in after


def test_examples_from_outside_the_library_and_starter_sets(indexed, capsys, tmp_path):
    lib, photos = indexed
    outside = make_image(tmp_path / "elsewhere" / "ex.png", (10, 10, 200))
    code, _, err = cli(capsys, lib, "labels", "add", "bluish", "--example", str(outside),
                       "--not-example", str(photos / "p0.jpg"))
    assert code == 0, err
    shown = cli_json(capsys, lib, "labels", "show", "bluish")
    assert [(e["positive"], e["origin"]) for e in shown["examples"]] == \
        [(True, "user"), (False, "user")]
    assert str(photos / "p0.jpg") in {r["path"] for r in shown["rejected"]}
    code, _, err = cli(capsys, lib, "labels", "edit", "bluish", "--remove-example", str(outside),
                       "--remove-example", str(photos / "p0.jpg"), "--no-apply")
    assert code == 0, err
    shown = cli_json(capsys, lib, "labels", "show", "bluish")
    assert shown["examples"] == [] and shown["rejected"] == []  # decision went with it
    code, _, err = cli(capsys, lib, "labels", "edit", "bluish", "--remove-example",
                       str(outside), "--no-apply")
    assert code == 1 and "is not an example" in err
    code, _, err = cli(capsys, lib, "labels", "add", "x", "--example", str(tmp_path / "no.png"))
    assert code == 1 and "is not a file" in err
    assert [r["name"] for r in cli_json(capsys, lib, "labels", "list")] == ["bluish"]
    code, out, _ = cli(capsys, lib, "labels", "starter")
    assert code == 0 and "documents" in out and "receipts" in out
    assert cli(capsys, lib, "labels", "starter", "things", "--no-apply")[0] == 0
    names = {r["name"] for r in cli_json(capsys, lib, "labels", "list")}
    assert names == {"bluish", "vehicles"}
    code, _, err = cli(capsys, lib, "labels", "starter", "nosuchset")
    assert code == 1 and "no starter set" in err


def test_export_xmp_writes_valid_sidecars_merges_and_never_touches_photos(indexed, capsys):
    lib, photos = indexed
    p0, p1, p2 = (str(photos / f"p{i}.jpg") for i in range(3))
    cli(capsys, lib, "labels", "add", "beach", "--threshold", "0.98", "--no-apply")
    cli(capsys, lib, "labels", "add", "family", "--threshold", "0.98", "--no-apply")
    assert cli(capsys, lib, "review", "beach", "--accept", p0, p1, "--no-apply")[0] == 0
    assert cli(capsys, lib, "review", "family", "--accept", p0, "--no-apply")[0] == 0
    # p1 already has a sidecar from another tool: its data and keywords must survive
    Path(xmp.sidecar_path(p1)).write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmp:Rating="4"><dc:subject><rdf:Bag><rdf:li>holiday</rdf:li><rdf:li>Beach</rdf:li>'
        '</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>', "utf-8")
    # p2's sidecar is broken: left exactly as it is, and reported
    Path(xmp.sidecar_path(p2)).write_text("<not xml", "utf-8")
    cli(capsys, lib, "review", "beach", "--accept", p2, "--no-apply")
    before = digest_tree(photos)

    dry = cli_json(capsys, lib, "export-xmp", "--dry-run")
    assert {(Path(r["path"]).name, tuple(r["keywords"])) for r in dry["planned"]} >= {
        ("p0.jpg", ("beach", "family")), ("p1.jpg", ("beach",))}
    assert not os.path.exists(xmp.sidecar_path(p0))  # dry run wrote nothing

    code, out, err = cli(capsys, lib, "export-xmp")
    assert code == 1 and "p2.jpg" in err and "not valid XML" in err
    assert digest_tree(photos) == before  # originals byte-identical, mtimes unchanged
    s0 = Path(xmp.sidecar_path(p0)).read_bytes()
    assert sorted(xmp.read_keywords(s0)) == ["beach", "family"]
    s1 = Path(xmp.sidecar_path(p1)).read_bytes()
    assert xmp.read_keywords(s1) == ["holiday", "Beach"]  # merged, no duplicate "beach"
    assert b'Rating="4"' in s1
    assert Path(xmp.sidecar_path(p2)).read_text("utf-8") == "<not xml"
    # a second export changes nothing
    code, out, _ = cli(capsys, lib, "export-xmp", "--folder", str(photos))
    assert "0 created, 0 updated" in out
    assert Path(xmp.sidecar_path(p0)).read_bytes() == s0


def test_eval_folders_runs_on_the_test_model_and_says_it_is_chance(tmp_path, capsys):
    root = tmp_path / "classes"
    for name, col in [("red_things", (220, 20, 20)), ("green", (20, 200, 20)),
                      ("blue", (20, 20, 220))]:
        for i in range(3):
            make_image(root / name / f"{i}.png", tuple(min(255, c + 10 * i) for c in col))
    code, out, err = cli(capsys, tmp_path / "lib", "eval", "folders", str(root))
    assert code == 0, err
    assert "RANDOM weights" in out and "chance level" in out
    assert "template ensemble" in out and "class name only" in out
    data = cli_json(capsys, tmp_path / "lib", "eval", "folders", str(root))
    assert data["images"] == 9 and data["classes"] == 3 and data["random_weights"] is True
    assert data["chance"]["any"] == {"top1": pytest.approx(1 / 3), "top5": 1.0}
    for variant in ("class_name_only", "single_template", "template_ensemble"):
        assert data["metrics"][variant]["top5"] == 1.0  # 3 classes: always in the top 5
        assert 0.0 <= data["metrics"][variant]["top1"] <= 1.0


def test_eval_captions_on_flickr_subset(tmp_path, capsys):
    flickr = require(FLICKR)
    data = cli_json(capsys, tmp_path / "lib", "eval", "captions", str(flickr / "captions.txt"),
                    str(flickr / "Images"), "--limit", "20")
    assert data["images"] == 20 and data["captions"] == 100
    assert "chance level" in data["note"]
    assert data["chance"]["text_to_image"]["R@10"] == pytest.approx(0.5)
    for task in ("text_to_image", "image_to_text"):
        r = data["metrics"][task]
        assert 0.0 <= r["R@1"] <= r["R@5"] <= r["R@10"] <= 1.0
    code, _, err = cli(capsys, tmp_path / "lib", "eval", "captions", str(tmp_path / "no.txt"),
                       str(flickr / "Images"))
    assert code == 1 and "is not a file" in err


def test_json_output_is_valid_for_tags_of_an_untagged_photo(indexed, capsys):
    lib, photos = indexed
    assert cli_json(capsys, lib, "tags", str(photos / "p3.jpg")) == []
    code, _, err = cli(capsys, lib, "tags", str(photos / "nope.jpg"))
    assert code == 1 and "not in the library" in err
    json.dumps(cli_json(capsys, lib, "labels", "list"))


def test_review_with_an_unknown_path_records_nothing(indexed, capsys):
    lib, photos = indexed
    cli(capsys, lib, "labels", "add", "mine", "--no-apply")
    code, _, err = cli(capsys, lib, "review", "mine", "--accept", str(photos / "p0.jpg"),
                       "--reject", str(photos / "missing.jpg"), "--no-apply")
    assert code == 1 and "not in the library" in err
    assert tagged_paths(lib, "mine") == set()
    code, _, err = cli(capsys, lib, "review", "mine")
    assert code == 1 and "nothing to review" in err
