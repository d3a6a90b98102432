"""`photosearch dupes` end to end on real files: list, resolve (dry run, confirm, trash),
not-duplicates, undo. The trash is a real freedesktop trash in a temp XDG_DATA_HOME."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from ..unit.dupes_helpers import RED, SEPIA, checksums, save, texture
from .cli_helpers import cli, cli_json

T0 = 1_600_000_000.0


@pytest.fixture
def photos(tmp_path) -> Path:
    root = tmp_path / "photos"
    orig = texture(1, SEPIA)
    save(orig, root / "orig.png", T0)
    save(orig, root / "copies" / "q60.jpg", T0 + 5000, quality=60)
    save(orig.resize((160, 120)), root / "copies" / "half.jpg", T0 + 6000, quality=85)
    a = save(texture(2, RED), root / "a" / "red.jpg", T0 + 100_000, quality=90)
    (root / "b").mkdir()
    shutil.copyfile(a, root / "b" / "red.jpg")
    save(texture(3, SEPIA), root / "unique.jpg", T0 + 500_000, quality=90)
    return root


@pytest.fixture
def indexed(tmp_path, capsys, photos):
    """Cataloged without a model: exact and same-photo duplicates need none."""
    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "index", str(photos), "--no-embed")
    assert code == 0, err
    return lib, photos


def test_dupes_lists_every_tier_with_reasons_and_keepers(indexed, capsys):
    lib, photos = indexed
    groups = cli_json(capsys, lib, "dupes")
    by_tier = {t: [g for g in groups if g["tier"] == t] for t in ("exact", "same", "similar")}
    assert len(by_tier["exact"]) == 1 and len(by_tier["same"]) == 1 and by_tier["similar"] == []
    same = by_tier["same"][0]
    assert same["keeper"] == str(photos / "orig.png")
    assert same["reason"].startswith("same photo") and same["keeper_reason"]
    assert same["auto_select"] is True
    assert sorted(Path(i["path"]).name for i in same["items"]) == \
        ["half.jpg", "orig.png", "q60.jpg"]
    exact = by_tier["exact"][0]
    assert {i["path"] for i in exact["items"]} == {str(photos / "a" / "red.jpg"),
                                                  str(photos / "b" / "red.jpg")}
    code, out, err = cli(capsys, lib, "dupes", "--tier", "same")
    assert code == 0 and "Same photo" in out and "keep " in out and "Exact" not in out
    assert "no embeddings" in err  # says why similar shots are unavailable


def test_resolve_dry_run_and_unconfirmed_runs_touch_nothing(indexed, capsys, xdg_trash):
    lib, photos = indexed
    before = checksums(photos)
    code, out, _ = cli(capsys, lib, "dupes", "resolve", "--tier", "same", "--dry-run")
    assert code == 0 and "trash  " in out and "dry run: nothing was moved" in out
    code, _, err = cli(capsys, lib, "dupes", "resolve", "--tier", "same")  # stdin: no tty
    assert code == 1 and "--yes" in err
    assert checksums(photos) == before
    assert not (xdg_trash / "files").exists()


def test_resolve_then_undo_restores_every_byte(indexed, capsys, xdg_trash):
    lib, photos = indexed
    before = checksums(photos)
    code, out, err = cli(capsys, lib, "dupes", "resolve", "--tier", "same", "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["done"] and sorted(Path(p).name for p in result["trashed"]) == \
        ["half.jpg", "q60.jpg"]
    assert sorted(p.name for p in (xdg_trash / "files").iterdir()) == ["half.jpg", "q60.jpg"]
    assert checksums(photos) == {p: s for p, s in before.items() if p not in result["trashed"]}
    assert cli_json(capsys, lib, "dupes", "--tier", "same") == []
    with sqlite3.connect(lib / "catalog.db") as db:  # (status would import torch: slow)
        files = {r[0] for r in db.execute("SELECT path FROM files")}
    assert len(files) == 4 and not files & set(result["trashed"])  # the catalog forgot them

    code, out, err = cli(capsys, lib, "dupes", "undo", "--log", result["undo_log"])
    assert code == 0, err
    assert "restored 2 files" in out
    assert checksums(photos) == before
    assert len(cli_json(capsys, lib, "dupes", "--tier", "same")) == 1
    code, out, _ = cli(capsys, lib, "dupes", "undo")
    assert code == 0 and "nothing to undo" in out


def test_exact_resolve_keeps_the_rule_chosen_copy(indexed, capsys, xdg_trash):
    lib, photos = indexed
    keep = photos / "b"
    code, out, err = cli(capsys, lib, "dupes", "resolve", "--yes",
                         "--keep", f"folder:{keep}")
    assert code == 0, err
    assert (keep / "red.jpg").exists() and not (photos / "a" / "red.jpg").exists()
    assert "moved 1 files" in out and "dupes undo --log" in out


def test_not_duplicates_is_remembered_and_can_be_forgotten(indexed, capsys):
    lib, photos = indexed
    args = [str(photos / "orig.png"), str(photos / "copies" / "q60.jpg"),
            str(photos / "copies" / "half.jpg")]
    code, out, _ = cli(capsys, lib, "dupes", "not-duplicates", *args)
    assert code == 0 and "3 photos are not duplicates (3 pairs)" in out
    assert cli_json(capsys, lib, "dupes", "--tier", "same") == []
    code, _, _ = cli(capsys, lib, "dupes", "not-duplicates", "--forget", *args)
    assert code == 0 and len(cli_json(capsys, lib, "dupes", "--tier", "same")) == 1


def test_user_errors_are_one_line_exit_1(indexed, capsys, tmp_path):
    lib, photos = indexed
    code, _, err = cli(capsys, lib, "dupes", "not-duplicates", str(tmp_path / "nope.jpg"),
                       str(photos / "orig.png"))
    assert code == 1 and "is not in the library" in err
    code, _, err = cli(capsys, lib, "dupes", "resolve", "--keep", "prettiest", "--dry-run")
    assert code == 1 and "unknown keeper rule" in err
    code, _, err = cli(capsys, lib, "dupes", "undo", "--log", str(tmp_path / "no.jsonl"))
    assert code == 1 and "does not exist" in err
    code, _, err = cli(capsys, lib, "dupes", "--folder", str(tmp_path / "missing"))
    assert code == 1 and "is not a folder" in err
    with pytest.raises(SystemExit):  # similar shots cannot be resolved automatically
        cli(capsys, lib, "dupes", "resolve", "--tier", "similar")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="freedesktop trash")
def test_with_the_test_model_all_three_tiers_run(tmp_path, capsys, photos):
    """Plumbing with real (random) embeddings: the kNN graph path runs end to end."""
    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "index", str(photos))
    assert code == 0, err
    groups = cli_json(capsys, lib, "dupes")
    assert {g["tier"] for g in groups} >= {"exact", "same"}
    for g in groups:
        assert g["reason"] and g["keeper"] == g["items"][0]["path"]
        assert g["auto_select"] == (g["tier"] != "similar")
