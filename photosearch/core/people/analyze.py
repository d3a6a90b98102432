"""One photo in, its faces out: decode once (reduced, EXIF-oriented), detect, describe, and
map boxes and landmarks to the full-resolution oriented image."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .. import imaging
from .describe import Describer
from .detect import Detector, DetectorConfig
from .models import MODEL_ID, ModelFiles, model_files


@dataclass
class FoundFace:
    box: tuple[int, int, int, int]  # left, top, right, bottom in oriented full-size pixels
    score: float
    landmarks: np.ndarray  # 5x2 float32, oriented full-size pixels
    descriptor: np.ndarray  # 128 float32


class FaceAnalyzer:
    """Detector + describer, loaded once; not shared between threads."""

    model_id = MODEL_ID

    def __init__(self, config: DetectorConfig | None = None, files: ModelFiles | None = None):
        self.config = config or DetectorConfig()
        files = files or model_files()
        self.detector = Detector(self.config, files)
        self.describer = Describer(files)

    @property
    def detector_id(self) -> str:
        return self.config.id

    def working_copy(self, source: imaging.Source) -> tuple[np.ndarray, float, float]:
        """(RGB array at most max_side, x scale, y scale to full oriented size)."""
        img, (full_w, full_h) = imaging.open_oriented(source, draft_size=self.config.max_side)
        img = imaging.to_rgb(img)
        side = self.config.max_side
        if max(img.size) > side:
            img = img.copy()
            img.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
        w, h = img.size
        return np.asarray(img, dtype=np.uint8), full_w / w, full_h / h

    def analyze(self, source: imaging.Source | os.PathLike) -> list[FoundFace]:
        """Faces of one photo, best first; raises imaging.ImageError for unreadable files."""
        rgb, sx, sy = self.working_copy(source)
        return self.analyze_array(rgb, sx, sy)

    def analyze_array(self, rgb: np.ndarray, sx: float = 1.0, sy: float = 1.0
                      ) -> list[FoundFace]:
        rgb = np.ascontiguousarray(rgb)
        dets = self.detector.detect(rgb)
        out = []
        for d, (pts, vec) in zip(dets, self.describer.describe(rgb, dets), strict=True):
            r = d.rect
            h, w = rgb.shape[:2]
            box = (round(max(0, r.left()) * sx), round(max(0, r.top()) * sy),
                   round(min(w, r.right() + 1) * sx), round(min(h, r.bottom() + 1) * sy))
            pts = pts * np.array([sx, sy], dtype=np.float32)
            out.append(FoundFace(box, d.score, pts, vec))
        return out
