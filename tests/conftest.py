"""Shared fixtures: isolated libraries, the tiny test model, and deterministic embeddings."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FORMATS = SHARED_DATA / "formats"
FLICKR = SHARED_DATA / "flickr8k-1k"

TEST_MODEL = {"model": "test-tiny", "pretrained": "none"}


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory, monkeypatch):
    """No test ever touches the real user dirs (library, caches, logs)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PHOTOSEARCH_CACHE", str(home / "cache"))
    monkeypatch.setenv("PHOTOSEARCH_LOG_DIR", str(home / "log"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("PHOTOSEARCH_LIBRARY", raising=False)


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared test data not found at {path} (it lives beside the repo)")
    return path


@pytest.fixture
def formats_copy(tmp_path) -> Path:
    """A private copy of ../shared/data/formats (tests may add, move and delete files)."""
    dst = tmp_path / "photos"
    shutil.copytree(require(FORMATS), dst)
    for p in dst.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return dst


@pytest.fixture
def library(tmp_path):
    """An open Library on the tiny random test model."""
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    lib = Library.open(resolve_library(tmp_path / "library"), **TEST_MODEL)
    yield lib
    lib.close()


def make_image(path: Path, color=(200, 30, 30), size=(96, 64), fmt=None, **save_kw) -> Path:
    """A small solid-colour image with a gradient, so perceptual hashes are not degenerate."""
    from PIL import Image

    w, h = size
    x = np.linspace(0, 1, w)[None, :, None]
    y = np.linspace(0, 1, h)[:, None, None]
    base = np.array(color, dtype=np.float32)[None, None, :]
    arr = np.clip(base * (0.6 + 0.4 * x) + 40 * y, 0, 255).astype(np.uint8)
    img = Image.fromarray(arr, "RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format=fmt, **save_kw)
    return path


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


class FakeEmbedder:
    """Deterministic embeddings for ranking/tagging/grouping logic: an image's vector is
    its mean colour; a text's vector is looked up in `texts` (or a hashed direction)."""

    def __init__(self, dim: int = 8, texts: dict[str, np.ndarray] | None = None):
        self.dim = dim
        self.image_size = 32
        self.texts = {k: unit(v) for k, v in (texts or {}).items()}
        self.model_id = "fake/deterministic"
        self.random_weights = False
        self.device = "cpu"

    def default_batch_size(self) -> int:
        return 8

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        mean = pixels.reshape(len(pixels), -1, 3).mean(axis=1) / 255.0
        out = np.zeros((len(pixels), self.dim), dtype=np.float32)
        out[:, :3] = mean
        out[:, 3] = 0.05
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_text(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.encode_query(t) for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        if text in self.texts:
            return self.texts[text]
        rng = np.random.default_rng(abs(hash(text)) % (2**32))
        return unit(rng.normal(size=self.dim))

    def truncation(self, text: str):
        return None


@pytest.fixture
def fake_library(tmp_path):
    """A Library whose model is FakeEmbedder (colour embeddings), for logic tests."""
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library

    lib = Library.open(resolve_library(tmp_path / "library"), model="fake",
                       pretrained="deterministic", embedder=FakeEmbedder())
    yield lib
    lib.close()


@pytest.fixture
def xdg_trash(tmp_path, monkeypatch) -> Iterator[Path]:
    """A private trash: HOME and XDG_DATA_HOME in tmp (same filesystem as the test files).
    send2trash reads XDG_DATA_HOME at import, so its backend is reloaded."""
    home = tmp_path / "home"
    data = home / ".local" / "share"
    data.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    import send2trash.plat_other as plat

    importlib.reload(plat)
    assert Path(plat.HOMETRASH) == data / "Trash"
    yield data / "Trash"
    monkeypatch.undo()
    importlib.reload(plat)
