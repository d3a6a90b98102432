"""XMP sidecar export: tags as dc:subject keywords for Lightroom, digiKam, darktable.

Sidecars are written beside each photo as `NAME.EXT.xmp` (the digiKam/darktable
convention, which keeps `a.jpg` and `a.png` apart). The photo itself is never opened for
writing. An existing sidecar is merged: its other metadata and keywords are kept and only
missing keywords are added; a sidecar that is not valid XML is left alone and reported.
Writes are atomic (temp file, fsync, rename), so a crash never leaves half a sidecar.

Hardening (issue 16): an existing sidecar is opened only when it is a regular file of sane
size (never a FIFO, device or symlink), a rewritten sidecar keeps the mode of the file it
replaces (a new one follows the umask), stale temp files of ours are cleaned up, XML
comments and namespace prefixes of a merged sidecar survive, and the bytes written always
parse as XML (keywords with characters XML cannot hold are refused).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
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
MAX_SIDECAR_BYTES = 16 << 20  # real sidecars are a few KB; anything this big is not one
TMP_PREFIX, TMP_SUFFIX = ".photosearch-", ".xmp.tmp"
STALE_TMP_S = 3600.0  # our temp files older than this are leftovers of a crashed export
# Characters XML 1.0 can hold (controls other than tab/newline/CR, surrogates and the
# U+FFFE/U+FFFF non-characters cannot appear in a document at all).
_XML_INVALID = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
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
        _register_prefixes(existing)
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
        root = ET.fromstring(existing, parser=parser)
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
    return _serialise(root, _prolog_comments(existing)), added


def _prolog_comments(data: bytes) -> str:
    """Comments before the root element (ElementTree only keeps those inside it)."""
    text = data.decode("utf-8", "replace")
    start = re.search(r"<(?![?!])", text)
    head = text[:start.start()] if start else ""
    return "".join(m + "\n" for m in re.findall(r"<!--.*?-->", head, flags=re.S))


def _register_prefixes(data: bytes) -> None:
    """Keep the prefixes an existing sidecar declares (ElementTree would write ns0:...)."""
    import io

    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(data), events=("start-ns",)):
        if prefix and uri and not re.fullmatch(r"ns\d+", prefix) and prefix not in NS:
            try:
                ET.register_namespace(prefix, uri)
            except ValueError:
                pass


def check_keywords(keywords: Iterable[str]) -> list[str]:
    """Keywords as they may go into XML; raises XmpError naming one that cannot."""
    out = list(keywords)
    for kw in out:
        if _XML_INVALID.search(kw):
            raise XmpError(f"keyword {kw!r} contains control or invalid characters that XML "
                           "cannot hold; rename that label ('photosearch labels edit')")
    return out


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
    keywords = check_keywords(keywords)
    side = sidecar_path(photo_path)
    clean_stale_temp_files(os.path.dirname(side) or ".")
    existing = read_sidecar(side)
    if existing is None:
        _atomic_write(side, new_xmp(keywords), mode=None)
        return "created"
    data, mode = existing
    merged, added = merge_xmp(data, keywords)
    if not added:
        return "unchanged"
    _atomic_write(side, merged, mode=mode)
    return "updated"


def read_sidecar(path: str) -> tuple[bytes, int] | None:
    """(bytes, permission bits) of an existing sidecar, None when there is none.

    Only a regular file of at most MAX_SIDECAR_BYTES is read: a FIFO would block forever,
    a device (or a symlink to /dev/zero) would never end. Raises XmpError otherwise."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise XmpError("existing sidecar is a symbolic link; left unchanged (replace it with "
                       "a regular file to let photosearch merge into it)")
    if not stat.S_ISREG(st.st_mode):
        raise XmpError("existing sidecar is not a regular file (a pipe, device or socket); "
                       "left unchanged")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())  # the file we opened, not what the name pointed at before
        if not stat.S_ISREG(st.st_mode):
            raise XmpError("existing sidecar is not a regular file; left unchanged")
        if st.st_size > MAX_SIDECAR_BYTES:
            raise XmpError(f"existing sidecar is {st.st_size:,} bytes, too large to be XMP "
                           f"(limit {MAX_SIDECAR_BYTES >> 20} MiB); left unchanged")
        data = fh.read(MAX_SIDECAR_BYTES + 1)
        if len(data) > MAX_SIDECAR_BYTES:
            raise XmpError("existing sidecar grew while being read; left unchanged")
    return data, stat.S_IMODE(st.st_mode)


def clean_stale_temp_files(directory: str, older_than_s: float = STALE_TMP_S) -> int:
    """Remove our own leftover temp files (`.photosearch-*.xmp.tmp`) from a crashed export;
    only regular files with our prefix and suffix, and only old ones. Returns how many."""
    removed = 0
    cutoff = time.time() - older_than_s
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for e in entries:
        if not (e.name.startswith(TMP_PREFIX) and e.name.endswith(TMP_SUFFIX)):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(e.path)
                removed += 1
        except OSError:
            continue
    return removed


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


def _serialise(root: ET.Element, prolog: str = "") -> bytes:
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    data = (_PACKET_BEGIN + prolog + body + _PACKET_END).encode("utf-8")
    try:
        ET.fromstring(data)  # never write a sidecar no XML reader can open
    except ET.ParseError as exc:
        raise XmpError(f"refusing to write a sidecar that is not valid XML ({exc})") from exc
    return data


def _umask() -> int:
    """The process umask, without changing it where /proc tells (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def _atomic_write(path: str, data: bytes, mode: int | None = None) -> None:
    """Write via temp file + fsync + rename. `mode`: the replaced file's permission bits;
    None (a new sidecar) follows the umask like any file the user creates (usually 0644)."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=TMP_SUFFIX, dir=directory)
    try:
        os.fchmod(fd, mode if mode is not None else 0o666 & ~_umask())
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
