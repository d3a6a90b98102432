"""Face detection on a reduced, EXIF-oriented copy of a photo (dlib HOG, or CNN opt-in).

HOG is the default: ~50-80 ms on a 1000 px copy on one core. The CNN (mmod) detector finds
more profile and small faces but costs seconds per photo without BLAS: the "accurate
(slow)" setting. Boxes come back in the working copy's pixels; analyze.py maps them to
the full-resolution oriented image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .models import ModelFiles, require_dlib

DETECTORS = ("hog", "cnn")


@dataclass(frozen=True)
class DetectorConfig:
    """How faces are found. `id` is stored with each face and each scanned photo."""

    kind: str = "hog"
    max_side: int = 1000  # the working copy's longest side
    # Small working copies (the photo itself is small) are upsampled 2x once, so faces down
    # to ~40 px are found; larger copies are not (4x the work for faces that small).
    upsample_below: int = 700
    # HOG scores: dlib's own cut is 0. On the shared face set, -0.2 finds every labelled
    # face (the weakest true one scores -0.07); see docs/benchmarks.md.
    min_score: float = -0.2
    min_size: int = 36  # face box side, working-copy pixels: smaller ones describe badly

    def __post_init__(self) -> None:
        if self.kind not in DETECTORS:
            raise ValueError(f"unknown face detector {self.kind!r}; use one of {DETECTORS}")

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.max_side}"


@dataclass(frozen=True)
class Detection:
    rect: Any  # dlib.rectangle in working-copy pixels
    score: float


class Detector:
    def __init__(self, config: DetectorConfig, files: ModelFiles | None = None):
        dlib = require_dlib()
        self.config = config
        self._dlib = dlib
        if config.kind == "cnn":
            if files is None:
                raise ValueError("the CNN detector needs the model files")
            self._cnn = dlib.cnn_face_detection_model_v1(str(files.cnn))
        else:
            self._hog = dlib.get_frontal_face_detector()

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        """Faces in an RGB uint8 array, best first."""
        c = self.config
        upsample = 1 if max(rgb.shape[:2]) < c.upsample_below else 0
        found: list[Detection] = []
        if c.kind == "cnn":
            for d in self._cnn(rgb, upsample):
                found.append(Detection(d.rect, float(d.confidence)))
        else:
            rects, scores, _ = self._hog.run(rgb, upsample, c.min_score)
            found = [Detection(r, float(s)) for r, s in zip(rects, scores, strict=True)]
        found = [d for d in found if d.score >= c.min_score
                 and min(d.rect.width(), d.rect.height()) >= c.min_size]
        return sorted(found, key=lambda d: -d.score)
