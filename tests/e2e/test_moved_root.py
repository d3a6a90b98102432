"""A renamed photo folder (issue 16): no ghosts in counts, search, duplicate groups or plans;
labels and review decisions follow the photos to the new folder."""

from __future__ import annotations

import os
from pathlib import Path

from ..conftest import make_image
from .cli_helpers import cli, cli_json


def _photos(root: Path, n: int = 4) -> None:
    for i in range(n):
        make_image(root / f"p{i}.jpg", color=(60 * i, 255 - 50 * i, 40 + 30 * i),
                   size=(96 + 8 * i, 64), fmt="JPEG")


def test_renamed_root_relinks_and_drops_the_ghost_entries(tmp_path, capsys):
    lib = tmp_path / "lib"
    old = tmp_path / "Photos 2019"
    _photos(old)
    assert cli(capsys, lib, "index", str(old))[0] == 0
    assert cli(capsys, lib, "labels", "add", "mine", "--prompt", "a red thing")[0] == 0
    assert cli(capsys, lib, "review", "mine", "--accept", str(old / "p1.jpg"))[0] == 0

    new = tmp_path / "Photos 2019 (trip)"
    os.rename(old, new)  # the user renames the folder on disk, then adds the new path
    assert cli(capsys, lib, "folders", "add", str(new))[0] == 0
    code, out, err = cli(capsys, lib, "index")
    assert code == 0, err
    assert f"4 files of offline folder {old}" in err and "folders remove" in err

    status = cli_json(capsys, lib, "status")
    assert status["photos"] == 4 and status["files"] == 4, status  # not 8 files for 4 photos
    assert cli_json(capsys, lib, "dupes", "--tier", "exact") == []  # no fake copy groups
    found = cli_json(capsys, lib, "search", "anything", "--limit", "100")
    assert len(found) == 4 and all(os.path.exists(r["path"]) for r in found)
    assert all(r["path"].startswith(str(new)) for r in found)
    tags = cli_json(capsys, lib, "tags", str(new / "p1.jpg"))
    assert {"label": "mine", "tagged": True, "source": "confirmed"}.items() <= tags[0].items()


def test_an_unplugged_folder_keeps_its_photos_but_never_joins_a_duplicate_plan(
        tmp_path, capsys):
    lib = tmp_path / "lib"
    main, drive = tmp_path / "main", tmp_path / "drive"
    _photos(main, 2)
    drive.mkdir()
    (drive / "copy.jpg").write_bytes((main / "p0.jpg").read_bytes())  # a backup copy
    assert cli(capsys, lib, "index", "--no-embed", str(main), str(drive))[0] == 0
    assert len(cli_json(capsys, lib, "dupes", "--tier", "exact")) == 1

    # The drive is unplugged: its mount point is left empty. Nothing is dropped (its content
    # is elsewhere, but the user may plug it back in) ... unless indexing says so; either
    # way no plan may propose a file that is not on disk.
    (drive / "copy.jpg").rename(tmp_path / "away.jpg")
    code, out, err = cli(capsys, lib, "dupes", "--tier", "exact", "--json")
    assert code == 0 and out.strip() == "[]"
    assert "1 cataloged files are not on disk right now" in err
    code, out, err = cli(capsys, lib, "dupes", "resolve", "--tier", "exact", "--dry-run",
                         "--json")
    assert code == 0, err
    assert '"files": 0' in out
    assert (main / "p0.jpg").exists()
