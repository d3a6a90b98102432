"""Sidecars travel with their photo (issue 14): `dupes resolve` and Delete in the app send a
photo's NAME.EXT.xmp (and a NAME.xmp no twin owns) to the trash with it, the undo log
records both, and undo brings both back. Real freedesktop trash in a temp XDG_DATA_HOME."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from photosearch.core.trash import UndoLog

from ..conftest import make_image
from .cli_helpers import cli
from .test_dupes_cli import indexed, photos  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="restores from the freedesktop trash (Linux)")

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- %s --></x:xmpmeta>'


def test_resolve_trashes_sidecars_with_their_photos_and_undo_brings_them_back(
        indexed, capsys, xdg_trash):  # noqa: F811
    lib, root = indexed
    q60 = root / "copies" / "q60.jpg.xmp"
    half = root / "copies" / "half.xmp"  # Lightroom's NAME.xmp: no twin, so it goes too
    keeper = root / "orig.png.xmp"
    for p in (q60, half, keeper):
        p.write_bytes(XMP % p.name.encode())
    code, out, err = cli(capsys, lib, "dupes", "resolve", "--tier", "same", "--yes", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert sorted(Path(p).name for p in result["trashed"]) == ["half.jpg", "q60.jpg"]
    assert not q60.exists() and not half.exists()
    assert keeper.read_bytes() == XMP % b"orig.png.xmp"  # the keeper's stays
    assert sorted(p.name for p in (xdg_trash / "files").iterdir()) == \
        ["half.jpg", "half.xmp", "q60.jpg", "q60.jpg.xmp"]
    recorded = {Path(s["path"]).name for r in UndoLog(Path(result["undo_log"])).pending()
                for s in r.sidecars}
    assert recorded == {"half.xmp", "q60.jpg.xmp"}  # the undo log knows both

    code, out, err = cli(capsys, lib, "dupes", "undo", "--log", result["undo_log"])
    assert code == 0, err
    assert q60.read_bytes() == XMP % b"q60.jpg.xmp"
    assert half.read_bytes() == XMP % b"half.xmp"
    assert list((xdg_trash / "files").iterdir()) == []


def test_delete_in_the_app_takes_the_sidecar_and_leaves_a_twins_one(library, tmp_path,
                                                                     xdg_trash):
    from photosearch.core.dupes_cleanup import undo
    from photosearch.core.indexer import Indexer
    from photosearch.core.photo_trash import trash_photos

    d = tmp_path / "photos"
    jpg = make_image(d / "shot.jpg", (200, 40, 40), fmt="JPEG")
    make_image(d / "shot.png", (40, 200, 40))  # a same-stem twin stays behind
    own = d / "shot.jpg.xmp"
    shared = d / "shot.xmp"
    own.write_bytes(XMP % b"own")
    shared.write_bytes(XMP % b"shared")
    Indexer(library).run([str(d)])
    report = trash_photos(library, [str(jpg)])
    assert [r.path for r in report.trashed] == [str(jpg)]
    assert not jpg.exists() and not own.exists()
    assert shared.read_bytes() == XMP % b"shared"  # shot.png still owns shot.xmp
    undone = undo(library, str(report.log_path))
    assert [r.path for r in undone.restored] == [str(jpg)]
    assert own.read_bytes() == XMP % b"own"
