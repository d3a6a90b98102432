"""The CLI end to end on real files: index, search, similar, status, problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import FORMATS, make_image
from .cli_helpers import cli, cli_json, run_subprocess

IMAGE_FILES = sorted(p.name for p in FORMATS.iterdir() if p.suffix != ".txt") \
    if FORMATS.is_dir() else []


@pytest.fixture
def indexed(tmp_path, capsys, formats_copy):
    lib = tmp_path / "lib"
    code, out, err = cli(capsys, lib, "index", str(formats_copy))
    assert code == 0, err
    return lib, formats_copy


def test_every_shared_format_indexes_and_the_non_image_is_ignored(indexed, capsys):
    lib, photos = indexed
    status = cli_json(capsys, lib, "status")
    assert status["files"] == len(IMAGE_FILES) == 22
    assert status["embedded"] == status["photos"] == 22
    assert status["pending"] == 0 and status["problems"] == 0
    assert status["model"] == "test-tiny/none"
    assert cli_json(capsys, lib, "problems") == []
    paths = {Path(r["path"]).name for r in cli_json(capsys, lib, "search", "anything",
                                                      "--limit", "100")}
    assert paths == set(IMAGE_FILES)  # not-an-image.txt never shows up


def test_search_json_has_path_score_and_paging_is_consistent(indexed, capsys):
    lib, _ = indexed
    full = cli_json(capsys, lib, "search", "a black cat", "--limit", "10")
    assert len(full) == 10
    assert all({"path", "score", "strong", "taken_at"} <= set(r) for r in full)
    scores = [r["score"] for r in full]
    assert scores == sorted(scores, reverse=True)
    page2 = cli_json(capsys, lib, "search", "a black cat", "--limit", "5", "--offset", "5")
    assert [r["path"] for r in page2] == [r["path"] for r in full[5:10]]


def test_negative_terms_on_the_command_line_are_part_of_the_query(indexed, capsys):
    lib, _ = indexed
    plain = cli_json(capsys, lib, "search", "beach", "--limit", "22")
    negated = cli_json(capsys, lib, "search", "beach", "-people", "--limit", "22")
    assert [r["path"] for r in plain] != [r["path"] for r in negated]


def test_type_filter_and_human_output(indexed, capsys):
    lib, _ = indexed
    pngs = cli_json(capsys, lib, "search", "boats", "--type", "png")
    assert [Path(r["path"]).name for r in pngs] == ["boats on a lake.png"]
    code, out, _ = cli(capsys, lib, "search", "boats", "--limit", "3")
    assert code == 0 and out.count("\n") >= 3 and "/photos/" in out


def test_similar_finds_other_photos_and_never_the_query_itself(indexed, capsys):
    lib, photos = indexed
    res = cli_json(capsys, lib, "similar", str(photos / "cat.jpg"), "--limit", "5")
    assert len(res) == 5
    assert str(photos / "cat.jpg") not in [r["path"] for r in res]
    # bee.jpg's first frame is the animated GIF's: the GIF is the nearest photo.
    res = cli_json(capsys, lib, "similar", str(photos / "bee.jpg"), "--limit", "1")
    assert Path(res[0]["path"]).name == "bee_animated.gif"


def test_similar_accepts_an_image_outside_the_library(indexed, capsys, tmp_path):
    lib, photos = indexed
    outside = str(shutil.copy(photos / "tree.webp", tmp_path / "elsewhere.webp"))
    res = cli_json(capsys, lib, "similar", outside, "--limit", "3")
    assert len(res) == 3 and all(Path(r["path"]).name != "tree.webp" for r in res)


def test_reindex_of_an_unchanged_folder_decodes_nothing(indexed, capsys, monkeypatch):
    lib, photos = indexed
    from photosearch.core import imaging

    calls = []
    real = imaging.decode_for_model
    monkeypatch.setattr(imaging, "decode_for_model",
                        lambda *a, **k: calls.append(a) or real(*a, **k))
    code, out, _ = cli(capsys, lib, "index")
    assert code == 0
    assert calls == []
    assert "0 embedded" in out and "22 unchanged" in out


def test_a_deleted_file_leaves_results_and_a_modified_one_is_reembedded(indexed, capsys):
    lib, photos = indexed
    (photos / "cat.jpg").unlink()
    make_image(photos / "cake.jpg", color=(10, 200, 10), fmt="JPEG")  # new content, same name
    code, out, _ = cli(capsys, lib, "index")
    assert code == 0 and "1 embedded" in out and "1 removed" in out
    names = [Path(r["path"]).name for r in cli_json(capsys, lib, "search", "cat", "--limit", "50")]
    assert "cat.jpg" not in names and "cake.jpg" in names
    status = cli_json(capsys, lib, "status")
    assert status["files"] == 21 and status["pending"] == 0


def test_folders_add_list_remove(tmp_path, capsys, formats_copy):
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "folders", "add", str(formats_copy))[0] == 0
    assert [f["path"] for f in cli_json(capsys, lib, "folders", "list")] == [str(formats_copy)]
    assert cli(capsys, lib, "index")[0] == 0
    assert cli_json(capsys, lib, "status")["files"] == 22
    code, out, _ = cli(capsys, lib, "folders", "remove", str(formats_copy))
    assert code == 0 and "nothing on disk was touched" in out
    assert cli_json(capsys, lib, "status")["files"] == 0
    assert len(list(formats_copy.iterdir())) == 23


def test_usage_errors_exit_2_and_failures_exit_1_with_one_line(tmp_path):
    lib = tmp_path / "lib"
    usage = run_subprocess(lib, "search")
    assert usage.returncode == 2 and "usage:" in usage.stderr
    bad = run_subprocess(lib, "index", str(tmp_path / "missing"))
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("photosearch: error:")
    assert "Traceback" not in bad.stderr
    nothing = run_subprocess(lib, "search", "cat")
    assert nothing.returncode == 1 and "run 'photosearch index' first" in nothing.stderr


def test_missing_weights_give_a_clear_error_and_still_catalog(tmp_path, capsys, formats_copy):
    """Without weights the library is still built (browse, duplicates), with a warning."""
    from photosearch.cli import main

    lib = tmp_path / "lib"
    capsys.readouterr()
    code = main(["--library", str(lib), "--model", "ViT-B-32", "--pretrained", "laion2b_s34b_b79k",
                 "index", "--offline", str(formats_copy)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "cataloged without embeddings" in err and "--pretrained /path/to/weights" in err
    assert "22 cataloged without embedding" in out


def test_an_over_long_query_is_truncated_with_a_notice(indexed, capsys):
    lib, _ = indexed
    code, out, err = cli(capsys, lib, "search", *(["sunset over the sea"] * 40), "--limit", "2")
    assert code == 0 and "truncated to the model's 77 tokens" in err


def test_folders_list_and_status_agree_on_an_unmounted_drive(indexed, capsys):
    """An emptied root that had photos looks like a bare mount point: offline in both."""
    lib, photos = indexed
    hidden = photos.parent / "unplugged"
    photos.rename(hidden)
    photos.mkdir()  # the mount point stays, empty
    listed = cli_json(capsys, lib, "folders", "list")
    status = cli_json(capsys, lib, "status")
    assert listed == [{"path": str(photos), "online": False}]
    assert status["offline_folders"] == [str(photos)] and status["files"] == 22
