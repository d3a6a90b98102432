"""Thumbnails for the grid: decoded off the GUI thread, cached on disk by content hash.

A photo's content hash names its thumbnail, so a moved or renamed file keeps its cached
thumbnail and an edited file (new hash) gets a new one. Cache files are small JPEGs under
`LibraryPaths.thumbnails`; they are derived data and safe to delete.
"""

from __future__ import annotations

import io
import logging
import math
import os
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QImage

log = logging.getLogger(__name__)

THUMB_SIZE = 256  # the largest grid tile side in logical pixels (grid.THUMB_MAX)
MAX_DPR = 2.0  # 3x screens get 2x thumbnails: disk use and decode time grow with the square
_QUALITY = 85


def stored_side(side: int, dpr: float) -> int:
    """Pixels to store for a tile of `side` logical pixels on a screen of ratio `dpr`."""
    scale = max(1.0, min(MAX_DPR, float(dpr or 1.0)))
    return int(math.ceil(side * scale))


def screen_dpr() -> float:
    """The highest device pixel ratio among the connected screens (1.0 without a GUI)."""
    app = QGuiApplication.instance()
    screens = QGuiApplication.screens() if app is not None else []
    return max((s.devicePixelRatio() for s in screens), default=1.0)


class ThumbnailCache:
    """Disk cache of thumbnails; `load` is called on worker threads only."""

    def __init__(self, directory: Path, size: int = THUMB_SIZE, max_pixels: int | None = None,
                 dpr: float = 1.0):
        self.directory = Path(directory)
        self.size = stored_side(size, dpr)  # pixels on the long side of a stored thumbnail
        self.max_pixels = max_pixels

    @classmethod
    def for_screen(cls, directory: Path, max_pixels: int | None = None) -> ThumbnailCache:
        """A cache sized for the largest tile on this machine's sharpest screen."""
        return cls(directory, THUMB_SIZE, max_pixels=max_pixels, dpr=screen_dpr())

    def path_for(self, content_hash: str) -> Path:
        return self.directory / content_hash[:2] / f"{content_hash}-{self.size}.jpg"

    def load(self, content_hash: str, photo_path: str) -> QImage:
        """The cached thumbnail, or decode the photo (EXIF-oriented) and cache it.

        Raises core ImageError when the photo cannot be decoded.
        """
        cached = self.path_for(content_hash)
        if cached.is_file():
            img = QImage(str(cached))
            if not img.isNull():
                return img
        data = self._render(photo_path)
        self._store(cached, data)
        img = QImage()
        img.loadFromData(data, "JPEG")
        return img

    def _render(self, photo_path: str) -> bytes:
        from ..core import imaging

        if self.max_pixels:
            imaging.setup_decoders(self.max_pixels)
        pil = imaging.thumbnail(photo_path, self.size)
        buf = io.BytesIO()
        pil.save(buf, "JPEG", quality=_QUALITY)
        return buf.getvalue()

    @staticmethod
    def _store(path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:  # a full or read-only cache only costs speed
            log.debug("thumbnail cache write failed for %s: %s", path, exc)


def load_scaled(path: str, max_side: int) -> QImage:
    """A preview-sized, oriented image of any photo (worker thread); raises ImageError."""
    from ..core import imaging

    pil = imaging.to_rgb(imaging.open_image(path, draft_size=max_side))
    pil.thumbnail((max_side, max_side))
    return pil_to_qimage(pil)


def pil_to_qimage(pil) -> QImage:
    """An RGB Pillow image as a QImage that owns its pixels (safe to pass between threads)."""
    w, h = pil.size
    data = pil.tobytes("raw", "RGB")
    return QImage(data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
