"""kill -9 in the middle of indexing loses at most the batch in flight; a rerun completes
the library with every photo embedded exactly once and the index agreeing with the catalog."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from photosearch.core.indexer import Indexer
from photosearch.core.library import Library
from photosearch.core.paths import resolve_library

N = 600


def _photos(d: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    d.mkdir(parents=True)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (48, 48, 3), dtype=np.uint8)).save(d / f"{i:04d}.png")


def _count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # catalog not created yet


def test_kill_9_mid_run_then_resume(tmp_path):
    photos, lib_dir = tmp_path / "photos", tmp_path / "lib"
    _photos(photos, N)
    lib_dir.mkdir()
    (lib_dir / "settings.json").write_text(json.dumps({"batch_size": 8, "workers": 2}))
    db = lib_dir / "catalog.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "photosearch", "--library", str(lib_dir), "--model", "test-tiny",
         "--pretrained", "none", "index", str(photos)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db, "SELECT COUNT(*) FROM embeddings") < 40:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "indexing never started"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    embedded_at_kill = _count(db, "SELECT COUNT(*) FROM embeddings")
    assert 40 <= embedded_at_kill < N, "indexing finished before the kill; raise N"
    # Whatever was committed is whole: every cataloged file has its photo and its embedding.
    assert _count(db, "SELECT COUNT(*) FROM files") == embedded_at_kill
    assert _count(db, "SELECT COUNT(*) FROM files f WHERE NOT EXISTS "
                      "(SELECT 1 FROM embeddings e WHERE e.hash = f.hash)") == 0

    lib = Library.open(resolve_library(lib_dir), model="test-tiny", pretrained="none")
    report = Indexer(lib).run()
    assert report.embedded == N - embedded_at_kill and report.unchanged == embedded_at_kill
    assert report.problems == 0
    counts = lib.catalog.counts(lib.model_id)
    assert counts["files"] == counts["photos"] == counts["embedded"] == N
    assert counts["pending"] == 0
    assert _count(db, "SELECT COUNT(*) FROM (SELECT hash FROM embeddings "
                      "GROUP BY hash, model_id HAVING COUNT(*) > 1)") == 0
    live = set(lib.catalog.live_embedding_ids(lib.model_id).tolist())
    assert lib.index().labels() == live and len(live) == N
    lib.close()

    # The saved index file agrees too: reopening needs no reconciliation.
    again = Library.open(resolve_library(lib_dir), model="test-tiny", pretrained="none")
    from photosearch.core.vector_index import VectorIndex

    saved = VectorIndex.load(again.index_path, again.embedding_dim(), again.model_id)
    assert saved is not None and saved.labels() == live
    again.catalog.close()


# -- issue 16: the sweep also covers a renamed root and a restored catalog ------------------
def _index_and_kill(lib_dir: Path, db: Path, ready_sql: str, at_least: int,
                    *paths: str) -> None:
    """Start `photosearch index`, kill -9 it once `ready_sql` counts `at_least` rows."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "photosearch", "--library", str(lib_dir), "--model", "test-tiny",
         "--pretrained", "none", "index", *paths],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db, ready_sql) < at_least:
        assert proc.poll() is None, "finished before the kill: " + proc.stderr.read().decode()
        assert time.monotonic() < deadline, "indexing never got there"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def _assert_whole(lib_dir: Path, n: int, files: int | None = None) -> Library:
    """After a rerun: every photo once, embedded once, the index agreeing with the catalog."""
    lib = Library.open(resolve_library(lib_dir), model="test-tiny", pretrained="none")
    report = Indexer(lib).run()
    assert report.problems == 0 and not report.cancelled
    counts = lib.catalog.counts(lib.model_id)
    assert counts["files"] == (files or n), counts
    assert counts["photos"] == counts["embedded"] == n, counts
    db = lib_dir / "catalog.db"
    assert _count(db, "SELECT COUNT(*) FROM (SELECT hash FROM embeddings "
                      "GROUP BY hash, model_id HAVING COUNT(*) > 1)") == 0
    live = set(lib.catalog.live_embedding_ids(lib.model_id).tolist())
    assert lib.index().labels() == live and len(live) == n
    return lib


def _indexed_library(tmp_path: Path, n: int) -> tuple[Path, Path]:
    photos, lib_dir = tmp_path / "photos", tmp_path / "lib"
    _photos(photos, n)
    lib_dir.mkdir()
    (lib_dir / "settings.json").write_text(json.dumps({"batch_size": 8, "workers": 2}))
    lib = Library.open(resolve_library(lib_dir), model="test-tiny", pretrained="none")
    assert Indexer(lib).run([str(photos)]).embedded == n
    from photosearch.core.tagging_store import LabelStore

    LabelStore(lib.catalog).add("keepme")
    lib.close()
    return photos, lib_dir


def test_kill_9_while_relinking_a_renamed_root_then_resume(tmp_path):
    n = 300
    photos, lib_dir = _indexed_library(tmp_path, n)
    renamed = tmp_path / "photos (renamed)"
    os.rename(photos, renamed)
    db = lib_dir / "catalog.db"
    _index_and_kill(lib_dir, db, f"SELECT COUNT(*) FROM files WHERE path LIKE '{renamed}/%'",
                    20, str(renamed))
    assert _count(db, "SELECT COUNT(*) FROM files") > n  # killed mid-relink: ghosts remain
    lib = _assert_whole(lib_dir, n)  # ghosts dropped on the rerun, nothing decoded twice
    assert all(p.startswith(str(renamed)) for p in lib.catalog.file_states())
    from photosearch.core.tagging_store import LabelStore

    assert [lab.name for lab in LabelStore(lib.catalog).all()] == ["keepme"]
    lib.close()


def test_corrupt_catalog_restored_then_kill_9_mid_run_then_resume(tmp_path):
    from photosearch.core import catalog_safety as safety

    n = 200
    photos, lib_dir = _indexed_library(tmp_path, n)
    db = lib_dir / "catalog.db"
    for b in safety.backups(db):  # the backups were of an emptier catalog: a day later...
        os.utime(b.path, (time.time() - 2 * safety.DAILY_S,) * 2)
    Library.open(resolve_library(lib_dir), model="test-tiny", pretrained="none").close()
    page = 4096
    with open(db, "r+b") as fh:  # garbage pages in the middle
        fh.seek((db.stat().st_size // page // 2) * page)
        fh.write(os.urandom(3 * page))
    proc = subprocess.run([sys.executable, "-m", "photosearch", "--library", str(lib_dir),
                           "restore-backup"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # New photos arrive (the same generator: the first n are copies of the old ones); the
    # next run is killed mid-way.
    _photos(tmp_path / "more", N)
    _index_and_kill(lib_dir, db, "SELECT COUNT(*) FROM embeddings", n + 40,
                    str(photos), str(tmp_path / "more"))
    lib = _assert_whole(lib_dir, N, files=n + N)
    from photosearch.core.tagging_store import LabelStore

    assert [lab.name for lab in LabelStore(lib.catalog).all()] == ["keepme"]
    assert safety.check_catalog(db) == []
    lib.close()
