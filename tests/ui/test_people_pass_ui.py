"""People in the app: the faces pass follows the folder watcher (new photos get faces
too, like the text pass), with the REAL dlib models on REAL face photos from
../shared/data/faces (sources and licences in its SOURCE.txt; copied into a temp folder,
never into the repo)."""

from __future__ import annotations

import os
import shutil

import pytest

from photosearch.core.people import ops
from photosearch.core.people.models import MODEL_ID
from photosearch.core.people.store import FaceStore
from tests.unit.people_helpers import faces_dir

pytest.importorskip("dlib", reason="the people extra is part of the dev install")


def _faces_of(library, path) -> int:
    h = library.catalog.hash_of(str(path))
    return -1 if h is None else len(FaceStore(library.catalog).faces(hash_=h))


def test_watcher_adds_a_face_photo_and_its_face_is_found(qtbot, make_window, library,
                                                         tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    first = folder / "elton.jpg"
    shutil.copyfile(faces_dir() / "Elton_John" / "1.jpg", first)
    ops.enable(library)  # as the Settings switch / `people enable` does (installs models)
    library.catalog.add_folder(str(folder))
    win = make_window(library, watch=True)
    # start-up: the catch-up indexing run, then the faces pass finds the first face
    qtbot.waitUntil(lambda: _faces_of(library, first) == 1, timeout=180_000)
    qtbot.waitUntil(lambda: win.live.running, timeout=30_000)
    assert win.people_pass.running
    # a photo copied in while the app watches: the watcher embeds it, the faces pass runs
    new = folder / "mindy.jpg"
    shutil.copyfile(faces_dir() / "Mindy_Kaling" / "1.jpg", tmp_path / "staging.jpg")
    os.replace(tmp_path / "staging.jpg", new)  # appears complete
    qtbot.waitUntil(lambda: _faces_of(library, new) == 1, timeout=180_000)
    assert FaceStore(library.catalog).pending_count(MODEL_ID) == 0
    qtbot.waitUntil(lambda: win.statusBar().currentMessage().startswith(
        "Looked for people in 1 photos: 1 faces"), timeout=30_000)


def test_off_means_the_watcher_batch_starts_no_faces_pass(qtbot, window, library):
    from photosearch.core.watcher import WatchEvent

    assert not window.people_pass.enabled  # off by default
    window.live.event.emit(WatchEvent("changed", added=1))
    assert window.people_pass.worker is None
