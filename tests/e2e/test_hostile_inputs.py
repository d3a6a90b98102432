"""Bad input gets a clear problem entry, nothing crashes, and nothing else is lost."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from ..conftest import make_image
from .cli_helpers import cli, cli_json


def _bomb_png(path: Path, width: int = 60_000, height: int = 60_000) -> None:
    """A tiny PNG whose header claims 3.6 gigapixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                     chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.fixture
def hostile(tmp_path) -> Path:
    d = tmp_path / "photos"
    good = make_image(d / "good.jpg", fmt="JPEG")
    make_image(d / "good2.png", color=(20, 20, 220), fmt="PNG")
    (d / "zero.jpg").write_bytes(b"")
    data = good.read_bytes()
    (d / "truncated.jpg").write_bytes(data[: len(data) // 2])
    make_image(d / "really_a_png.jpg", color=(20, 200, 20), fmt="PNG")
    (d / "text.jpg").write_text("this is not a photo\n")
    _bomb_png(d / "bomb.png")
    unreadable = make_image(d / "unreadable.jpg", color=(90, 90, 90), fmt="JPEG")
    os.chmod(unreadable, 0)
    weird = os.path.join(os.fsencode(d), b"caf\xe9 \xff photo.jpg")  # not valid UTF-8
    with open(weird, "wb") as f:
        f.write(make_image(d / "tmp_weird.jpg", color=(200, 200, 20), fmt="JPEG").read_bytes())
    (d / "tmp_weird.jpg").unlink()
    (d / "sub").mkdir()
    make_image(d / "sub" / "inner.jpg", color=(10, 10, 10), fmt="JPEG")
    os.symlink(d, d / "sub" / "loop")  # a symlink loop back to the root
    return d


def _block_unreadable_for_root(monkeypatch):
    """Root reads mode-000 files anyway; make the OS answer EACCES as it would for a user."""
    if os.geteuid() != 0:
        return
    import builtins

    from photosearch.core import indexer

    real_open = builtins.open

    def fake_open(file, *a, **k):
        if str(file).endswith("unreadable.jpg"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **k)
    monkeypatch.setattr(indexer, "open", fake_open, raising=False)


def test_each_bad_file_becomes_a_problem_and_the_rest_is_indexed(tmp_path, capsys, hostile,
                                                                 monkeypatch):
    _block_unreadable_for_root(monkeypatch)
    lib = tmp_path / "lib"
    code, out, err = cli(capsys, lib, "index", str(hostile))
    assert code == 0, err
    problems = {Path(p["path"]).name: p["reason"] for p in cli_json(capsys, lib, "problems")}
    assert set(problems) == {"zero.jpg", "truncated.jpg", "text.jpg", "bomb.png", "unreadable.jpg"}
    assert "empty" in problems["zero.jpg"]
    assert "truncated" in problems["truncated.jpg"]
    assert "not an image" in problems["text.jpg"]
    assert "too large" in problems["bomb.png"] and "max_pixels" in problems["bomb.png"]
    assert "permission denied" in problems["unreadable.jpg"]

    status = cli_json(capsys, lib, "status")
    # good.jpg, good2.png, really_a_png.jpg (decoded by content), the non-UTF-8 name, sub/inner.jpg
    assert status["embedded"] == status["files"] == 5
    assert status["problems"] == 5
    results = cli_json(capsys, lib, "search", "photo", "--limit", "50")
    names = {Path(r["path"]).name for r in results}
    # a name that is not UTF-8: readable text with U+FFFD, and its exact bytes (issue 16)
    assert names == {"good.jpg", "good2.png", "really_a_png.jpg", "caf\ufffd \ufffd photo.jpg",
                     "inner.jpg"}
    by_name = {Path(r["path"]).name: r for r in results}
    import base64

    raw = base64.b64decode(by_name["caf\ufffd \ufffd photo.jpg"]["path_bytes"])
    assert raw.endswith(b"caf\xe9 \xff photo.jpg") and os.path.exists(raw)
    assert by_name["really_a_png.jpg"]["format"] == "png"


def test_known_bad_files_are_not_retried_until_they_change(tmp_path, capsys, hostile, monkeypatch):
    _block_unreadable_for_root(monkeypatch)
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(hostile))[0] == 0
    from photosearch.core import indexer

    seen = []
    real = indexer._work
    monkeypatch.setattr(indexer, "_work", lambda job, *a: seen.append(job.file.path) or
                        real(job, *a))
    assert cli(capsys, lib, "index")[0] == 0
    assert seen == []
    make_image(hostile / "truncated.jpg", color=(250, 120, 0), fmt="JPEG")  # the user fixed it
    code, out, _ = cli(capsys, lib, "index")
    assert code == 0 and "1 embedded" in out
    assert "truncated.jpg" not in {Path(p["path"]).name for p in cli_json(capsys, lib, "problems")}


def test_a_file_that_vanishes_mid_run_is_a_problem_not_a_crash(tmp_path, library, monkeypatch):
    from photosearch.core import indexer

    d = tmp_path / "photos"
    for i in range(6):
        make_image(d / f"p{i}.jpg", color=(40 * i, 100, 100), fmt="JPEG")
    real = indexer._work

    def vanish_p3(job, *args):
        if job.file.path.endswith("p3.jpg") and os.path.exists(job.file.path):
            os.unlink(job.file.path)
        return real(job, *args)
    monkeypatch.setattr(indexer, "_work", vanish_p3)
    report = indexer.Indexer(library).run([str(d)])
    assert report.embedded == 5 and report.problems == 1
    assert "vanished" in library.catalog.problems()[0]["reason"]


def test_deleting_a_broken_file_clears_its_problem(tmp_path, capsys, hostile, monkeypatch):
    _block_unreadable_for_root(monkeypatch)
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(hostile))[0] == 0
    (hostile / "text.jpg").unlink()
    assert cli(capsys, lib, "index")[0] == 0
    names = {Path(p["path"]).name for p in cli_json(capsys, lib, "problems")}
    assert "text.jpg" not in names and len(names) == 4
    assert cli_json(capsys, lib, "status")["problems"] == 4


def test_browsing_with_filters_only_works_without_a_model(tmp_path, capsys, hostile):
    """A library cataloged with --no-embed can still be browsed from the CLI."""
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", "--no-embed", str(hostile))[0] == 0
    listed = cli_json(capsys, lib, "search", "type:png")
    assert {Path(r["path"]).name for r in listed} == {"good2.png", "really_a_png.jpg"}
    assert all(r["score"] is None for r in listed)


def test_negative_paging_is_a_usage_error(tmp_path, capsys):
    from photosearch.cli import main

    for bad in (["--limit", "-5"], ["--offset", "-3"], ["--limit", "0"]):
        with pytest.raises(SystemExit) as exc:
            main(["--library", str(tmp_path / "lib"), "search", "cat", *bad])
        assert exc.value.code == 2
