"""A minimal DNG writer for tests (no codec packages needed): a 16-bit RGGB mosaic of an RGB
image, optionally with an embedded JPEG preview in IFD0 (the raw data then sits in a
sub-IFD, as cameras and Adobe's converter write it). LibRaw reads these like any DNG."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
from PIL import Image

_FMT = {1: "B", 3: "H", 4: "I", 10: "i"}


def _pack(typ: int, values) -> tuple[int, bytes]:
    if typ == 2:  # ASCII, NUL-terminated
        data = str(values).encode("ascii") + b"\0"
        return len(data), data
    vals = list(values)
    data = struct.pack("<" + _FMT[typ] * len(vals), *vals)
    return (len(vals) // 2 if typ == 10 else len(vals)), data


class _Ifd:
    def __init__(self) -> None:
        self.tags: dict[int, tuple[int, object]] = {}
        self.strip = b""
        self.sub: _Ifd | None = None

    def set(self, tag: int, typ: int, values) -> None:
        self.tags[tag] = (typ, values)


def mosaic(rgb: np.ndarray) -> np.ndarray:
    """RGGB Bayer mosaic (14-bit values in uint16) of an 8-bit RGB image."""
    h, w, _ = rgb.shape
    scaled = rgb.astype(np.uint16) * 64
    cfa = np.zeros((h, w), "<u2")
    cfa[0::2, 0::2] = scaled[0::2, 0::2, 0]
    cfa[0::2, 1::2] = scaled[0::2, 1::2, 1]
    cfa[1::2, 0::2] = scaled[1::2, 0::2, 1]
    cfa[1::2, 1::2] = scaled[1::2, 1::2, 2]
    return cfa


def jpeg_bytes(img: Image.Image, quality: int = 92, **kw) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, **kw)
    return buf.getvalue()


def write_dng(path: Path, rgb: np.ndarray, *, preview: bytes | None = None,
              make: str = "Testcam", model: str = "Model X",
              when: str | None = "2021:06:05 14:03:02", orientation: int = 1) -> Path:
    """Write `rgb` (HxWx3 uint8) as a DNG; `preview` is an embedded JPEG (or none)."""
    h, w, _ = rgb.shape
    raw = _Ifd()
    raw.set(254, 4, [0])  # NewSubFileType: main image
    for tag, typ, val in ((256, 4, [w]), (257, 4, [h]), (258, 3, [16]), (259, 3, [1]),
                          (262, 3, [32803]), (277, 3, [1]), (278, 4, [h]), (284, 3, [1]),
                          (33421, 3, [2, 2]), (33422, 1, [0, 1, 1, 2]), (50717, 4, [16383])):
        raw.set(tag, typ, val)  # CFA photometric, 2x2 RGGB pattern, white level
    raw.strip = mosaic(rgb).tobytes()
    ifd0 = raw
    if preview is not None:
        pw, ph = Image.open(io.BytesIO(preview)).size
        ifd0 = _Ifd()
        ifd0.set(254, 4, [1])  # a reduced-resolution preview
        for tag, typ, val in ((256, 4, [pw]), (257, 4, [ph]), (258, 3, [8, 8, 8]),
                              (259, 3, [7]), (262, 3, [6]), (277, 3, [3]), (278, 4, [ph]),
                              (284, 3, [1])):
            ifd0.set(tag, typ, val)
        ifd0.strip = preview
        ifd0.sub = raw
    ifd0.set(50706, 1, [1, 4, 0, 0])  # DNGVersion
    ifd0.set(50707, 1, [1, 1, 0, 0])
    ifd0.set(271, 2, make)
    ifd0.set(272, 2, model)
    ifd0.set(50708, 2, f"{make} {model}")  # UniqueCameraModel
    ifd0.set(274, 3, [orientation])
    if when:
        ifd0.set(306, 2, when)
    identity = [v for i in range(9) for v in ((10000 if i % 4 == 0 else 0), 10000)]
    ifd0.set(50721, 10, identity)  # ColorMatrix1: identity (3x3 signed rationals)

    out = bytearray(b"II*\0\0\0\0\0")

    def align() -> None:
        if len(out) % 2:
            out.append(0)

    def emit(ifd: _Ifd) -> int:
        sub = emit(ifd.sub) if ifd.sub is not None else None
        align()
        tags = dict(ifd.tags)
        tags[273] = (4, [len(out)])  # StripOffsets
        tags[279] = (4, [len(ifd.strip)])  # StripByteCounts
        out.extend(ifd.strip)
        if sub is not None:
            tags[330] = (4, [sub])  # SubIFDs
        far: dict[int, int] = {}
        for tag, (typ, values) in tags.items():
            _, data = _pack(typ, values)
            if len(data) > 4:
                align()
                far[tag] = len(out)
                out.extend(data)
        align()
        at = len(out)
        out.extend(struct.pack("<H", len(tags)))
        for tag in sorted(tags):
            typ, values = tags[tag]
            count, data = _pack(typ, values)
            value = struct.pack("<I", far[tag]) if tag in far else data.ljust(4, b"\0")
            out.extend(struct.pack("<HHI", tag, typ, count) + value)
        out.extend(b"\0\0\0\0")
        return at

    out[4:8] = struct.pack("<I", emit(ifd0))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path
