"""Catalog safety (issue 16): 0-byte, foreign, truncated and garbage-page catalogs are
refused with one line naming what happened and the exact restore command; rotating
backups (daily, before migrations) and `restore-backup` bring labels and folders back;
a lost or broken index is rebuilt once and saved."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from photosearch.core import catalog_safety as safety

from ..conftest import make_image
from .cli_helpers import cli, cli_json, run_subprocess


def _errors(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("photosearch: error:")]


@pytest.fixture
def indexed(tmp_path, capsys):
    """A library with 4 photos, a folder and a label, and a daily backup of that state."""
    photos = tmp_path / "photos"
    for i in range(4):
        make_image(photos / f"p{i}.jpg", color=(60 * i, 90, 200 - 40 * i), fmt="JPEG")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", "--no-embed", str(photos))[0] == 0
    assert cli(capsys, lib, "labels", "add", "keepme", "--no-apply")[0] == 0
    # The first backup was taken when the catalog was still empty; a day later the next
    # open takes a new one (aged here instead of waiting a day).
    day_ago = time.time() - 2 * safety.DAILY_S
    for b in safety.backups(lib / "catalog.db"):
        os.utime(b.path, (day_ago, day_ago))
    assert cli(capsys, lib, "status")[0] == 0
    fresh = [b for b in safety.backups(lib / "catalog.db") if time.time() - b.at < 600]
    assert len(fresh) == 1 and fresh[0].kind == "daily"
    assert not (lib / "catalog.db-wal").exists() or (lib / "catalog.db-wal").stat().st_size == 0
    return lib, photos


@pytest.mark.parametrize("content, what", [
    (b"", "is empty (0 bytes"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "is not a photosearch catalog"),
])
def test_empty_or_foreign_file_is_refused_never_a_new_library(tmp_path, capsys, content, what):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "catalog.db").write_bytes(content)
    for args in (["status"], ["folders", "list"], ["index", "--no-embed", str(tmp_path)]):
        code, out, err = cli(capsys, lib, *args)
        assert code == 1, (args, err)
        [line] = _errors(err)
        assert what in line and "was not opened" in line and "photos are untouched" in line
        assert "please report" not in err
    assert (lib / "catalog.db").read_bytes() == content  # not turned into an empty library


def test_truncated_catalog_names_the_restore_command_and_restore_brings_labels_back(
        indexed, capsys):
    lib, photos = indexed
    cat = lib / "catalog.db"
    size = cat.stat().st_size
    with open(cat, "r+b") as fh:
        fh.truncate(size // 2)
    proc = run_subprocess(lib, "status")
    assert proc.returncode == 1, proc.stderr
    [line] = _errors(proc.stderr)
    assert f"photosearch --library {lib} restore-backup" in line and "damaged" in line
    assert "please report" not in proc.stderr

    proc = run_subprocess(lib, "restore-backup")
    assert proc.returncode == 0, proc.stderr
    assert "restored the catalog" in proc.stdout
    kept = list(lib.glob("catalog.db.damaged-*"))
    assert kept and kept[0].stat().st_size == size // 2  # the damaged file is kept aside
    status = cli_json(capsys, lib, "status")
    assert status["photos"] == 4 and [f["path"] for f in status["folders"]] == [str(photos)]
    assert "keepme" in cli(capsys, lib, "labels", "list")[1]


def test_garbage_pages_are_caught_at_open_and_by_check(indexed):
    lib, _ = indexed
    cat = lib / "catalog.db"
    page = sqlite3.connect(cat).execute("PRAGMA page_size").fetchone()[0]
    pages = cat.stat().st_size // page
    assert pages > 6
    with open(cat, "r+b") as fh:  # 3 pages of garbage in the middle, header intact
        for n in (pages // 2 - 1, pages // 2, pages // 2 + 1):
            fh.seek(n * page)
            fh.write(os.urandom(page))
    for args in (["status"], ["search", "anything"], ["index", "--no-embed"], ["check"]):
        proc = run_subprocess(lib, *args)
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        [line] = _errors(proc.stderr)
        assert "damaged" in line or "fails the integrity check" in line, line
        assert "restore-backup" in line, line
    assert run_subprocess(lib, "restore-backup").returncode == 0
    proc = run_subprocess(lib, "check")
    assert proc.returncode == 0 and "catalog ok" in proc.stdout


def test_backup_before_migration_and_rotation(tmp_path, monkeypatch):
    from photosearch.core import catalog as catalog_mod

    path = tmp_path / "catalog.db"
    steps = catalog_mod.migrations()
    monkeypatch.setattr(catalog_mod, "migrations", lambda: steps[:-1])
    catalog_mod.Catalog(path).close()  # a catalog written by an older version
    monkeypatch.setattr(catalog_mod, "migrations", lambda: steps)
    catalog_mod.Catalog(path).close()  # upgrading it
    [pre] = [b for b in safety.backups(path) if b.kind == "pre-migration"]
    old_version = sqlite3.connect(pre.path).execute("PRAGMA user_version").fetchone()[0]
    assert old_version == steps[-2][0]

    conn = sqlite3.connect(path)
    for _ in range(safety.KEEP["daily"] + 3):
        safety.make_backup(conn, path, "daily")
    conn.close()
    kinds = [b.kind for b in safety.backups(path)]
    assert kinds.count("daily") == safety.KEEP["daily"] and kinds.count("pre-migration") == 1


def test_lost_index_is_rebuilt_once_and_saved(tmp_path, capsys):
    photos = tmp_path / "photos"
    for i in range(3):
        make_image(photos / f"p{i}.jpg", color=(80 * i, 30, 90), fmt="JPEG")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0
    for f in (lib / "index").iterdir():
        f.unlink()
    assert len(cli_json(capsys, lib, "search", "anything")) == 3
    assert any((lib / "index").iterdir()), "the rebuilt index was not saved"


def test_index_path_that_is_a_file_is_reported_and_repaired(tmp_path, capsys):
    photos = tmp_path / "photos"
    make_image(photos / "p.jpg", fmt="JPEG")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0
    for f in (lib / "index").iterdir():
        f.unlink()
    (lib / "index").rmdir()
    (lib / "index").write_text("oops")
    code, out, err = cli(capsys, lib, "search", "anything", "--json")
    assert code == 0, err
    assert "was a file, not a folder" in err
    assert (lib / "index").is_dir() and any((lib / "index").iterdir())
    assert [p.read_text() for p in lib.glob("index.not-a-folder-*")] == ["oops"]
    assert cli(capsys, lib, "status")[0] == 0


def test_quick_check_runs_again_only_when_the_file_changed(tmp_path, monkeypatch):
    from photosearch.core.catalog import Catalog

    path = tmp_path / "catalog.db"
    Catalog(path).close()
    calls: list[bool] = []
    real = safety.run_check
    monkeypatch.setattr(safety, "run_check", lambda conn, full=True: calls.append(full) or
                        real(conn, full))

    def open_in_a_new_process() -> None:
        safety._checked.clear()  # what a new process starts with
        Catalog(path, readonly=True).close()

    open_in_a_new_process()
    assert calls == [False]  # first open: checked, stamp written
    open_in_a_new_process()
    assert calls == [False]  # unchanged file: not read again
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # written since: check again
    open_in_a_new_process()
    assert calls == [False, False]
