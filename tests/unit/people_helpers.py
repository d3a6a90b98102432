"""Shared helpers for the people (faces) tests: the real dlib models on the real shared
face photos (../shared/data/faces: public photos of 9 people, sources and licences in its
SOURCE.txt; read in place, never copied into the repo)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA, require

FACES = SHARED_DATA / "faces"
# Single-person photos of three people, used where a small library is enough.
SUBSET = {
    "Chris Pratt": ["Chris_Pratt/1.jpg", "Chris_Pratt/2.jpg", "Chris_Pratt/3.jpg",
                    "Chris_Pratt/5.jpg"],
    "Elton John": ["Elton_John/1.jpg", "Elton_John/2.jpg", "Elton_John/5.jpg",
                   "Elton_John/6.jpg"],
    "Ben Affleck": ["Ben_Affleck/1.jpg", "Ben_Affleck/3.jpg", "Ben_Affleck/5.jpg",
                    "Ben_Affleck/7.jpg"],
}


def faces_dir() -> Path:
    return require(FACES)


def labels() -> list[tuple[str, str]]:
    with open(faces_dir() / "labels.csv", encoding="utf-8") as fh:
        return [(r["file"], r["identity"]) for r in csv.DictReader(fh)]


def copy_subset(dst: Path, subset: dict[str, list[str]] | None = None) -> dict[str, list[Path]]:
    """Copy photos (flat names like Chris_Pratt-1.jpg) into dst; returns identity -> paths."""
    src = faces_dir()
    dst.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for ident, files in (subset or SUBSET).items():
        for f in files:
            target = dst / f.replace("/", "-")
            shutil.copyfile(src / f, target)
            os.chmod(target, 0o644)
            out.setdefault(ident, []).append(target)
    return out


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """The three model files, installed once per test session from the package."""
    from photosearch.core.people.models import install_models

    faces_dir()
    dest = tmp_path_factory.mktemp("face-models")
    install_models(dest)
    return dest
