"""Retrying problems (issue 16): on request (CLI flag, core function for the app's Retry
button), and automatically when the setting that caused them changed."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from ..conftest import make_image
from .cli_helpers import cli, cli_json


def _photos(tmp_path: Path) -> Path:
    d = tmp_path / "photos"
    make_image(d / "ok.jpg", fmt="JPEG")
    Image.new("RGB", (3000, 2000), (10, 120, 200)).save(d / "big.png")  # 6 MP
    return d


def _set(lib: Path, **values) -> None:
    path = lib / "settings.json"
    data = json.loads(path.read_text("utf-8")) if path.exists() else {}
    data.update(values)
    path.write_text(json.dumps(data), "utf-8")


def _problem_names(capsys, lib) -> list[str]:
    return [Path(p["path"]).name for p in cli_json(capsys, lib, "problems")]


def test_raising_max_pixels_retries_the_problem_automatically(tmp_path, capsys):
    photos, lib = _photos(tmp_path), tmp_path / "lib"
    assert cli(capsys, lib, "index", "--no-embed", str(photos))[0] == 0
    _set(lib, max_pixels=5_000_000)
    assert cli(capsys, lib, "index", "--no-embed")[0] == 0  # limit lowered: a problem now?
    # (files already cataloged are unchanged and not re-read: lowering never drops photos)
    big2 = photos / "big2.png"
    Image.new("RGB", (3000, 2000), (200, 120, 10)).save(big2)
    assert cli(capsys, lib, "index", "--no-embed")[0] == 0
    [p] = cli_json(capsys, lib, "problems")
    assert Path(p["path"]).name == "big2.png" and "limit is 5 megapixels" in p["reason"]
    assert cli(capsys, lib, "index", "--no-embed")[0] == 0  # unchanged: still a problem
    assert _problem_names(capsys, lib) == ["big2.png"]

    _set(lib, max_pixels=50_000_000)  # what the message told the user to do
    code, out, err = cli(capsys, lib, "index", "--no-embed")
    assert code == 0, err
    assert _problem_names(capsys, lib) == []
    assert cli_json(capsys, lib, "status")["photos"] == 3


def test_retry_problems_flag_reads_unchanged_bad_files_again(tmp_path, capsys, monkeypatch):
    photos, lib = _photos(tmp_path), tmp_path / "lib"
    (photos / "bad.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    assert cli(capsys, lib, "index", "--no-embed", str(photos))[0] == 0
    assert _problem_names(capsys, lib) == ["bad.jpg"]

    from photosearch.core import indexer

    seen: list[str] = []
    real = indexer._work
    monkeypatch.setattr(indexer, "_work", lambda job, *a: seen.append(job.file.path) or
                        real(job, *a))
    assert cli(capsys, lib, "index", "--no-embed")[0] == 0
    assert seen == []  # unchanged known-bad file: skipped
    assert cli(capsys, lib, "index", "--no-embed", "--retry-problems")[0] == 0
    assert [Path(p).name for p in seen] == ["bad.jpg"]  # read again, still bad
    assert _problem_names(capsys, lib) == ["bad.jpg"]


def test_core_retry_function_for_the_apps_retry_button(tmp_path, capsys, library):
    from photosearch.core.indexer import Indexer
    from photosearch.core.problems import retry_problems

    photos = _photos(tmp_path)
    library.settings.max_pixels = 5_000_000
    Indexer(library, embed=False).run([str(photos)])
    assert [Path(p["path"]).name for p in library.catalog.problems()] == ["big.png"]
    gone = photos / "gone.jpg"
    gone.write_bytes(b"junk")
    Indexer(library, embed=False).run()
    gone.unlink()
    assert len(library.catalog.problems()) == 2

    library.settings.max_pixels = 50_000_000  # the app changed the setting in place
    report = retry_problems(library, embed=False)
    assert library.catalog.problems() == []
    assert report.cataloged == 1 and report.removed == 1
