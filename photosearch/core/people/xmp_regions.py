"""Named people as MWG face regions (`mwg-rs:Regions`, read by digiKam and Lightroom),
written into the same `NAME.EXT.xmp` sidecars as keywords, through core/xmp.py (the one
writer: exiv2 merges in memory, atomic replace). The photo itself is never opened for
writing. Regions are exiv2's flattened keys (`Xmp.mwg-rs.Regions/mwg-rs:RegionList[1]/
mwg-rs:Name`, ...).

An existing sidecar is merged: its other metadata is kept, and so are regions of other
names; regions of the names written here are replaced.

Rotated photos (EXIF orientation other than 1) are skipped with a reason: MWG areas are
fractions of an image frame, and which frame (stored pixels or the displayed, rotated
image) other tools expect was not settled here; for an unrotated photo both are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import Image

from .. import xmp
from ..xmp import XmpError

_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Region:
    name: str
    x: float  # centre, fraction of the width
    y: float  # centre, fraction of the height
    w: float
    h: float


def region_for(name: str, box: tuple[int, int, int, int], size: tuple[int, int]) -> Region:
    left, top, right, bottom = box
    width, height = size
    return Region(name, (left + right) / 2 / width, (top + bottom) / 2 / height,
                  (right - left) / width, (bottom - top) / height)


def orientation(path: str) -> int:
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(_ORIENTATION, 1) or 1)
    except Exception:  # noqa: BLE001 - unreadable EXIF: treat as unrotated
        return 1


ROOT = "Xmp.mwg-rs.Regions"
LIST = f"{ROOT}/mwg-rs:RegionList"
_ITEM = re.compile(re.escape(LIST) + r"\[(\d+)\]")


def _items(props: dict) -> dict[int, dict[str, str]]:
    """Region list item number -> its keys (below the item, relative) and values."""
    out: dict[int, dict[str, str]] = {}
    for key, value in props.items():
        m = _ITEM.match(key)
        if m:
            out.setdefault(int(m.group(1)), {})[key[m.end():]] = value
    return out


def _region(item: dict[str, str]) -> Region | None:
    name = item.get("/mwg-rs:Name")
    try:
        values = [float(item.get(f"/mwg-rs:Area/stArea:{k}", "")) for k in "xywh"]
    except ValueError:
        return None
    return Region(name, *values) if isinstance(name, str) and name else None


def _regions(props: dict) -> list[Region]:
    return [r for _, item in sorted(_items(props).items()) if (r := _region(item))]


def _written(r: Region) -> tuple[str, ...]:
    """A region as the sidecar holds it (6 decimals), to tell whether a write changes it."""
    return (r.name, *(f"{v:.6f}" for v in (r.x, r.y, r.w, r.h)))


def read_regions(data: bytes) -> list[Region]:
    """Named MWG regions of an XMP document."""
    return _regions(xmp.read_properties(data))


def region_changes(props: dict, regions: list[Region], size: tuple[int, int]
                   ) -> xmp.Changes | None:
    """The mwg-rs keys after putting these regions in (replacing same-name ones, keeping
    the other items whole); None when the sidecar already says exactly this."""
    names = {r.name.lower() for r in regions}
    kept = [item for _, item in sorted(_items(props).items())
            if (r := _region(item)) is None or r.name.lower() not in names]
    before = sorted(map(_written, _regions(props)))
    after = sorted(map(_written, [r for item in kept if (r := _region(item))] + regions))
    if before == after and props.get(f"{ROOT}/mwg-rs:AppliedToDimensions/stDim:w") == \
            str(size[0]):
        return None
    out: xmp.Changes = {k: None for k in props if k.startswith(ROOT)}
    out.update({
        ROOT: 'type="Struct"',
        f"{ROOT}/mwg-rs:AppliedToDimensions": 'type="Struct"',
        f"{ROOT}/mwg-rs:AppliedToDimensions/stDim:w": str(size[0]),
        f"{ROOT}/mwg-rs:AppliedToDimensions/stDim:h": str(size[1]),
        f"{ROOT}/mwg-rs:AppliedToDimensions/stDim:unit": "pixel",
        LIST: 'type="Bag"'})
    n = 0
    for item in kept:
        n += 1
        out[f"{LIST}[{n}]"] = 'type="Struct"'
        for sub, value in item.items():
            if sub:
                out[f"{LIST}[{n}]{sub}"] = value
    for r in regions:
        n += 1
        key = f"{LIST}[{n}]"
        out[key] = 'type="Struct"'
        out[f"{key}/mwg-rs:Area"] = 'type="Struct"'
        for k, v in zip("xywh", (r.x, r.y, r.w, r.h), strict=True):
            out[f"{key}/mwg-rs:Area/stArea:{k}"] = f"{v:.6f}"
        out[f"{key}/mwg-rs:Area/stArea:unit"] = "normalized"
        out[f"{key}/mwg-rs:Name"] = r.name
        out[f"{key}/mwg-rs:Type"] = "Face"
    return out


def merge_regions(existing: bytes | None, regions: list[Region], size: tuple[int, int]
                  ) -> bytes:
    """Sidecar bytes with these regions (replacing same-name ones, keeping the rest)."""
    data = xmp.apply_changes(existing, lambda props: region_changes(props, regions, size))
    if data is None:
        assert existing is not None  # a new sidecar always changes
        return existing
    return data


def write_regions(photo_path: str, regions: list[Region], size: tuple[int, int]) -> str:
    """Create or merge one sidecar; returns 'created', 'updated' or 'unchanged'. Raises
    XmpError for a rotated photo or a sidecar that is not XMP, OSError for disk errors."""
    if orientation(photo_path) != 1:
        raise XmpError("rotated photo (EXIF orientation): face regions not written")
    return xmp.edit_sidecar(photo_path, lambda props: region_changes(props, regions, size))


def sidecar_regions(photo_path: str) -> list[Region]:
    """Named face regions in the photo's sidecar (written by us or another tool), for an
    unrotated photo; [] when there is none or it cannot be read."""
    try:
        found = xmp.read_sidecar(xmp.sidecar_path(photo_path))
    except (OSError, XmpError):
        return []
    if found is None:
        return []
    data = found[0]
    try:
        regions = read_regions(data)
    except XmpError:
        return []
    return regions if regions and orientation(photo_path) == 1 else []


def box_of(region: Region, size: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = size
    return ((region.x - region.w / 2) * w, (region.y - region.h / 2) * h,
            (region.x + region.w / 2) * w, (region.y + region.h / 2) * h)


def iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_regions(regions: list[Region], boxes: list[tuple[int, int, int, int]],
                  size: tuple[int, int], min_iou: float = 0.3) -> dict[int, str]:
    """Detected face index -> region name, greedily by overlap (each used once)."""
    pairs = sorted(((iou(box_of(r, size), tuple(map(float, b))), i, r.name)
                    for i, b in enumerate(boxes) for r in regions), reverse=True)
    out: dict[int, str] = {}
    used: set[str] = set()
    for overlap, i, name in pairs:
        if overlap < min_iou:
            break
        if i not in out and name.lower() not in used:
            out[i] = name
            used.add(name.lower())
    return out
