"""Safe image decoding: the only place that opens user photos (read-only).

Decoding is the indexer's hottest CPU path, so JPEGs use Pillow's draft mode (DCT
scaling) to decode straight to near model resolution. Every failure becomes an
ImageError with a reason a user can act on; nothing here ever writes to a photo.
"""

from __future__ import annotations

import hashlib
import os
import struct
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

IMAGE_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp",
    ".dib", ".heic", ".heif", ".avif", ".jp2", ".j2k", ".jpx", ".pnm", ".pbm", ".pgm",
    ".ppm", ".tga", ".ico",
})
DEFAULT_MAX_PIXELS = 250_000_000
_HASH_CHUNK = 1 << 20
_EXIF_IFD = 0x8769
_TAG_DATETIME_ORIGINAL = 36867
_TAG_DATETIME = 306
_TAG_MAKE = 271
_TAG_MODEL = 272
_TAG_ORIENTATION = 0x0112
Source = str | os.PathLike | BinaryIO


class ImageError(Exception):
    """A photo that cannot be decoded; str() is the reason shown to the user."""


@dataclass(frozen=True)
class Decoded:
    """Model-ready pixels plus the metadata read while decoding."""

    pixels: np.ndarray  # uint8 HxWx3, already resized and centre-cropped
    width: int
    height: int
    format: str
    taken_at: float | None
    camera_make: str | None
    camera_model: str | None
    has_exif: bool
    phash: str
    dhash: str


_registered = False


def setup_decoders(max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Register HEIC/AVIF and arm the decompression-bomb guard (call once per process)."""
    global _registered
    if not _registered:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:  # optional at run time: HEIC files then become problems
            if exc.name != "pillow_heif":
                raise  # pillow_heif is there but broken: a real bug, not "no HEIC"
        _registered = True
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # truncated files are problems, not grey halves
    Image.MAX_IMAGE_PIXELS = max_pixels
    # Pillow only warns between 1x and 2x the limit; we refuse the whole range.
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def hash_bytes(data: bytes) -> str:
    """Content hash (BLAKE2b-128, hex): the photo's identity."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def hash_file(path: str) -> tuple[str, int]:
    """Content hash (as hash_bytes) and size, streaming so large files need little memory."""
    h = hashlib.blake2b(digest_size=16)
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def open_image(source: Source, draft_size: int | None = None) -> Image.Image:
    """Open, decode (near `draft_size` for JPEG) and orient a photo; raises ImageError."""
    return _open(source, draft_size)[0]


def _open(source: Source, draft_size: int | None) -> tuple[Image.Image, tuple[int, int], str]:
    """(oriented image, full-resolution oriented size, format); raises ImageError."""
    try:
        img = Image.open(source)
        fmt = (img.format or "unknown").lower()
        w, h = img.size
        if draft_size and img.format == "JPEG":
            img.draft("RGB", (draft_size, draft_size))
        if getattr(img, "is_animated", False):
            img.seek(0)
        img.load()
        try:
            orientation = img.getexif().get(_TAG_ORIENTATION, 1)
        except Exception:
            orientation = 1
        oriented = ImageOps.exif_transpose(img) or img
        return oriented, ((h, w) if orientation in (5, 6, 7, 8) else (w, h)), fmt
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"image too large ({exc}); raise max_pixels in settings to allow "
                         "it") from exc
    except UnidentifiedImageError as exc:
        raise ImageError("not an image Pillow can read (unknown or corrupt format)") from exc
    except FileNotFoundError as exc:
        raise ImageError("file vanished before it could be read") from exc
    except PermissionError as exc:
        raise ImageError("permission denied: the app cannot read this file") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason.lower() or "broken data stream" in reason:
            reason = "file is truncated (incomplete copy or download?)"
        raise ImageError(f"corrupt image: {reason}") from exc
    except MemoryError as exc:
        raise ImageError("not enough memory to decode this image") from exc


def open_oriented(source: Source, draft_size: int | None = None
                  ) -> tuple[Image.Image, tuple[int, int]]:
    """Like open_image, plus the full-resolution oriented size (for coordinates measured on
    a reduced copy, e.g. face boxes); raises ImageError."""
    img, full_size, _ = _open(source, draft_size)
    return img, full_size


def to_rgb(img: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB: 16-bit scaled down, alpha flattened onto white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        peak = 65535.0 if arr.max(initial=0) > 255 else 255.0
        img = Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8), "L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img if img.mode == "RGB" else img.convert("RGB")


def resize_center_crop(img: Image.Image, size: int) -> np.ndarray:
    """Shortest side to `size`, centre crop: the same geometry as CLIP's own preprocessing."""
    w, h = img.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    img = img.resize((nw, nh), Image.Resampling.BICUBIC, reducing_gap=3.0)
    left, top = (nw - size) // 2, (nh - size) // 2
    return np.asarray(img.crop((left, top, left + size, top + size)), dtype=np.uint8)


def read_exif(img: Image.Image) -> tuple[float | None, str | None, str | None, bool]:
    """(capture time as wall-clock epoch, camera make, camera model, has EXIF)."""
    try:
        exif = img.getexif()
    except Exception:  # malformed EXIF must not cost the photo
        return None, None, None, False
    if not exif:
        return None, None, None, False
    sub = exif.get_ifd(_EXIF_IFD) if _EXIF_IFD in exif else {}
    taken = parse_exif_time(sub.get(_TAG_DATETIME_ORIGINAL) or exif.get(_TAG_DATETIME))
    return taken, _clean(exif.get(_TAG_MAKE)), _clean(exif.get(_TAG_MODEL)), True


def parse_exif_time(value) -> float | None:
    """EXIF 'YYYY:MM:DD HH:MM:SS' to an epoch that reads as that wall-clock time in UTC."""
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC).timestamp()


def wall_clock_epoch(mtime: float) -> float:
    """A file mtime as the same wall-clock-in-UTC convention EXIF times use."""
    return datetime.fromtimestamp(mtime).replace(tzinfo=UTC).timestamp()


def _clean(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 ").strip()
    return value or None


def decode_for_model(source: Source, size: int, mtime: float | None = None) -> Decoded:
    """Decode one photo for embedding; raises ImageError with the reason.

    `mtime` (epoch seconds) dates photos without EXIF; defaults to the file's own.
    """
    import imagehash

    img, (full_w, full_h), fmt = _open(source, draft_size=size)
    taken, make, model, has_exif = read_exif(img)
    try:
        rgb = to_rgb(img)
        pixels = resize_center_crop(rgb, size)
        ph, dh = str(imagehash.phash(rgb)), str(imagehash.dhash(rgb))
    except (OSError, ValueError, MemoryError) as exc:
        raise ImageError(f"corrupt image: {exc}") from exc
    if taken is None:
        if mtime is None and isinstance(source, (str, os.PathLike)):
            mtime = os.stat(source).st_mtime
        taken = wall_clock_epoch(mtime) if mtime is not None else None
    return Decoded(pixels, full_w, full_h, fmt, taken, make, model, has_exif, ph, dh)


def thumbnail(path: str, size: int = 256) -> Image.Image:
    """An oriented RGB thumbnail fitting in size x size (for the grid and previews)."""
    img = to_rgb(open_image(path, draft_size=size))
    img.thumbnail((size, size), Image.Resampling.LANCZOS)
    return img
