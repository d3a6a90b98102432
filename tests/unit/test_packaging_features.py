"""Installers and the optional features: the three permitted dlib face models (never the
68-point one) and rapidocr's models and licence go into the bundle; a frozen build finds
the face models in itself; the entry points call multiprocessing.freeze_support() before
anything else, so the faces pass's spawned workers do not start a second app."""

from __future__ import annotations

import multiprocessing
import runpy
import sys
from pathlib import Path

import pytest

from photosearch.core.people import faces_pass, models

REPO = Path(__file__).resolve().parent.parent.parent
INSTALLER = REPO / "installer"
sys.path.insert(0, str(INSTALLER))
import bundle_contents as bc  # noqa: E402


def test_bundle_ships_exactly_the_three_permitted_face_models():
    pytest.importorskip("dlib", reason="the people extra is part of the dev install")
    datas = bc.face_model_datas()
    assert sorted(Path(f).name for f, _ in datas) == sorted(models.MODEL_FILES)
    assert {dest for _, dest in datas} == {bc.FACE_MODELS_DEST} == {models.BUNDLED_DIR}
    shipped = {Path(f).name for f, _ in bc.package_datas() + datas}
    assert not shipped & set(models.FORBIDDEN_FILES)
    assert {"dlib", "_dlib_pybind11", "scipy.cluster.hierarchy"} <= set(bc.hidden_imports())


def test_bundle_ships_rapidocr_models_and_their_licence():
    pytest.importorskip("rapidocr", reason="the OCR extra is part of the dev install")
    onnx = [Path(f).name for f, dest in bc.package_datas() if f.endswith(".onnx")]
    assert len(onnx) == 3 and any("det" in n for n in onnx) and any("rec" in n for n in onnx)
    assert {Path(f).name for f, _ in bc.rapidocr_licence_datas()} == {"LICENSE",
                                                                     "MODEL_LICENSES.md"}


def test_spec_collects_the_feature_files():
    spec = (INSTALLER / "photosearch.spec").read_text()
    assert "bc.face_model_datas()" in spec and "bc.rapidocr_licence_datas()" in spec
    for script in ("build_linux.sh", "check_deb.sh"):
        text = (INSTALLER / script).read_text()
        assert "shape_predictor_68_face_landmarks" in text  # refused if it ever ships
        assert "dlib-face-models" in text


def test_sizes_the_features_add_are_measured():
    pytest.importorskip("dlib")
    pytest.importorskip("rapidocr")
    sizes = bc.optional_feature_sizes()
    mb = {k: v / 2**20 for k, v in sizes.items()}
    assert 25 < mb["face models (3 dlib files)"] < 40  # the 68-point model alone is 95 MB
    assert 20 < mb["rapidocr models + configs"] < 40
    assert mb["dlib native extension"] > 1 and mb["OpenCV headless (cv2 + its libs)"] > 10


def test_frozen_build_installs_face_models_from_itself(tmp_path, monkeypatch):
    meipass = tmp_path / "bundle"
    (meipass / models.BUNDLED_DIR).mkdir(parents=True)
    for name in models.MODEL_FILES:
        (meipass / models.BUNDLED_DIR / name).write_bytes(b"model " + name.encode())
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(meipass), raising=False)
    assert models.source_dir() == meipass / models.BUNDLED_DIR
    files = models.install_models(tmp_path / "cache")
    assert files.landmarks.read_bytes() == b"model " + models.LANDMARKS_FILE.encode()


def test_frozen_build_uses_worker_processes_only_after_freeze_support(monkeypatch):
    class Lib:
        settings = type("S", (), {"people": {"enabled": True}})()

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delenv(faces_pass.FREEZE_SUPPORT_ENV, raising=False)
    assert faces_pass.default_workers(Lib()) == 0  # in-process: no second app started
    monkeypatch.setenv(faces_pass.FREEZE_SUPPORT_ENV, "1")
    assert faces_pass.default_workers(Lib()) >= 1


@pytest.mark.parametrize("entry", ["installer/launcher.py", "main.py"])
def test_entry_points_call_freeze_support_before_the_app(entry, monkeypatch):
    import photosearch.cli

    calls: list[str] = []
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze"))
    monkeypatch.setattr(photosearch.cli, "main", lambda argv: calls.append("main") or 0)
    monkeypatch.setattr(sys, "argv", [entry])
    monkeypatch.setenv(faces_pass.FREEZE_SUPPORT_ENV, "")  # restored (unset) afterwards
    monkeypatch.delenv(faces_pass.FREEZE_SUPPORT_ENV)
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(REPO / entry), run_name="__main__")
    assert done.value.code == 0
    assert calls == ["freeze", "main"]
    if entry.startswith("installer"):
        import os

        assert os.environ.get(faces_pass.FREEZE_SUPPORT_ENV) == "1"
