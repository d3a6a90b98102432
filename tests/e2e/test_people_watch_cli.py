"""`photosearch index --watch` runs the faces pass on photos that appear while it watches
(people enabled), with the real dlib models on real face photos from ../shared/data/faces."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.cli_helpers import cli, cli_json
from tests.unit.people_helpers import faces_dir

pytest.importorskip("dlib", reason="the people extra is part of the dev install")
pytestmark = pytest.mark.slow


def test_watching_finds_the_faces_of_new_photos(capsys, tmp_path):
    from tests.e2e.test_live import WatchProcess

    photos = tmp_path / "photos"
    photos.mkdir()
    for n in (1, 2):
        shutil.copyfile(faces_dir() / "Elton_John" / f"{n}.jpg", photos / f"elton{n}.jpg")
    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "people", "enable")
    assert code == 0, err
    w = WatchProcess(lib, str(photos), "--no-embed")
    try:
        w.wait_line("faces: 2 photos scanned, 2 faces", timeout=240)  # the catch-up
        shutil.copyfile(faces_dir() / "Elton_John" / "5.jpg", tmp_path / "staging.jpg")
        os.replace(tmp_path / "staging.jpg", photos / "elton5.jpg")  # appears complete
        w.wait_line("faces: 1 photos scanned, 1 faces, 1 joined people", timeout=240)
    finally:
        assert w.interrupt() == 0
    status = cli_json(capsys, lib, "people", "status")
    assert status["pending"] == 0 and status["people"] == 1
    people = cli_json(capsys, lib, "people")
    assert people[0]["count"] == 3  # the new photo's face joined the person
    assert str(photos / "elton5.jpg") in {f["path"] for f in people[0]["faces"]}
