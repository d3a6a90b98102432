"""CPU indexing on the model's ONNX export: no torch in the process, the same vectors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photosearch.core import device_probe
from photosearch.core import onnx_models as om
from tests.conftest import FLICKR, REPO, TEST_MODEL, require

BASE_ID = "test-tiny/none"


def _copy_photos(src: list[Path], dst: Path) -> Path:
    dst.mkdir()
    for p in src:
        shutil.copy(p, dst / p.name)
    return dst


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A cache holding the tiny model's validated ONNX export (made by a torch index of 8
    photos), and 12 other photos not indexed yet."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    images = sorted(require(FLICKR / "Images").glob("*.jpg"))
    root = tmp_path_factory.mktemp("onnx_indexing")
    cache = root / "cache"
    os.environ["PHOTOSEARCH_CACHE"] = str(cache)  # restored by _isolate per test
    lib = Library.open(resolve_library(root / "first"), **TEST_MODEL, device="cpu")
    try:
        Indexer(lib).run([str(_copy_photos(images[:8], root / "first_photos"))])
        assert lib.embedder().onnx_export.wait(300)
    finally:
        lib.close()
    for tower in om.TOWERS:
        path = om.tower_path(cache / "models", BASE_ID, tower)
        assert om.check(path, BASE_ID, tower) is None
    return cache, _copy_photos(images[8:20], root / "new_photos")


def _open(path: Path, cache: Path, monkeypatch, **overrides):
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    monkeypatch.setenv("PHOTOSEARCH_CACHE", str(cache))
    return Library.open(resolve_library(path), **{**TEST_MODEL, "device": "cpu", **overrides})


INDEX_WITHOUT_TORCH = (
    "import json, sys\n"
    "from photosearch.cli import main\n"
    "tiny = ['--model', 'test-tiny', '--pretrained', 'none', '--device', 'cpu']\n"
    "photos = sys.argv[1]\n"
    "assert main(['--library', sys.argv[2], *tiny, 'index', photos]) == 0\n"
    "assert main(['--library', sys.argv[3], *tiny, 'index', photos,"
    " '--runtime', 'onnx-int8']) == 0\n"
    "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'open_clip',"
    " 'torchvision'})\n"
    "print(json.dumps(heavy))\n")


def test_a_cpu_index_after_the_export_never_imports_torch_and_stores_torchs_vectors(
        exported, tmp_path, monkeypatch):
    from photosearch.core import imaging

    cache, photos = exported
    env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTOSEARCH_CACHE": str(cache)}
    out = subprocess.run(
        [sys.executable, "-c", INDEX_WITHOUT_TORCH, str(photos), str(tmp_path / "fp32"),
         str(tmp_path / "int8")], capture_output=True, text=True, cwd=REPO, env=env,
        timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []  # fp32 and int8 runs
    assert "12 embedded" in out.stdout

    indexed = _open(tmp_path / "fp32", cache, monkeypatch)
    torch_lib = _open(tmp_path / "fp32", cache, monkeypatch)
    try:
        torch_lib.cpu_onnx = False
        emb = torch_lib.embedder()
        assert not isinstance(emb, om.OnnxEncoder)
        files = sorted(photos.iterdir())
        px = np.stack([imaging.decode_file(str(p), emb.image_size, hashes=False).pixels
                       for p in files])
        want = emb.encode_images(px)
        got = np.stack([indexed.catalog.embedding(indexed.catalog.hash_of(str(p)), BASE_ID)
                        for p in files])
        cosines = (want * got).sum(axis=1)
        assert cosines.min() > 0.9999, cosines  # interchangeable: one model id
    finally:
        indexed.close()
        torch_lib.close()


def test_the_library_embeds_with_the_export_only_on_a_cpu_machine(exported, tmp_path,
                                                                  monkeypatch):
    cache, _ = exported
    lib = _open(tmp_path / "a", cache, monkeypatch)
    try:
        emb = lib.embedder()
        assert isinstance(emb, om.OnnxEncoder) and emb.model_id == BASE_ID
        assert lib.query_encoder() is emb  # one set of sessions for queries and photos
    finally:
        lib.close()
    monkeypatch.setattr(device_probe, "gpu_likely", lambda: True)
    lib = _open(tmp_path / "b", cache, monkeypatch, device="auto")
    try:  # a GPU may be there: torch decides (here it falls back to the CPU)
        assert not isinstance(lib.embedder(), om.OnnxEncoder)
    finally:
        lib.close()
    monkeypatch.setattr(device_probe, "gpu_likely", lambda: False)
    monkeypatch.setenv(om.DISABLE_ENV, "0")
    lib = _open(tmp_path / "c", cache, monkeypatch, device="auto")
    try:
        assert not isinstance(lib.embedder(), om.OnnxEncoder)
    finally:
        lib.close()


def test_an_unusable_image_export_falls_back_to_torch_which_rebuilds_it(
        exported, tmp_path, monkeypatch):
    cache, _ = exported
    own = tmp_path / "cache"
    shutil.copytree(cache, own)
    image = om.tower_path(own / "models", BASE_ID, "image")
    with open(image, "r+b") as fh:  # a bit flip in the first MiB: the fingerprint differs
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 0xFF]))
    lib = _open(tmp_path / "lib", own, monkeypatch)
    try:
        emb = lib.embedder()
        assert not isinstance(emb, om.OnnxEncoder)
        assert emb.onnx_export.wait(300)
    finally:
        lib.close()
    assert om.check(image, BASE_ID, "image") is None
    lib = _open(tmp_path / "lib", own, monkeypatch)
    try:
        assert isinstance(lib.embedder(), om.OnnxEncoder)
    finally:
        lib.close()


@pytest.mark.parametrize("device, gpu, cpu", [
    ("cpu", True, True), ("auto", False, True), ("", False, True), ("auto", True, False),
    ("cuda", False, False), ("cuda:1", False, False), ("mps", False, False)])
def test_which_device_settings_mean_the_cpu(monkeypatch, device, gpu, cpu):
    monkeypatch.setattr(device_probe, "gpu_likely", lambda: gpu)
    assert device_probe.runs_on_cpu(device) is cpu


def test_linux_gpu_signs_are_the_driver_files(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    seen: list[str] = []
    monkeypatch.setattr(os.path, "exists", lambda p: seen.append(p) or p == "/dev/nvidiactl")
    assert device_probe.gpu_likely()
    monkeypatch.setattr(os.path, "exists", lambda p: False)
    assert not device_probe.gpu_likely()
    assert "/proc/driver/nvidia/version" in seen


# -- the image tower's copy with 8-bit weights (core/quantised_tower.py, recipe U8) -------

def _index_vectors(lib, photos: Path) -> np.ndarray:
    from photosearch.core.indexer import Indexer

    Indexer(lib).run([str(photos)])
    files = sorted(photos.iterdir())
    return np.stack([lib.catalog.embedding(lib.catalog.hash_of(str(p)), BASE_ID)
                     for p in files])


def _own_cache(exported, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the exported cache (these tests damage or refuse the u8 copy)."""
    cache, photos = exported
    own = tmp_path / "cache"
    shutil.copytree(cache, own)
    for stale in (own / "models").rglob("image-u8.*"):
        stale.unlink()
    return own, photos


def test_cpu_indexing_embeds_with_the_u8_copy_under_the_fp32_model_id(
        exported, tmp_path, monkeypatch):
    from photosearch.core import quantised_tower as qt

    cache, photos = _own_cache(exported, tmp_path)
    u8 = _open(tmp_path / "u8", cache, monkeypatch)
    fp32 = _open(tmp_path / "fp32", cache, monkeypatch)
    fp32.cpu_u8 = False
    try:
        got = _index_vectors(u8, photos)
        assert u8.embedder().image_precision == "u8" and u8.model_id == BASE_ID
        want = _index_vectors(fp32, photos)
        assert fp32.embedder().image_precision == "fp32"
        cosines = (want * got).sum(axis=1)
        # really the 8-bit tower (not fp32 again), and within the bar it was built to
        assert not np.allclose(got, want, atol=1e-6)
        assert cosines.min() >= qt.U8.min_cosine, cosines
        meta = json.loads(qt.copy_path(cache / "models", BASE_ID, qt.U8)
                          .with_suffix(".json").read_text())
        assert meta["cosine"] >= qt.U8.min_cosine
    finally:
        u8.close()
        fp32.close()


def test_a_u8_copy_below_the_bar_is_refused_once_and_fp32_is_used(
        exported, tmp_path, monkeypatch):
    import dataclasses

    from photosearch.core import quantised_tower as qt

    cache, photos = _own_cache(exported, tmp_path)
    monkeypatch.setattr(qt, "U8", dataclasses.replace(qt.U8, min_cosine=1.01))
    lib = _open(tmp_path / "a", cache, monkeypatch)
    try:
        assert lib.embedder().image_precision == "fp32"
    finally:
        lib.close()
    assert qt.copy_path(cache / "models", BASE_ID, qt.U8).is_file()  # kept, with its cosine

    def never(*_args):
        raise AssertionError("a refused copy is not quantised again")

    monkeypatch.setattr(qt, "_quantise", never)
    lib = _open(tmp_path / "b", cache, monkeypatch)
    try:
        assert lib.embedder().image_precision == "fp32"
        assert _index_vectors(lib, photos).shape[0] == 12
    finally:
        lib.close()


def test_a_corrupt_u8_copy_is_rebuilt_and_the_switch_turns_it_off(
        exported, tmp_path, monkeypatch):
    from photosearch.core import quantised_tower as qt

    cache, _ = _own_cache(exported, tmp_path)
    path = qt.copy_path(cache / "models", BASE_ID, qt.U8)
    monkeypatch.setenv(qt.DISABLE_ENV, "0")
    lib = _open(tmp_path / "off", cache, monkeypatch)
    try:
        assert lib.embedder().image_precision == "fp32" and not path.exists()
    finally:
        lib.close()
    monkeypatch.delenv(qt.DISABLE_ENV)
    lib = _open(tmp_path / "on", cache, monkeypatch)
    try:
        assert lib.embedder().image_precision == "u8"
    finally:
        lib.close()
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])  # truncated: the fingerprint differs
    lib = _open(tmp_path / "again", cache, monkeypatch)
    try:
        assert lib.embedder().image_precision == "u8"
    finally:
        lib.close()
    assert path.read_bytes() == good  # rebuilt, deterministically the same
    assert not list(path.parent.glob(".image-u8.*"))  # no temp left behind
