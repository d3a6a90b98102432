"""Safe image decoding: the only place that opens user photos (read-only).

Decoding is the indexer's hottest CPU path, so JPEGs use Pillow's draft mode (DCT
scaling) to decode straight to near model resolution. Every failure becomes an
ImageError with a reason a user can act on; nothing here ever writes to a photo.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# Camera RAW: decoded by core/raw.py (LibRaw through rawpy), not by Pillow.
RAW_EXTENSIONS = frozenset({
    ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".pef", ".srw",
})
IMAGE_EXTENSIONS = frozenset({
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".bmp",
    ".dib", ".heic", ".heif", ".avif", ".jp2", ".j2k", ".jpx", ".pnm", ".pbm", ".pgm",
    ".ppm", ".tga", ".ico",
}) | RAW_EXTENSIONS
DEFAULT_MAX_PIXELS = 250_000_000
DEFAULT_MAX_FILE_BYTES = 1 << 30  # 1 GiB: no photo is this big; a sparse or junk file is
# An image this much longer than wide (or wider than long) is fitted by its long side:
# scaling the short side to the model size would make a 100000x1 strip 22 million pixels wide.
MAX_ASPECT = 50.0
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
_max_pixels = DEFAULT_MAX_PIXELS


def setup_decoders(max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Register HEIC/AVIF and arm the decompression-bomb guard (call once per process).

    `max_pixels` is the library's limit: every decode through this module checks the size
    the file's header declares against it before any pixel is allocated."""
    global _registered, _max_pixels
    _max_pixels = max_pixels
    if not _registered:
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:  # optional at run time: HEIC files then become problems
            if exc.name != "pillow_heif":
                raise  # pillow_heif is there but broken: a real bug, not "no HEIC"
        _registered = True
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # truncated files are problems, not grey halves
    # Pillow's own guard stays armed as a backstop (for code that calls Image.open
    # directly); _open checks the library's limit first and quotes it.
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
    with open(path, "rb") as f:
        digest = hash_stream(f)
        return digest, f.tell()


def hash_stream(fh: BinaryIO) -> str:
    """Content hash (as hash_bytes) of the rest of an open file, read in 1 MiB chunks."""
    h = hashlib.blake2b(digest_size=16)
    while chunk := fh.read(_HASH_CHUNK):
        h.update(chunk)
    return h.hexdigest()


def too_large_reason(pixels: int | None, limit: int) -> str:
    """The problem text for an image above the library's pixel limit (quotes that limit)."""
    size = f"{pixels / 1e6:,.0f} megapixels" if pixels else "too many pixels"
    return (f"image is too large ({size}; this library's limit is {limit / 1e6:,.0f} "
            "megapixels): raise max_pixels in settings to index it")


def file_too_large_reason(size: int, limit: int) -> str:
    return (f"file is too large ({_human_bytes(size)}; the limit is {_human_bytes(limit)}): "
            "raise max_file_bytes in settings if this really is a photo")


def _human_bytes(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


def open_image(source: Source, draft_size: int | None = None) -> Image.Image:
    """Open, decode (near `draft_size` for JPEG) and orient a photo; raises ImageError."""
    return _open(source, draft_size)[0]


_BOMB_PIXELS = re.compile(r"Image size \((\d+) pixels\)")


def _open(source: Source, draft_size: int | None) -> tuple[Image.Image, tuple[int, int], str]:
    """(oriented image, full-resolution oriented size, format); raises ImageError.

    The size the header declares is checked against the library's limit right after the
    header is read, before any pixel buffer exists."""
    from . import raw

    if raw.is_raw_source(source):  # by name: a DNG is also a valid (useless) TIFF
        try:
            return raw.open_raw(source, draft_size, _max_pixels)
        except raw.NotRaw:  # a renamed JPEG/PNG: decoded below by what it really is
            if not isinstance(source, (str, os.PathLike)):
                source.seek(0)
    try:
        img = Image.open(source)
        fmt = (img.format or "unknown").lower()
        w, h = img.size
        if w <= 0 or h <= 0:
            raise ImageError(f"the file declares an empty image ({w}x{h} pixels); "
                             "it is damaged or not a photo")
        if w * h > _max_pixels:
            raise ImageError(too_large_reason(w * h, _max_pixels))
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
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        found = _BOMB_PIXELS.search(str(exc))
        raise ImageError(too_large_reason(int(found.group(1)) if found else None,
                                          _max_pixels)) from exc
    except UnidentifiedImageError as exc:
        raise ImageError("not an image the app can read (unknown or corrupt format)") from exc
    except FileNotFoundError as exc:
        raise ImageError("file vanished before it could be read") from exc
    except PermissionError as exc:
        raise ImageError("permission denied: the app cannot read this file") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageError(_corrupt_reason(exc)) from exc
    except MemoryError as exc:
        raise ImageError("not enough memory to decode this image; close other programs "
                         "or lower max_pixels in settings") from exc


def _corrupt_reason(exc: BaseException) -> str:
    """A non-empty sentence for a decoder failure (some exceptions have an empty str())."""
    reason = str(exc).strip() or type(exc).__name__
    if "truncated" in reason.lower() or "broken data stream" in reason:
        return "file is truncated (incomplete copy or download?); copy it again from the source"
    return f"corrupt image ({reason}); the file is damaged or not really an image"


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
    """Shortest side to `size`, centre crop: the same geometry as CLIP's own preprocessing.

    Extreme strips (aspect ratio above MAX_ASPECT) are fitted by their long side instead and
    centred on a white square, so the work stays bounded by `size` x `size`."""
    w, h = img.size
    if max(w, h) > MAX_ASPECT * min(w, h):
        scale = size / max(w, h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        small = img.resize((nw, nh), Image.Resampling.BICUBIC, reducing_gap=3.0)
        canvas = Image.new("RGB", (size, size), (255, 255, 255))
        canvas.paste(small, ((size - nw) // 2, (size - nh) // 2))
        return np.asarray(canvas, dtype=np.uint8)
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


def decode_for_model(source: Source, size: int, mtime: float | None = None, *,
                     hashes: bool = True) -> Decoded:
    """Decode one photo for embedding; raises ImageError with the reason.

    `mtime` (epoch seconds) dates photos without EXIF; defaults to the file's own.
    `hashes=False` leaves phash/dhash empty (a query image needs none; imagehash imports
    scipy, ~0.7 s of a cold `similar`).
    """
    img, (full_w, full_h), fmt = _open(source, draft_size=size)
    taken, make, model, has_exif = read_exif(img)
    try:
        rgb = to_rgb(img)
        pixels = resize_center_crop(rgb, size)
        ph = dh = ""
        if hashes:
            import imagehash

            ph, dh = str(imagehash.phash(rgb)), str(imagehash.dhash(rgb))
    except MemoryError as exc:
        raise ImageError("not enough memory to decode this image; close other programs "
                         "or lower max_pixels in settings") from exc
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        raise ImageError(_corrupt_reason(exc)) from exc
    if taken is None:
        if mtime is None and isinstance(source, (str, os.PathLike)):
            mtime = os.stat(source).st_mtime
        taken = wall_clock_epoch(mtime) if mtime is not None else None
    return Decoded(pixels, full_w, full_h, fmt, taken, make, model, has_exif, ph, dh)


def decode_file(path: str, size: int, *, max_pixels: int | None = None,
                max_bytes: int = DEFAULT_MAX_FILE_BYTES, mtime: float | None = 0,
                hashes: bool = True) -> Decoded:
    """decode_for_model on a file outside the pipeline (a query image, a label example),
    with the library's limits: only a regular file up to `max_bytes`, read by the decoder
    from the open file (never a whole-file buffer), pixels checked against `max_pixels`
    (the library's setting) before they are allocated. Raises ImageError or OSError."""
    if max_pixels is not None and max_pixels != _max_pixels:
        setup_decoders(max_pixels)
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ImageError("not a regular file (a device, pipe or socket)")
        if st.st_size > max_bytes:
            raise ImageError(file_too_large_reason(st.st_size, max_bytes))
        return decode_for_model(fh, size, mtime=mtime, hashes=hashes)


def limits_of(settings) -> dict:
    """decode_file keyword limits from a library's settings."""
    return {"max_pixels": getattr(settings, "max_pixels", DEFAULT_MAX_PIXELS),
            "max_bytes": getattr(settings, "max_file_bytes", DEFAULT_MAX_FILE_BYTES)}


def thumbnail(path: str, size: int = 256) -> Image.Image:
    """An oriented RGB thumbnail fitting in size x size (for the grid and previews)."""
    img = to_rgb(open_image(path, draft_size=size))
    img.thumbnail((size, size), Image.Resampling.LANCZOS)
    return img
