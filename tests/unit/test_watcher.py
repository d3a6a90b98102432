"""The live library on real watchdog observers and real temp folders (no mocks).

Each test changes the disk the way users do and then asserts the exact catalog state:
which paths exist, which content hash each points at, what is embedded and what the
vector index serves. Decodes and file reads are counted by wrapping the real functions.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from photosearch.core import imaging
from photosearch.core.catalog import Catalog
from photosearch.core.indexer import Indexer
from photosearch.core.single_instance import LibraryBusy, WriterLock, current_writer
from photosearch.core.watcher import LibraryWatcher, PendingChanges

from ..conftest import make_image

TIMEOUT = 30.0


# -- helpers ---------------------------------------------------------------------------
def wait_for(pred, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def colour(i: int) -> tuple[int, int, int]:
    return (i % 256, (i // 256) * 23 % 256, 90)


def tiny(path: Path, i: int) -> Path:
    return make_image(path, colour(i), size=(16, 16), fmt="PNG")


def disk_state(*roots: Path) -> dict[str, str]:
    """{path: content hash} of the image files on disk (what the catalog must mirror)."""
    out = {}
    for root in roots:
        for p in Path(root).rglob("*"):
            if p.is_file() and imaging.is_image_name(p.name) and not any(
                    part.startswith(".") for part in p.relative_to(root).parts):
                out[str(p)] = imaging.hash_file(str(p))[0]
    return out


class Counters:
    """Counts real decodes and content reads (hashes) made by the indexer."""

    def __init__(self, monkeypatch):
        self.decodes = 0
        self.hashes = 0
        real_decode, real_hash = imaging.decode_for_model, imaging.hash_bytes

        def decode(*a, **kw):
            self.decodes += 1
            return real_decode(*a, **kw)

        def hash_bytes(*a, **kw):
            self.hashes += 1
            return real_hash(*a, **kw)

        monkeypatch.setattr(imaging, "decode_for_model", decode)
        monkeypatch.setattr(imaging, "hash_bytes", hash_bytes)

    def reset(self):
        self.decodes = self.hashes = 0


class Live:
    """A library with watched folders, a read-only view of its catalog, and assertions."""

    def __init__(self, lib, roots: list[Path], **watch_kw):
        self.lib = lib
        self.roots = roots
        for r in roots:
            r.mkdir(parents=True, exist_ok=True)
            lib.catalog.add_folder(str(r))
        self.ro = Catalog(lib.paths.catalog, readonly=True)
        self.watch_kw = watch_kw
        self.events = []
        self.w: LibraryWatcher | None = None

    def start(self) -> LibraryWatcher:
        self.w = LibraryWatcher(self.lib, on_event=self.events.append, **self.watch_kw).start()
        assert self.w.wait_ready(60), "start-up reconcile did not finish"
        return self.w

    def files(self) -> dict[str, str]:
        return dict(self.ro.conn.execute("SELECT path, hash FROM files").fetchall())

    def wait_state(self, expected: dict[str, str], what: str = "catalog == disk"):
        try:
            wait_for(lambda: self.files() == expected, what)
        except AssertionError:
            got = self.files()
            raise AssertionError(f"{what}: missing {sorted(set(expected) - set(got))}, "
                                 f"extra {sorted(set(got) - set(expected))}, differing "
                                 f"{sorted(p for p in got if got[p] != expected.get(p, got[p]))}"
                                 ) from None
        assert self.w.wait_idle(TIMEOUT, quiet=0.6)
        assert self.files() == expected  # and nothing more happened afterwards
        self.assert_consistent()

    def assert_consistent(self):
        """Every file's photo is embedded exactly once and the index serves exactly the
        photos that have a file."""
        model = self.lib.model_id
        rows = self.ro.conn.execute(
            "SELECT hash, COUNT(*) FROM embeddings WHERE model_id = ? GROUP BY hash",
            (model,)).fetchall()
        assert all(n == 1 for _, n in rows)
        hashes = set(self.files().values())
        assert hashes <= {h for h, _ in rows}, "a file's photo has no embedding"
        live = self.lib.index().labels()
        ids = self.ro.embedding_ids_for(model, list(hashes))
        assert live == set(ids.values())

    def stop(self):
        if self.w is not None:
            self.w.stop(timeout=30)
        self.ro.close()


@pytest.fixture
def counters(monkeypatch):
    return Counters(monkeypatch)


@pytest.fixture
def live(library, tmp_path):
    made = []

    def make(*names: str, **kw) -> Live:
        lv = Live(library, [tmp_path / n for n in (names or ("photos",))], **kw)
        made.append(lv)
        return lv

    yield make
    for lv in made:
        lv.stop()


# -- create, modify, rename, delete ------------------------------------------------------
def test_create_modify_rename_delete_follow_the_disk(live, counters):
    lv = live()
    root = lv.roots[0]
    tiny(root / "a.png", 1)
    lv.start()
    lv.wait_state(disk_state(root))

    counters.reset()
    tiny(root / "b.png", 2)
    lv.wait_state(disk_state(root), "new file indexed")
    assert counters.decodes == 1
    b_old = lv.files()[str(root / "b.png")]

    tiny(root / "b.png", 3)  # rewritten in place: new content, same name
    lv.wait_state(disk_state(root), "modified file re-indexed")
    assert lv.files()[str(root / "b.png")] != b_old
    assert lv.ro.conn.execute("SELECT 1 FROM orphans WHERE hash = ?", (b_old,)).fetchone()

    counters.reset()
    os.rename(root / "b.png", root / "c.png")
    lv.wait_state(disk_state(root), "rename followed")
    assert counters.decodes == 0 and counters.hashes == 0  # re-pointed, nothing read

    c_hash = lv.files()[str(root / "c.png")]
    (root / "c.png").unlink()
    lv.wait_state(disk_state(root), "deletion followed")
    # Gone from results at once, but the embedding is kept for the grace period.
    assert lv.ro.embedding(c_hash, lv.lib.model_id) is not None
    from photosearch.core.search import Searcher

    page = Searcher(lv.lib).search("anything", limit=10)
    assert [r.path for r in page.results] == [str(root / "a.png")]


def test_move_between_roots_keeps_the_photo_without_decoding(live, counters):
    lv = live("one", "two")
    one, two = lv.roots
    tiny(one / "x.png", 5)
    tiny(one / "sub" / "y.png", 6)
    lv.start()
    lv.wait_state(disk_state(one, two))
    before = lv.files()
    counters.reset()
    shutil.move(str(one / "x.png"), str(two / "x.png"))
    shutil.move(str(one / "sub"), str(two / "sub"))
    lv.wait_state(disk_state(one, two), "moves between roots")
    after = lv.files()
    assert after[str(two / "x.png")] == before[str(one / "x.png")]
    assert after[str(two / "sub" / "y.png")] == before[str(one / "sub" / "y.png")]
    assert counters.decodes == 0
    two_id = {p: i for i, p in lv.ro.folders()}[str(two)]
    assert {r[0] for r in lv.ro.conn.execute("SELECT folder_id FROM files")} == {two_id}


def test_moved_folder_of_1000_photos_is_repointed_without_decoding(live, counters):
    lv = live()
    root = lv.roots[0]
    album = root / "album"
    for i in range(1000):
        tiny(album / f"{i:04d}.png", i)
    (root / "2024").mkdir()
    Indexer(lv.lib).run()  # indexed before watching starts
    lv.start()
    lv.wait_state(disk_state(root))
    before = lv.files()
    counters.reset()
    os.rename(album, root / "2024" / "album")
    lv.wait_state(disk_state(root), "1,000-photo folder move")
    assert counters.decodes == 0
    assert counters.hashes == 0  # not even read: re-pointed from the OS move event
    after = lv.files()
    assert len(after) == 1000
    assert sorted(after.values()) == sorted(before.values())


# -- files still being written -----------------------------------------------------------
def test_growing_file_and_part_rename_are_indexed_only_when_complete(live, tmp_path):
    lv = live()
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    data = make_image(tmp_path / "src.jpg", (40, 90, 200), size=(400, 300),
                      fmt="JPEG").read_bytes()
    target = root / "slow.jpg"
    with open(target, "wb") as fh:  # a slow copy: a chunk every 0.2 s for ~1.6 s
        for i in range(8):
            fh.write(data[i * len(data) // 8:(i + 1) * len(data) // 8])
            fh.flush()
            time.sleep(0.2)
            assert str(target) not in lv.files(), "indexed while still being written"
    lv.wait_state(disk_state(root), "finished file indexed")
    assert lv.ro.problems() == []

    part = root / "download.jpg.part"
    with open(part, "wb") as fh:
        fh.write(make_image(tmp_path / "dl.jpg", (200, 200, 10), fmt="JPEG").read_bytes())
    time.sleep(0.8)
    assert str(part) not in lv.files()
    os.rename(part, root / "download.jpg")
    lv.wait_state(disk_state(root), ".part renamed to its final name")
    assert lv.ro.problems() == []


# -- storms ------------------------------------------------------------------------------
def test_burst_of_2000_files_nothing_missed_nothing_doubled(live, tmp_path):
    lv = live()
    root = lv.roots[0]
    staging = tmp_path / "staging"
    for i in range(2000):
        tiny(staging / f"{i:04d}.png", i)
    lv.start()
    lv.wait_state({})
    for p in sorted(staging.iterdir()):  # copied in as fast as the disk allows
        shutil.copy(p, root / p.name)
    lv.wait_state(disk_state(root), "2,000-file burst")
    assert lv.w.pending.overflows == 0
    assert lv.ro.counts(lv.lib.model_id) == {"files": 2000, "photos": 2000, "embedded": 2000,
                                             "pending": 0, "problems": 0}


def test_storm_beyond_the_pending_limit_collapses_to_a_rescan(live, tmp_path):
    lv = live(max_pending=50)  # memory bound: at most 50 coalesced paths
    root = lv.roots[0]
    staging = tmp_path / "staging"
    for i in range(300):
        tiny(staging / f"{i:03d}.png", i)
    lv.start()
    lv.w.pause()  # nothing is taken while paused, so the queue must overflow
    for p in sorted(staging.iterdir()):
        shutil.copy(p, root / p.name)
    wait_for(lambda: lv.w.pending.overflows > 0, "overflow")
    assert len(lv.w.pending) <= 51
    lv.w.resume()
    lv.wait_state(disk_state(root), "rescan after overflow")


def test_pending_changes_coalesce_and_stay_bounded():
    pc = PendingChanges(limit=4)
    for _ in range(100):
        pc.touch("/r/a.jpg")
    assert len(pc) == 1
    pc.move("/r/x.jpg", "/r/y.jpg", False)
    pc.move("/r/y.jpg", "/r/z.jpg", False)  # a -> b -> c is one move a -> c
    batch = pc.take_ready(quiet_s=0, settle_s=0, limit=10)
    assert batch.moves == [("/r/x.jpg", "/r/z.jpg", False)]
    assert {p for p, _ in batch.paths} == {"/r/a.jpg", "/r/x.jpg", "/r/y.jpg", "/r/z.jpg"}
    for i in range(10):
        pc.touch(f"/r/{i}.jpg")
    assert pc.overflows == 1 and len(pc) == 1  # collapsed into one rescan flag
    assert pc.take_ready(0, 0, 10).rescan


# -- roots that disappear --------------------------------------------------------------
def test_unplugged_root_keeps_its_photos_and_catches_up_when_back(live, tmp_path):
    lv = live("drive", "home")
    drive, home = lv.roots
    for i in range(3):
        tiny(drive / f"d{i}.png", 10 + i)
    tiny(home / "h.png", 20)
    lv.start()
    expected = disk_state(drive, home)
    lv.wait_state(expected)

    away = tmp_path / "unplugged"
    os.rename(drive, away)  # the drive goes away: no delete events, the folder is gone
    wait_for(lambda: lv.w.offline_roots == [str(drive)], "root reported offline")
    assert str(drive) in lv.ro.offline_since()
    lv.wait_state(expected, "offline photos kept")

    (away / "d0.png").unlink()  # changed while unplugged (elsewhere)
    tiny(away / "new.png", 30)
    os.rename(away, drive)  # plugged back in
    wait_for(lambda: lv.w.offline_roots == [], "root back online")
    lv.wait_state(disk_state(drive, home), "caught up after return")
    assert lv.ro.offline_since() == {}
    assert any(e.kind == "offline" for e in lv.events)
    assert any(e.kind == "online" for e in lv.events)


def test_empty_mount_point_is_offline_not_a_mass_deletion(live):
    lv = live()
    root = lv.roots[0]
    for i in range(3):
        tiny(root / f"{i}.png", 40 + i)
    lv.start()
    expected = disk_state(root)
    lv.wait_state(expected)
    os.rename(root, root.parent / "elsewhere")  # unmounted: the files go, without events,
    root.mkdir()  # and leave behind an empty mount point
    wait_for(lambda: lv.w.offline_roots == [str(root)], "empty mount point offline")
    lv.w.stop()
    lv.w = None
    # A fresh start (scan-based reconcile) must also keep them.
    lv.start()
    lv.wait_state(expected, "photos of the unmounted drive kept across restarts")
    assert lv.w.offline_roots == [str(root)]


# -- offline changes, pause, exclusions ------------------------------------------------
def test_changes_made_while_not_running_are_reconciled_on_start(live, counters):
    lv = live()
    root = lv.roots[0]
    for i in range(5):
        tiny(root / f"{i}.png", 50 + i)
    Indexer(lv.lib).run()
    (root / "0.png").unlink()  # deleted
    os.rename(root / "1.png", root / "renamed.png")  # moved
    tiny(root / "2.png", 99)  # modified
    tiny(root / "new.png", 98)  # added
    counters.reset()
    lv.start()
    lv.wait_state(disk_state(root), "offline changes reconciled")
    assert counters.decodes == 2  # only the new and the modified file


def test_pause_holds_work_and_resume_catches_up(live):
    lv = live()
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    lv.w.pause()
    tiny(root / "p.png", 7)
    time.sleep(1.5)
    assert lv.files() == {}
    assert len(lv.w.pending) == 1
    lv.w.resume()
    lv.wait_state(disk_state(root), "resumed")


def test_excluded_folders_and_patterns_are_never_indexed(live, library):
    library.settings.exclude.append(str(Path(library.paths.root).parent / "photos" / "private"))
    lv = live()
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    for i, rel in enumerate([".hidden/a.png", "@eaDir/b.png", "node_modules/c.png",
                             ".Trash-1000/d.png", "$RECYCLE.BIN/e.png", "private/f.png",
                             "kept/h.png"]):
        tiny(root / rel, 60 + i)
    (root / "g.png~").write_bytes((root / "kept" / "h.png").read_bytes())  # editor backup
    lv.wait_state({str(root / "kept" / "h.png"): imaging.hash_file(str(root / "kept/h.png"))[0]})


# -- deletion grace period -------------------------------------------------------------
def test_deleted_photo_comes_back_free_within_grace_and_purge_drops_it_later(live, counters):
    lv = live()
    root = lv.roots[0]
    tiny(root / "keep.png", 70)
    tiny(root / "gone.png", 71)
    lv.start()
    lv.wait_state(disk_state(root))
    data = (root / "gone.png").read_bytes()
    h = lv.files()[str(root / "gone.png")]
    (root / "gone.png").unlink()
    lv.wait_state(disk_state(root), "deleted")
    counters.reset()
    (root / "restored.png").write_bytes(data)  # undo / restore from trash
    lv.wait_state(disk_state(root), "restored")
    assert counters.decodes == 0  # the kept embedding is linked again
    assert lv.files()[str(root / "restored.png")] == h

    (root / "restored.png").unlink()
    lv.wait_state(disk_state(root), "deleted again")
    assert lv.lib.catalog.purge_orphans(time.time() - 3600) == (0, 0)  # within grace
    photos, embeddings = lv.lib.catalog.purge_orphans(time.time() + 1)  # grace over
    assert (photos, embeddings) == (1, 1)
    assert lv.ro.embedding(h, lv.lib.model_id) is None
    assert lv.ro.photo(h) is None


# -- single instance -------------------------------------------------------------------
def test_second_writer_is_refused_with_who_holds_the_lock(library):
    first = WriterLock(library.paths, "photosearch index --watch").acquire()
    try:
        assert current_writer(library.paths)["pid"] == os.getpid()
        with pytest.raises(LibraryBusy, match=r"in use by 'photosearch index --watch' \(pid"):
            WriterLock(library.paths, "photosearch index").acquire(timeout=0.1)
        assert not WriterLock(library.paths, "app").try_acquire(timeout=0.1)  # GUI: read-only
    finally:
        first.release()
    assert current_writer(library.paths) is None
    with WriterLock(library.paths, "photosearch index"):
        pass


def test_writer_lock_is_exclusive_across_threads_of_one_process(library):
    got = []
    barrier = threading.Barrier(4)

    def grab():
        barrier.wait()
        lock = WriterLock(library.paths, "t")
        if lock.try_acquire(timeout=0):
            got.append(lock)
            time.sleep(0.3)

    threads = [threading.Thread(target=grab) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 1
    got[0].release()


def test_watcher_survives_an_unreadable_file(live):
    lv = live()
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    (root / "broken.jpg").write_bytes(b"not a jpeg at all")
    tiny(root / "fine.png", 80)
    wait_for(lambda: str(root / "fine.png") in lv.files(), "good file indexed")
    wait_for(lambda: lv.ro.problems(), "problem recorded")
    assert [p["path"] for p in lv.ro.problems()] == [str(root / "broken.jpg")]
    assert lv.w.running
    assert np.isfinite(lv.ro.embedding(lv.files()[str(root / "fine.png")], lv.lib.model_id)).all()


def test_folder_added_while_watching_is_reconciled_and_watched(live, tmp_path):
    lv = live()
    lv.start()
    lv.wait_state({})
    later = tmp_path / "later"
    tiny(later / "old.png", 90)
    lv.lib.catalog.add_folder(str(later))  # e.g. `photosearch folders add` meanwhile
    lv.roots.append(later)
    lv.wait_state(disk_state(*lv.roots), "new folder caught up")
    tiny(later / "new.png", 91)
    lv.wait_state(disk_state(*lv.roots), "new folder watched")


def test_a_failing_batch_is_reported_and_retried_by_a_rescan(live, monkeypatch):
    import sqlite3

    from photosearch.core import reconcile

    lv = live()
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    real, calls = reconcile.plan_paths, []

    def flaky(*a, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(*a, **kw)

    monkeypatch.setattr(reconcile, "plan_paths", flaky)
    tiny(root / "x.png", 3)
    lv.wait_state(disk_state(root), "indexed after the failed batch")
    assert any(e.kind == "error" and "database is locked" in e.message for e in lv.events)
    assert lv.w.running


def test_a_reader_gets_in_during_a_long_catch_up(live):
    """A search on another thread never waits for the watcher: the watcher is held still
    between two batches of a long catch-up (in its progress callback) until a reader on
    another thread has read the shared library; a reader blocked by the writer would hang."""
    lv = live()
    root = lv.roots[0]
    for i in range(600):
        tiny(root / f"{i:03d}.png", i)
    mid, read_done = threading.Event(), threading.Event()
    seen = {}
    progress = []

    def on_event(e):  # the watcher's thread, between batches
        progress.append(e)
        if e.kind == "progress" and not mid.is_set():
            mid.set()
            read_done.wait(60)

    def reader():
        mid.wait(60)
        lib = lv.lib  # shared with the watcher; this thread reads through its own connection
        seen["files"] = lib.catalog.counts(lib.model_id)["files"]
        seen["during_catch_up"] = not lv.w._started.is_set()
        read_done.set()

    t = threading.Thread(target=reader)
    t.start()
    lv.watch_kw["on_event"] = on_event
    lv.w = LibraryWatcher(lv.lib, **lv.watch_kw).start()
    t.join(90)
    assert read_done.is_set(), "the reader was blocked by the watcher"
    assert lv.w.wait_ready(60)
    assert seen["during_catch_up"] and seen["files"] < 600  # a committed snapshot, mid-way
    lv.wait_state(disk_state(root))
    assert any(e.kind == "progress" and e.total == 600 for e in progress)


def test_linked_or_moved_in_files_need_no_settle_period(live, tmp_path):
    lv = live(settle_s=60.0)  # longer than the wait: only the "created, untouched" rule works
    root = lv.roots[0]
    lv.start()
    lv.wait_state({})
    outside = tmp_path / "outside"
    a, b = tiny(outside / "a.png", 1), tiny(outside / "b.png", 2)
    past = time.time() - 60
    for p in (a, b):
        os.utime(p, (past, past))
    os.link(a, root / "a.png")  # no write, no close event
    os.rename(b, root / "b.png")  # moved in from an unwatched folder: a bare "created"
    lv.wait_state(disk_state(root), "linked and moved-in files")
