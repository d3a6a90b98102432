"""RAW files end to end through the CLI (issue 14): a DNG written by the test (tests/dng.py)
is indexed with the test model and found by search as one item with its camera-JPEG twin
(a RAW+JPEG pair, tests/e2e/test_raw_pairs_cli.py); a RAW and a JPEG rendering of it that
are not a pair (another name) are grouped in the same-photo tier, where `dupes resolve`
keeps the RAW and trashes the JPEG."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ..dng import jpeg_bytes, write_dng
from ..unit.dupes_helpers import RED, texture
from .cli_helpers import cli, cli_json

T0 = 1_600_000_000


@pytest.fixture
def shoot(tmp_path) -> Path:
    """One shot as RAW+JPEG (same folder, same stem) plus an unrelated photo."""
    root = tmp_path / "photos"
    scene = texture(11, size=(640, 480))
    exif = Image.Exif()
    exif[271], exif[272] = "Testcam", "Model X"
    exif[0x8769] = {36867: "2021:06:05 14:03:02"}
    root.mkdir()
    (root / "IMG_0001.JPG").write_bytes(jpeg_bytes(scene, exif=exif.tobytes()))
    write_dng(root / "IMG_0001.DNG", np.asarray(scene),
              preview=jpeg_bytes(scene.resize((320, 240)), quality=85))
    texture(12, RED).save(root / "other.jpg", quality=90)
    for p in root.iterdir():
        os.utime(p, (T0, T0))
    return root


def test_a_dng_is_indexed_searchable_and_one_item_with_its_jpeg(tmp_path, capsys, shoot):
    lib = tmp_path / "lib"
    dng, jpg = shoot / "IMG_0001.DNG", shoot / "IMG_0001.JPG"
    code, out, err = cli(capsys, lib, "index", str(shoot))
    assert code == 0, err
    assert "3 embedded" in out and "0 problems" in out, out

    # searchable: by text (the only DNG when filtered by type) and by the file itself; the
    # pair is one item shown by its JPEG, with both files
    hits = cli_json(capsys, lib, "search", "a photo", "--type", "dng")
    assert [(h["path"], h["files"]) for h in hits] == [(str(jpg), [str(dng), str(jpg)])]
    every = cli_json(capsys, lib, "search", "a photo")
    assert sorted(h["path"] for h in every) == [str(jpg), str(shoot / "other.jpg")]
    similar = cli_json(capsys, lib, "similar", str(dng), "--limit", "2")
    assert [h["path"] for h in similar] == [str(shoot / "other.jpg")]  # its twin is itself
    # a pair is not a duplicate group of itself
    assert cli_json(capsys, lib, "dupes", "--tier", "same") == []


def test_a_raw_without_usable_preview_is_demosaiced_grouped_with_its_jpeg_and_kept(
        tmp_path, capsys, xdg_trash):
    """No model needed: the RAW and a JPEG rendering of it under another name (not a
    RAW+JPEG pair: stems DSC_0042.NEF and DSC_0042) are found by perceptual hashes of the
    demosaiced RAW (whose colours differ from the camera's JPEG rendering) and the JPEG;
    the RAW is the keeper and `dupes resolve` trashes the JPEG."""
    root = tmp_path / "photos"
    scene = texture(21, size=(640, 480))
    root.mkdir()
    (root / "DSC_0042.JPG").write_bytes(jpeg_bytes(scene))
    write_dng(root / "DSC_0042.NEF.dng", np.asarray(scene),
              preview=jpeg_bytes(scene.resize((96, 72))))  # too small: demosaic
    texture(22, RED).save(root / "other.jpg", quality=90)
    lib = tmp_path / "lib"
    code, out, err = cli(capsys, lib, "index", "--no-embed", str(root))
    assert code == 0 and "0 problems" in out, (out, err)
    groups = cli_json(capsys, lib, "dupes", "--tier", "same")
    assert [(g["keeper"], len(g["items"])) for g in groups] == \
        [(str(root / "DSC_0042.NEF.dng"), 2)]
    group = groups[0]
    assert "RAW original" in group["keeper_reason"]
    raw_item = next(i for i in group["items"] if i["keeper"])
    assert (raw_item["format"], raw_item["width"], raw_item["height"]) == ("dng", 640, 480)
    assert raw_item["camera"] and "Model X" in raw_item["camera"]

    code, out, err = cli(capsys, lib, "dupes", "resolve", "--tier", "same", "--yes", "--json")
    assert code == 0, err
    assert json.loads(out)["trashed"] == [str(root / "DSC_0042.JPG")]
    assert (root / "DSC_0042.NEF.dng").is_file() and not (root / "DSC_0042.JPG").exists()
    assert [p.name for p in (xdg_trash / "files").iterdir()] == ["DSC_0042.JPG"]
