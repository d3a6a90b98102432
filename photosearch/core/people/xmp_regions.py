"""Named people as MWG face regions (`mwg-rs:Regions`, read by digiKam and Lightroom),
written into the same `NAME.EXT.xmp` sidecars as keywords, through core/xmp.py's parser,
serialiser and atomic writer. The photo itself is never opened for writing.

An existing sidecar is merged: its other metadata is kept, and so are regions of other
names; regions of the names written here are replaced.

Rotated photos (EXIF orientation other than 1) are skipped with a reason: MWG areas are
fractions of an image frame, and which frame (stored pixels or the displayed, rotated
image) other tools expect was not settled here; for an unrotated photo both are the same.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from PIL import Image

from .. import xmp
from ..xmp import XmpError, q

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


def _description(root: ET.Element) -> ET.Element:
    rdf = root if root.tag == q("rdf", "RDF") else root.find(q("rdf", "RDF"))
    if rdf is None:
        raise XmpError("existing sidecar has no rdf:RDF element; left unchanged")
    descs = rdf.findall(q("rdf", "Description"))
    found = next((d for d in descs if d.find(q("mwg-rs", "Regions")) is not None), None)
    if found is not None:
        return found
    return descs[0] if descs else ET.SubElement(rdf, q("rdf", "Description"),
                                                {q("rdf", "about"): ""})


def _parse_regions(desc: ET.Element) -> list[tuple[Region | None, ET.Element]]:
    out: list[tuple[Region | None, ET.Element]] = []
    regions = desc.find(q("mwg-rs", "Regions"))
    bag = None if regions is None else regions.find(f"{q('mwg-rs', 'RegionList')}/"
                                                    f"{q('rdf', 'Bag')}")
    for li in [] if bag is None else bag.findall(q("rdf", "li")):
        name = li.findtext(q("mwg-rs", "Name"))
        area = li.find(q("mwg-rs", "Area"))
        try:
            values = [float(area.get(q("stArea", k), "")) for k in "xywh"] \
                if area is not None else None
        except ValueError:
            values = None
        out.append((Region(name, *values) if name and values else None, li))
    return out


def read_regions(data: bytes) -> list[Region]:
    """Named MWG regions of an XMP document."""
    root = ET.fromstring(data)
    return [r for r, _ in _parse_regions(_description(root)) if r is not None]


def merge_regions(existing: bytes | None, regions: list[Region], size: tuple[int, int]
                  ) -> bytes:
    """Sidecar bytes with these regions (replacing same-name ones, keeping the rest)."""
    if existing is None:
        root = ET.fromstring(xmp.new_xmp([]))
    else:
        try:
            root = ET.fromstring(existing)
        except ET.ParseError as exc:
            raise XmpError(f"existing sidecar is not valid XML ({exc}); left unchanged") \
                from exc
    desc = _description(root)
    names = {r.name.lower() for r in regions}
    kept = [li for r, li in _parse_regions(desc) if r is None or r.name.lower() not in names]
    old = desc.find(q("mwg-rs", "Regions"))
    if old is not None:
        desc.remove(old)
    container = ET.SubElement(desc, q("mwg-rs", "Regions"), {q("rdf", "parseType"): "Resource"})
    ET.SubElement(container, q("mwg-rs", "AppliedToDimensions"), {
        q("stDim", "w"): str(size[0]), q("stDim", "h"): str(size[1]),
        q("stDim", "unit"): "pixel"})
    bag = ET.SubElement(ET.SubElement(container, q("mwg-rs", "RegionList")), q("rdf", "Bag"))
    for li in kept:
        bag.append(li)
    for r in regions:
        li = ET.SubElement(bag, q("rdf", "li"), {q("rdf", "parseType"): "Resource"})
        ET.SubElement(li, q("mwg-rs", "Area"), {
            q("stArea", "x"): f"{r.x:.6f}", q("stArea", "y"): f"{r.y:.6f}",
            q("stArea", "w"): f"{r.w:.6f}", q("stArea", "h"): f"{r.h:.6f}",
            q("stArea", "unit"): "normalized"})
        ET.SubElement(li, q("mwg-rs", "Name")).text = r.name
        ET.SubElement(li, q("mwg-rs", "Type")).text = "Face"
    return xmp._serialise(root)


def write_regions(photo_path: str, regions: list[Region], size: tuple[int, int]) -> str:
    """Create or merge one sidecar; returns 'created', 'updated' or 'unchanged'. Raises
    XmpError for a rotated photo or a sidecar that is not XMP, OSError for disk errors."""
    if orientation(photo_path) != 1:
        raise XmpError("rotated photo (EXIF orientation): face regions not written")
    side = xmp.sidecar_path(photo_path)
    found = xmp.read_sidecar(side)  # only a regular file of sane size (never a FIFO/device)
    existing, mode = found if found is not None else (None, None)
    data = merge_regions(existing, regions, size)
    if existing is not None and sorted(read_regions(existing), key=repr) == \
            sorted(read_regions(data), key=repr):
        return "unchanged"
    xmp._atomic_write(side, data, mode=mode)  # keeps an existing sidecar's permissions
    return "created" if existing is None else "updated"


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
    except (ET.ParseError, XmpError):
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
