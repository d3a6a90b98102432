"""Camera RAW files (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF, PEF, SRW) through LibRaw (rawpy).

Fast path: the JPEG preview every camera embeds, when it is at least as large as what the
caller needs (the model's input, a thumbnail); otherwise the RAW is demosaiced (at half size
when that is still large enough). Capture time and camera come from the preview's EXIF, then
from the RAW's own TIFF tags, then from LibRaw. Read-only.

Unlike other formats, a RAW file is read whole into memory (from the open file the caller
hashed, so the pixels are those of the hashed bytes): LibRaw decodes from a buffer. The
indexer's max_file_bytes bounds it (RAW files are typically 20 to 80 MB).
"""

from __future__ import annotations

import io
import os
import struct
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageOps

from . import imaging

if TYPE_CHECKING:
    import rawpy

# Preview size wanted when the caller gives none (a full-size view): anything smaller is
# demosaiced instead.
FULL_VIEW_SIDE = 2048
# LibRaw's "flip" (0: as stored) to the turn that makes the preview upright.
_FLIP_TRANSPOSE = {3: Image.Transpose.ROTATE_180, 5: Image.Transpose.ROTATE_90,
                   6: Image.Transpose.ROTATE_270}
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
# ORF and RW2 are TIFF with their own magic number; their IFD0 reads as TIFF once patched.
_TIFF_LIKE = {b"IIRO": b"II*\x00", b"IIRS": b"II*\x00", b"MMOR": b"MM\x00*",
              b"IIU\x00": b"II*\x00"}


class NotRaw(imaging.ImageError):
    """A file with a RAW name whose content is something else (a renamed JPEG, PNG...):
    the caller decodes it as an ordinary image instead."""


def _looks_like_raw_container(data: bytes) -> bool:
    """TIFF-based RAW (DNG, CR2, NEF, ARW, PEF, SRW, ORF, RW2), CR3 (ISO BMFF 'crx '), RAF."""
    head = data[:16]
    return (head[:4] in _TIFF_MAGIC or head[:4] in _TIFF_LIKE
            or head[4:12] == b"ftypcrx " or head.startswith(b"FUJIFILMCCD-RAW"))


def is_raw_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in imaging.RAW_EXTENSIONS


def source_name(source: imaging.Source) -> str | None:
    """The file name behind a path or an open file (None for an anonymous buffer)."""
    if isinstance(source, (str, os.PathLike)):
        return str(os.fspath(source))
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def is_raw_source(source: imaging.Source) -> bool:
    name = source_name(source)
    return name is not None and is_raw_name(name)


def _read_all(source: imaging.Source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read()
    return source.read()


def open_raw(source: imaging.Source, want_side: int | None, max_pixels: int
             ) -> tuple[Image.Image, tuple[int, int], str]:
    """(oriented RGB image, full-resolution oriented size, format) of a RAW file.

    The image carries the capture time and camera as EXIF (no orientation tag: it is
    already upright), so imaging.read_exif reads RAW and other photos alike."""
    try:
        import rawpy
    except ImportError as exc:  # rawpy is a main dependency; a broken install says so
        raise imaging.ImageError("RAW files need the rawpy package (pip install rawpy)") \
            from exc
    name = source_name(source) or "raw"
    fmt = os.path.splitext(name)[1].lower().lstrip(".") or "raw"
    try:
        data = _read_all(source)
    except FileNotFoundError as exc:
        raise imaging.ImageError("file vanished before it could be read") from exc
    except PermissionError as exc:
        raise imaging.ImageError("permission denied: the app cannot read this file") from exc
    if not data:
        raise imaging.ImageError("the file is empty (0 bytes); it is damaged or not a photo")
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            return _decode(raw, data, fmt, want_side, max_pixels)
    except imaging.ImageError:
        raise
    except rawpy.LibRawFileUnsupportedError as exc:
        if not _looks_like_raw_container(data):
            raise NotRaw(f"not a RAW file despite its .{fmt} name") from exc
        raise imaging.ImageError(
            f"not a RAW file LibRaw can read (unsupported camera or not really .{fmt})") \
            from exc
    except (rawpy.LibRawError, OSError, ValueError, struct.error) as exc:
        reason = str(exc).strip(" b'\"") or type(exc).__name__
        raise imaging.ImageError(f"corrupt RAW file ({reason}); the file is damaged or "
                                 "incompletely copied") from exc
    except MemoryError as exc:
        raise imaging.ImageError("not enough memory to decode this RAW file; close other "
                                 "programs or lower max_pixels in settings") from exc


def _decode(raw: rawpy.RawPy, data: bytes, fmt: str, want_side: int | None,
            max_pixels: int) -> tuple[Image.Image, tuple[int, int], str]:
    sizes = raw.sizes
    w, h = int(sizes.width), int(sizes.height)
    if w <= 0 or h <= 0:
        raise imaging.ImageError(f"the RAW file declares an empty image ({w}x{h} pixels); "
                                 "it is damaged or not a photo")
    if w * h > max_pixels:
        raise imaging.ImageError(imaging.too_large_reason(w * h, max_pixels))
    flip = int(sizes.flip)
    full = (h, w) if flip in (5, 6) else (w, h)
    need = want_side or FULL_VIEW_SIDE
    preview, preview_exif = _preview(raw, need, flip)
    if preview is not None:
        img = preview
    else:
        # half_size skips interpolation (one pixel per 2x2 block): 4x less work, still
        # large enough when the caller wants at most half the sensor's short side.
        half = need * 2 <= min(w, h)
        rgb = raw.postprocess(use_camera_wb=True, output_bps=8, half_size=half,
                              no_auto_bright=False)
        img = Image.fromarray(np.ascontiguousarray(rgb), "RGB")  # LibRaw applied the flip
    taken, make, model = _metadata(raw, data, preview_exif)
    _attach_exif(img, taken, make, model)
    return img, full, fmt


def _preview(raw: rawpy.RawPy, need: int, flip: int
             ) -> tuple[Image.Image | None, Image.Exif | None]:
    """The embedded preview, upright, if its short side reaches `need` pixels."""
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None, None
    except rawpy.LibRawError:
        return None, None  # a damaged preview: the RAW data itself may still be fine
    img: Image.Image
    exif: Image.Exif | None = None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            jpeg = Image.open(io.BytesIO(bytes(thumb.data)))
            if min(jpeg.size) < need:
                return None, None
            jpeg.draft("RGB", (need, need))
            jpeg.load()
            exif = jpeg.getexif()
            orientation = exif.get(imaging._TAG_ORIENTATION, 1) if exif else 1
            img = jpeg
        else:
            arr = np.asarray(thumb.data)
            if arr.ndim != 3 or min(arr.shape[:2]) < need:
                return None, None
            img, orientation = Image.fromarray(arr.astype(np.uint8), "RGB"), 1
    except (OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError):
        return None, None
    if orientation not in (None, 1):  # the preview says how to turn it
        img = ImageOps.exif_transpose(img) or img
    elif flip in _FLIP_TRANSPOSE:  # the RAW says so (most previews are stored as shot)
        img = img.transpose(_FLIP_TRANSPOSE[flip])
    return (img if img.mode == "RGB" else img.convert("RGB")), exif or None


def _metadata(raw: rawpy.RawPy, data: bytes, preview_exif: Image.Exif | None
              ) -> tuple[float | None, str | None, str | None]:
    taken = make = model = None
    for exif in (preview_exif, _tiff_ifd0(data)):
        if not exif:
            continue
        sub: Any = exif.get_ifd(imaging._EXIF_IFD) if imaging._EXIF_IFD in exif else {}
        taken = taken or imaging.parse_exif_time(
            sub.get(imaging._TAG_DATETIME_ORIGINAL) or exif.get(imaging._TAG_DATETIME))
        make = make or imaging._clean(exif.get(imaging._TAG_MAKE))
        model = model or imaging._clean(exif.get(imaging._TAG_MODEL))
    if taken is None:
        stamp = getattr(raw.other, "timestamp", None)  # LibRaw: local wall-clock time
        if isinstance(stamp, datetime) and stamp.year > 1970:
            taken = stamp.replace(tzinfo=UTC).timestamp()
    return taken, make, model


def _tiff_ifd0(data: bytes) -> Image.Exif | None:
    """IFD0 tags (Make, Model, DateTime, the EXIF sub-IFD) of a TIFF-based RAW."""
    head = data[:4]
    if head in _TIFF_LIKE:
        data = _TIFF_LIKE[head] + data[4:]
    elif head not in _TIFF_MAGIC:
        return None
    exif = Image.Exif()
    try:
        exif.load(data)
        if imaging._EXIF_IFD in exif:
            exif.get_ifd(imaging._EXIF_IFD)  # parse now: a bad sub-IFD is caught here
    except (OSError, ValueError, SyntaxError, struct.error, KeyError, TypeError):
        return None
    return exif


def _attach_exif(img: Image.Image, taken: float | None, make: str | None,
                 model: str | None) -> None:
    exif = Image.Exif()
    if make:
        exif[imaging._TAG_MAKE] = make
    if model:
        exif[imaging._TAG_MODEL] = model
    if taken is not None:
        exif[imaging._TAG_DATETIME] = datetime.fromtimestamp(taken, UTC).strftime(
            "%Y:%m:%d %H:%M:%S")
    img.info["exif"] = exif.tobytes() if len(exif) else b""
    if hasattr(img, "_exif"):
        img._exif = None

