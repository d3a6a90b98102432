"""Face thumbnails: a square crop around a stored box, from the photo as the user sees it."""

from __future__ import annotations

from PIL import Image

from .. import imaging


def crop_box(box: tuple[int, int, int, int], size: tuple[int, int], margin: float = 0.25
             ) -> tuple[int, int, int, int]:
    """A square around `box` (left, top, right, bottom) grown by `margin` on each side,
    kept inside an image of `size` (width, height)."""
    left, top, right, bottom = box
    w, h = size
    side = max(right - left, bottom - top) * (1 + 2 * margin)
    side = min(side, w, h)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    x0 = min(max(0.0, cx - side / 2), w - side)
    y0 = min(max(0.0, cy - side / 2), h - side)
    return round(x0), round(y0), round(x0 + side), round(y0 + side)


def face_thumbnail(path: str, box: tuple[int, int, int, int], size: int = 96) -> Image.Image:
    """RGB size x size crop of one face; raises imaging.ImageError for unreadable files."""
    img, (full_w, full_h) = imaging.open_oriented(path, draft_size=size * 8)
    img = imaging.to_rgb(img)
    sx, sy = img.width / full_w, img.height / full_h
    x0, y0, x1, y1 = crop_box(box, (full_w, full_h))
    face = img.crop((round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy)))
    return face.resize((size, size), Image.Resampling.LANCZOS)
