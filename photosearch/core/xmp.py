"""XMP sidecar export: tags as dc:subject keywords for Lightroom, digiKam, darktable.

Sidecars are written beside each photo as `NAME.EXT.xmp` (the digiKam/darktable
convention, which keeps `a.jpg` and `a.png` apart). The photo itself is never opened for
writing. An existing sidecar is merged: its other metadata and keywords are kept and only
missing keywords are added; a sidecar that is not valid XML is left alone and reported.
Writes are atomic (temp file, fsync, rename), so a crash never leaves half a sidecar.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "lr": "http://ns.adobe.com/lightroom/1.0/",
    "digiKam": "http://www.digikam.org/ns/1.0/",
    "darktable": "http://darktable.sf.net/",
    "exif": "http://ns.adobe.com/exif/1.0/",
    "tiff": "http://ns.adobe.com/tiff/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "stEvt": "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#",
    "crs": "http://ns.adobe.com/camera-raw-settings/1.0/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
    "MicrosoftPhoto": "http://ns.microsoft.com/photo/1.0/",
    # MWG face regions (people: core/people/xmp_regions.py)
    "mwg-rs": "http://www.metadataworkinggroup.com/schemas/regions/",
    "stDim": "http://ns.adobe.com/xap/1.0/sType/Dimensions#",
    "stArea": "http://ns.adobe.com/xmp/sType/Area#",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

SUFFIX = ".xmp"
_PACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_PACKET_END = '\n<?xpacket end="w"?>\n'


def q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


class XmpError(Exception):
    """An existing sidecar we will not touch (not XML, not XMP)."""


def sidecar_path(photo_path: str) -> str:
    return photo_path + SUFFIX


def new_xmp(keywords: Iterable[str]) -> bytes:
    root = ET.Element(q("x", "xmpmeta"), {q("x", "xmptk"): "photosearch"})
    rdf = ET.SubElement(root, q("rdf", "RDF"))
    desc = ET.SubElement(rdf, q("rdf", "Description"), {q("rdf", "about"): ""})
    _add_keywords(desc, list(keywords))
    return _serialise(root)


def merge_xmp(existing: bytes, keywords: Iterable[str]) -> tuple[bytes, list[str]]:
    """Existing sidecar + keywords -> (new bytes, keywords actually added)."""
    try:
        root = ET.fromstring(existing)
    except ET.ParseError as exc:
        raise XmpError(f"existing sidecar is not valid XML ({exc}); left unchanged") from exc
    rdf = root if root.tag == q("rdf", "RDF") else root.find(q("rdf", "RDF"))
    if rdf is None:
        raise XmpError("existing sidecar has no rdf:RDF element; left unchanged")
    descs = rdf.findall(q("rdf", "Description"))
    target = next((d for d in descs if d.find(q("dc", "subject")) is not None), None)
    if target is None:
        target = descs[0] if descs else ET.SubElement(rdf, q("rdf", "Description"),
                                                      {q("rdf", "about"): ""})
    added = _add_keywords(target, list(keywords))
    return _serialise(root), added


def read_keywords(data: bytes) -> list[str]:
    """dc:subject keywords of an XMP document (for tests and for 'unchanged' checks)."""
    root = ET.fromstring(data)
    return [li.text or "" for li in root.iter(q("rdf", "li"))
            if _parent_is_subject_bag(root, li)]


@dataclass
class ExportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    planned: list[tuple[str, list[str]]] = field(default_factory=list)  # dry run


def export(items: Iterable[tuple[str, list[str]]], *, dry_run: bool = False,
           progress: Callable[[int], None] | None = None) -> ExportReport:
    """Write or merge sidecars for (photo path, keywords) pairs."""
    report = ExportReport()
    for n, (path, keywords) in enumerate(items, 1):
        if dry_run:
            report.planned.append((path, keywords))
        else:
            try:
                outcome = write_sidecar(path, keywords)
            except (XmpError, OSError) as exc:
                report.errors.append((path, getattr(exc, "strerror", None) or str(exc)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if progress:
            progress(n)
    return report


def write_sidecar(photo_path: str, keywords: list[str]) -> str:
    """Create or merge one sidecar; returns 'created', 'updated' or 'unchanged'."""
    side = sidecar_path(photo_path)
    try:
        with open(side, "rb") as fh:
            existing = fh.read()
    except FileNotFoundError:
        _atomic_write(side, new_xmp(keywords))
        return "created"
    data, added = merge_xmp(existing, keywords)
    if not added:
        return "unchanged"
    _atomic_write(side, data)
    return "updated"


def _add_keywords(desc: ET.Element, keywords: list[str]) -> list[str]:
    subject = desc.find(q("dc", "subject"))
    if subject is None:
        subject = ET.SubElement(desc, q("dc", "subject"))
    bag = subject.find(q("rdf", "Bag"))
    if bag is None:
        bag = ET.SubElement(subject, q("rdf", "Bag"))
    have = {(li.text or "").strip().lower() for li in bag.findall(q("rdf", "li"))}
    added = []
    for kw in keywords:
        if kw.strip().lower() not in have:
            ET.SubElement(bag, q("rdf", "li")).text = kw
            have.add(kw.strip().lower())
            added.append(kw)
    return added


def _parent_is_subject_bag(root: ET.Element, li: ET.Element) -> bool:
    for subject in root.iter(q("dc", "subject")):
        for bag in subject:
            if li in list(bag):
                return True
    return False


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return (_PACKET_BEGIN + body + _PACKET_END).encode("utf-8")


def _atomic_write(path: str, data: bytes) -> None:
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".photosearch-", suffix=".xmp.tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
