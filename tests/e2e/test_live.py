"""`photosearch index --watch` as a real process: Ctrl+C, kill -9 mid-burst, second writer.

After each scenario the catalog must mirror the disk exactly (paths and content hashes),
every photo must be embedded once, and the saved vector index must serve exactly the
photos that have a file, as a freshly started process would load it.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from photosearch.core import imaging
from photosearch.core.catalog import Catalog
from photosearch.core.vector_index import VectorIndex

from ..conftest import make_image
from .cli_helpers import TINY, cli, cli_json

pytestmark = pytest.mark.slow


class WatchProcess:
    """`photosearch index --watch` in a subprocess, its output collected by a thread."""

    def __init__(self, library: Path, *extra: str):
        cmd = [sys.executable, "-m", "photosearch", "--library", str(library), *TINY,
               "index", "--watch", *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=dict(os.environ))
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in ln for ln in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; output so far:\n" + "\n".join(self.lines))

    def interrupt(self, timeout: float = 60) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no cleanup at all
        self.proc.wait(30)


def tiny_images(folder: Path, n: int, offset: int = 0) -> None:
    for i in range(offset, offset + n):
        make_image(folder / f"{i:04d}.png", (i % 256, (i // 256) * 37 % 256, 120),
                   size=(16, 16), fmt="PNG")


def disk_state(root: Path) -> dict[str, str]:
    return {str(p): imaging.hash_file(str(p))[0] for p in root.rglob("*.png")}


def catalog_files(library: Path) -> dict[str, str]:
    cat = Catalog(library / "catalog.db", readonly=True)
    try:
        return dict(cat.conn.execute("SELECT path, hash FROM files").fetchall())
    finally:
        cat.close()


def wait_catalog(library: Path, pred, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred(catalog_files(library)):
                return
        except sqlite3.OperationalError:
            pass  # catalog not created yet
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def assert_library_consistent(library: Path, expected: dict[str, str]) -> None:
    """Exact catalog state, one embedding per photo, integrity, and the saved index file
    serving exactly the photos that have a file."""
    cat = Catalog(library / "catalog.db", readonly=True)
    try:
        assert cat.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert dict(cat.conn.execute("SELECT path, hash FROM files").fetchall()) == expected
        model = "test-tiny/none"
        per_hash = dict(cat.conn.execute(
            "SELECT hash, COUNT(*) FROM embeddings WHERE model_id = ? GROUP BY hash",
            (model,)).fetchall())
        assert set(expected.values()) <= set(per_hash), "photos without embedding"
        assert set(per_hash.values()) == {1}, "a photo embedded twice"
        live = set(cat.live_embedding_ids(model).tolist())
        dim = int(cat.get_meta(f"dim:{model}"))
    finally:
        cat.close()
    index_file = next((library / "index").glob("*.hnsw.json")).with_suffix("")
    saved = VectorIndex.load(index_file, dim, model)
    assert saved is not None, "index file missing or unreadable"
    assert saved.labels() == live, "saved index disagrees with the catalog"


def test_ctrl_c_finishes_cleanly_and_everything_is_saved(tmp_path):
    lib, root = tmp_path / "lib", tmp_path / "photos"
    tiny_images(root, 5)
    w = WatchProcess(lib, str(root))
    w.wait_line("watching 1 folder")
    tiny_images(root, 5, offset=100)
    expected = disk_state(root)
    wait_catalog(lib, lambda f: f == expected, "new photos indexed while watching")
    assert w.interrupt() == 0
    assert any("stopped" in ln for ln in w.lines)
    assert_library_consistent(lib, expected)


def test_kill_9_during_a_burst_then_restart_loses_nothing_and_doubles_nothing(tmp_path):
    lib, root = tmp_path / "lib", tmp_path / "photos"
    root.mkdir()
    staging = tmp_path / "staging"
    tiny_images(staging, 600)
    w = WatchProcess(lib, str(root))
    w.wait_line("watching 1 folder")
    for p in sorted(staging.iterdir()):
        shutil.copy(p, root / p.name)  # the burst
    wait_catalog(lib, lambda f: len(f) >= 50, "the burst being indexed")
    w.kill()  # mid-burst
    killed_at = len(catalog_files(lib))
    print(f"killed with {killed_at}/600 files in the catalog")
    assert killed_at >= 50
    (root / "0000.png").unlink()  # and the disk changes while nothing runs
    os.rename(root / "0001.png", root / "renamed.png")

    w2 = WatchProcess(lib)
    expected = disk_state(root)
    w2.wait_line("watching 1 folder")
    wait_catalog(lib, lambda f: f == expected, "catalog == disk after restart")
    assert w2.interrupt() == 0
    assert_library_consistent(lib, expected)


def test_second_writer_is_refused_while_watching_and_readers_still_work(tmp_path, capsys):
    lib, root = tmp_path / "lib", tmp_path / "photos"
    tiny_images(root, 3)
    w = WatchProcess(lib, str(root))
    w.wait_line("watching 1 folder")
    try:
        code, _, err = cli(capsys, lib, "index")
        assert code == 1
        assert "in use by 'photosearch index --watch' (pid" in err
        assert "only one process may index it" in err
        code, _, err = cli(capsys, lib, "index", "--watch")
        assert code == 1 and "in use by" in err
        code, out, err = cli(capsys, lib, "status")
        assert code == 0, err
        assert f"photosearch index --watch (pid {w.proc.pid})" in out
    finally:
        assert w.interrupt() == 0
    assert_library_consistent(lib, disk_state(root))
    code, _, err = cli(capsys, lib, "index")  # the lock is free again
    assert code == 0, err


def test_status_shows_an_offline_folder_and_keeps_its_photos(tmp_path, capsys):
    lib, root = tmp_path / "lib", tmp_path / "drive"
    tiny_images(root, 4)
    assert cli(capsys, lib, "index", str(root))[0] == 0
    expected = disk_state(root)
    os.rename(root, tmp_path / "unplugged")
    code, _, err = cli(capsys, lib, "index")
    assert code == 0, err
    assert "is offline; its photos are kept" in err
    data = cli_json(capsys, lib, "status")
    assert data["offline_folders"] == [str(root)]
    assert data["files"] == 4
    assert catalog_files(lib) == expected
    code, out, _ = cli(capsys, lib, "status")
    assert f"{root}  (offline; photos kept)" in out


def test_exclude_and_purge_commands(tmp_path, capsys):
    lib, root = tmp_path / "lib", tmp_path / "photos"
    tiny_images(root, 3)
    tiny_images(root / "raw", 2, offset=50)
    assert cli(capsys, lib, "index", str(root))[0] == 0
    code, out, _ = cli(capsys, lib, "exclude", "add", str(root / "raw"), "*.bak")
    assert code == 0 and "excluded" in out
    listed = cli_json(capsys, lib, "exclude", "list")
    assert str(root / "raw") in listed and "*.bak" in listed and "@eaDir" in listed
    assert cli(capsys, lib, "index")[0] == 0  # the excluded folder's photos are forgotten
    assert set(catalog_files(lib)) == {str(p) for p in root.glob("*.png")}
    data = cli_json(capsys, lib, "purge")  # within the 30-day grace: nothing purged
    assert data["purged_photos"] == 0 and data["orphans_in_grace"] == 2
    data = cli_json(capsys, lib, "purge", "--older-than", "0")
    assert data["purged_photos"] == 2 and data["purged_embeddings"] == 2
    assert cli(capsys, lib, "exclude", "remove", "*.bak")[0] == 0
    assert cli(capsys, lib, "exclude", "remove", "*.nope")[0] == 1
    assert cli(capsys, lib, "index")[0] == 0
    assert len(catalog_files(lib)) == 3  # raw/ still excluded
