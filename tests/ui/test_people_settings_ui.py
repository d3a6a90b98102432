"""Settings "Find people in photos (faces)" and the first-run offer of people and OCR:
off by default, an honest time estimate, on starts the faces pass in the background (REAL
dlib models, a REAL face photo from ../shared/data/faces), off stops it."""

from __future__ import annotations

import json
import shutil

import pytest

from photosearch.core.people import faces_pass
from photosearch.core.people.estimate import CPU_SECONDS_PER_PHOTO, describe_estimate
from photosearch.core.people.models import MODEL_ID
from photosearch.core.people.store import FaceStore
from photosearch.core.text.settings import TextSettings
from photosearch.core.text.store import TextStore
from photosearch.core.watcher import WatchEvent
from tests.ui.conftest import index_now, open_settings
from tests.unit.people_helpers import faces_dir

pytest.importorskip("dlib", reason="the people extra is part of the dev install")


def _open_settings(qtbot, window):
    return open_settings(qtbot, window, "people_note")


def test_estimate_line():
    assert describe_estimate(0) == ("0 photos to look at, about 0 s (0.25 s/photo, measured on "
                                    "a 2-core CPU)")
    assert describe_estimate(10_000).startswith("10000 photos to look at, about 42 min")
    assert describe_estimate(10_000, workers=2).startswith("10000 photos to look at, about 21 min")
    assert CPU_SECONDS_PER_PHOTO == 0.25  # bench/bench_faces.py: 250 ms CPU per photo


def test_switch_on_finds_faces_in_background_and_off_stops(qtbot, window, library, tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copyfile(faces_dir() / "Elton_John" / "1.jpg", folder / "elton.jpg")
    index_now(qtbot, window, [folder], timeout=240_000)
    assert window.people_pass.worker is None  # off by default: nothing is looked at
    dialog = _open_settings(qtbot, window)
    assert not dialog.people.isChecked() and dialog.people.isEnabled()
    # the estimate divides the CPU per photo by the worker processes the pass starts
    per = CPU_SECONDS_PER_PHOTO / faces_pass.default_workers(library)
    assert dialog.people_note.text().startswith(f"1 photos to look at, about 0 s ({per:.2f} "
                                                "s/photo")
    dialog.people.setChecked(True)
    messages: list[str] = []
    window.people_pass.message.connect(lambda text, _ms: messages.append(text))
    with qtbot.waitSignal(window.people_pass.finished, timeout=180_000) as done:
        dialog.accept()
    report = done.args[0]
    assert (report.photos, report.faces, report.error) == (1, 1, None)
    qtbot.waitUntil(lambda: json.loads(library.paths.settings.read_text())
                    .get("people", {}).get("enabled") is True)
    assert faces_pass.enabled(library)
    assert window.statusBar().currentMessage() == "Looked for people in 1 photos: 1 faces"
    h = library.catalog.hash_of(str(folder / "elton.jpg"))
    assert len(FaceStore(library.catalog).faces(hash_=h)) == 1
    # off: the worker thread stops and new photos are no longer looked at
    worker = window.people_pass.worker
    assert worker is not None and worker.running
    dialog = _open_settings(qtbot, window)
    assert dialog.people.isChecked()
    assert dialog.people_note.text().startswith("0 photos to look at")
    dialog.people.setChecked(False)
    dialog.accept()
    assert window.people_pass.worker is None
    qtbot.waitUntil(lambda: not worker.running, timeout=30_000)
    assert window.statusBar().currentMessage() == "Finding people in photos: off"
    qtbot.waitUntil(lambda: json.loads(library.paths.settings.read_text())
                    ["people"]["enabled"] is False)
    shutil.copyfile(faces_dir() / "Mindy_Kaling" / "1.jpg", folder / "mindy.jpg")
    index_now(qtbot, window, timeout=240_000)
    window.people_pass.watch_event(WatchEvent("changed", added=1))  # as from the watcher
    assert window.people_pass.worker is None
    assert FaceStore(library.catalog).pending_count(MODEL_ID) == 1
    assert len(FaceStore(library.catalog).faces(hash_=h)) == 1  # off keeps what was found


def _first_run(qtbot, make_window, library, tmp_path, monkeypatch):
    """A first start whose suggested Pictures folder holds one photo with a face; returns
    (that folder, the window) once the first-run dialog is on screen."""
    pictures = tmp_path / "Pictures"
    pictures.mkdir()
    shutil.copyfile(faces_dir() / "Elton_John" / "1.jpg", pictures / "elton.jpg")
    monkeypatch.setattr("platformdirs.user_pictures_dir", lambda: str(pictures))
    win = make_window(library, first_run=True)
    qtbot.waitUntil(lambda: win.dialogs.first_run_dialog is not None
                    and win.dialogs.first_run_dialog.isVisible())
    return pictures, win


def test_first_run_offers_people_and_ocr_off_by_default(qtbot, make_window, library, tmp_path,
                                                        monkeypatch):
    pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")
    pictures, win = _first_run(qtbot, make_window, library, tmp_path, monkeypatch)
    opt = win.dialogs.first_run_dialog.opt_ins
    assert opt.isVisible() and opt.people.isVisible() and opt.ocr.isVisible()
    assert not opt.people.isChecked() and not opt.ocr.isChecked()  # both off by default
    assert opt.people.text() == "Find people in photos (faces)"
    assert opt.ocr.text() == "Read text in photos"
    for label in (opt.people_text, opt.ocr_text):
        assert "nothing leaves it" in label.text() and "s per photo" in label.text()
    opt.people.setChecked(True)
    opt.ocr.setChecked(True)
    with qtbot.waitSignal(win.indexing.finished, timeout=240_000):
        win.dialogs.first_run_dialog.accept()
    saved = json.loads(library.paths.settings.read_text())
    assert saved["people"]["enabled"] is True and saved["text"]["enabled"] is True
    assert TextSettings.from_settings(library.settings).enabled
    h = library.catalog.hash_of(str(pictures / "elton.jpg"))
    # both passes run after the first indexing run: the face is found, the photo is read
    qtbot.waitUntil(lambda: len(FaceStore(library.catalog).faces(hash_=h)) == 1,
                    timeout=180_000)
    qtbot.waitUntil(lambda: TextStore(library.catalog).record(h) is not None, timeout=180_000)


def test_first_run_left_unticked_switches_nothing_on(qtbot, make_window, library, tmp_path,
                                                     monkeypatch):
    pictures, win = _first_run(qtbot, make_window, library, tmp_path, monkeypatch)
    with qtbot.waitSignal(win.indexing.finished, timeout=240_000):
        win.dialogs.first_run_dialog.accept()
    assert win.people_pass.worker is None and win.text_pass.worker is None
    assert not faces_pass.enabled(library)
    assert not TextSettings.from_settings(library.settings).enabled
