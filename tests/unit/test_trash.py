"""send2trash for real (into a temp freedesktop trash), the undo log, and restore."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from photosearch.core.imaging import hash_file
from photosearch.core.trash import ChangedError, UndoLog, latest_log, restore, trash_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="restores from the freedesktop trash (Linux)")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_trash_then_restore_round_trip(tmp_path, xdg_trash):
    f = write(tmp_path / "photos" / "a.jpg", b"jpeg bytes" * 100)
    digest, _ = hash_file(str(f))
    rec = trash_file(str(f), digest)
    assert not f.exists()
    assert Path(rec.trashed_to) == xdg_trash / "files" / "a.jpg"
    assert Path(rec.trashed_to).read_bytes() == b"jpeg bytes" * 100
    assert f"Path={f}" in Path(rec.info_file).read_text()
    res = restore(rec)
    assert res.ok and res.reason == ""
    assert f.read_bytes() == b"jpeg bytes" * 100
    assert not Path(rec.info_file).exists() and not Path(rec.trashed_to).exists()


def test_a_changed_file_is_not_trashed(tmp_path, xdg_trash):
    f = write(tmp_path / "a.jpg", b"original")
    digest, _ = hash_file(str(f))
    f.write_bytes(b"edited since grouping")
    with pytest.raises(ChangedError, match="changed since it was grouped"):
        trash_file(str(f), digest)
    assert f.read_bytes() == b"edited since grouping"
    assert not (xdg_trash / "files").exists() or not any((xdg_trash / "files").iterdir())
    with pytest.raises(ChangedError, match="gone"):
        trash_file(str(tmp_path / "missing.jpg"), digest)


def test_same_names_from_different_folders_are_restored_to_their_own_place(tmp_path, xdg_trash):
    a = write(tmp_path / "x" / "img.jpg", b"first")
    b = write(tmp_path / "y" / "img.jpg", b"second")
    recs = [trash_file(str(p), hash_file(str(p))[0]) for p in (a, b)]
    assert recs[0].trashed_to != recs[1].trashed_to
    assert all(restore(r).ok for r in reversed(recs))
    assert a.read_bytes() == b"first" and b.read_bytes() == b"second"


def test_restore_never_overwrites_and_reports_what_it_could_not_do(tmp_path, xdg_trash):
    f = write(tmp_path / "a.jpg", b"old")
    rec = trash_file(str(f), hash_file(str(f))[0])
    write(f, b"a new file took its place")
    res = restore(rec)
    assert not res.ok and "now exists at the original path" in res.reason
    assert f.read_bytes() == b"a new file took its place"
    assert Path(rec.trashed_to).read_bytes() == b"old"
    os.unlink(rec.trashed_to)  # the user empties the trash
    f.unlink()
    res = restore(rec)
    assert not res.ok and "no longer in the trash" in res.reason


def test_restore_recreates_a_deleted_folder(tmp_path, xdg_trash):
    f = write(tmp_path / "gone" / "a.jpg", b"data")
    rec = trash_file(str(f), hash_file(str(f))[0])
    f.parent.rmdir()
    assert restore(rec).ok and f.read_bytes() == b"data"


def test_undo_log_tracks_pending_records_and_odd_filenames(tmp_path, xdg_trash):
    odd = os.fsdecode(b"caf\xe9 \xff.jpg")  # not valid UTF-8
    f = write(tmp_path / odd, b"bytes")
    log = UndoLog.create(tmp_path / "undo", "exact")
    rec = trash_file(str(f), hash_file(str(f))[0], group="g1", keeper="/k.jpg")
    log.trashed(rec)
    assert latest_log(tmp_path / "undo").path == log.path
    [pending] = log.pending()
    assert pending.path == str(f) and pending.group == "g1" and pending.keeper == "/k.jpg"
    res = restore(pending)
    assert res.ok and f.read_bytes() == b"bytes"
    log.restored(res)
    assert log.pending() == [] and latest_log(tmp_path / "undo") is None
    with open(log.path, "a") as fh:
        fh.write('{"op": "trash", "path": "/torn')  # a crash mid-line is skipped
    assert log.pending() == []
