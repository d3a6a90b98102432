"""XMP sidecars: the ONE writer of the project (keywords here, MWG face regions in
core/people/xmp_regions.py), through exiv2 (the maintained C++ library digiKam and
darktable use, bundled by the pyexiv2 wheel).

Sidecars are written beside each photo as `NAME.EXT.xmp` (the digiKam/darktable
convention, which keeps `a.jpg` and `a.png` apart). The photo itself is never opened for
writing. An existing sidecar is merged by exiv2 in memory: every property it holds is kept
(prefixes of foreign namespaces included); only the properties we change are rewritten. The
result goes to a temp file beside it (fsync) that is renamed over the old one, so a crash
never leaves half a sidecar. A sidecar that is not valid XMP is left alone and reported.

Keywords go into three fields, because digiKam reads the first non-empty of
digiKam:TagsList, lr:hierarchicalSubject, ..., dc:subject: `dc:subject` (`dogs`),
`lr:hierarchicalSubject` (`photosearch|dogs`) and `digiKam:TagsList` (`photosearch/dogs`),
the parent being configurable (settings `keywords.parent`, core/keywords.py).

exiv2 keeps no XML comments inside the XMP tree (they are not XMP data, digiKam's own
writes drop them too); comments before the root element are kept. pyexiv2 is not
thread-safe (it keeps a global error log), so every call into it holds `_EXIV2_LOCK`.

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
import threading
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


DC, LR, DK = "Xmp.dc.subject", "Xmp.lr.hierarchicalSubject", "Xmp.digiKam.TagsList"
KEYWORD_FIELDS = (DC, LR, DK)
_BAGS = {DC: "dc:subject", LR: "lr:hierarchicalSubject"}  # digiKam:TagsList is a Seq
_EMPTY = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
          '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>' + _PACKET_END)
_EXIV2_LOCK = threading.RLock()
_exiv2_ready = False

Changes = dict[str, "str | list[str] | None"]  # pyexiv2 modify_xmp: None deletes a key


def _exiv2():
    global _exiv2_ready
    import pyexiv2

    if not _exiv2_ready:
        pyexiv2.set_log_level(3)  # exiv2 prints warnings on stdout (would spoil --json)
        _exiv2_ready = True
    return pyexiv2


def keyword_forms(keyword: str, parent: str) -> dict[str, str]:
    """The value each keyword field gets for one tag: dogs, photosearch|dogs, photosearch/dogs
    (no parent: the bare keyword in all three)."""
    return {DC: keyword, LR: f"{parent}|{keyword}" if parent else keyword,
            DK: f"{parent}/{keyword}" if parent else keyword}


def _split_prolog(data: bytes) -> tuple[str, str]:
    """(comments before the root element, the document from its root on, as exiv2 wants
    it: exiv2 recognises a sidecar only when it starts with an xpacket or the root)."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    start = re.search(r"<(?![?!])", text)
    if start is None:
        raise XmpError("existing sidecar has no XML element; left unchanged")
    return _prolog_comments(data), text[start.start():]


def _check_xml(data: bytes) -> None:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise XmpError(f"existing sidecar is not valid XML ({exc}); left unchanged") from exc
    rdf = root if root.tag == q("rdf", "RDF") else root.find(q("rdf", "RDF"))
    if rdf is None:
        raise XmpError("existing sidecar has no rdf:RDF element; left unchanged")


def read_properties(data: bytes) -> dict[str, str | list[str]]:
    """Every XMP property of a document, as exiv2 flattens them (`Xmp.dc.subject`: [...],
    `Xmp.mwg-rs.Regions/mwg-rs:RegionList[1]/mwg-rs:Name`: 'Anna', ...)."""
    _check_xml(data)
    _, body = _split_prolog(data)
    with _EXIV2_LOCK:
        pyexiv2 = _exiv2()
        try:
            img = pyexiv2.ImageData((_PACKET_BEGIN + body).encode("utf-8"))
        except RuntimeError as exc:
            raise XmpError(f"existing sidecar is not XMP exiv2 can read ({exc})") from exc
        try:
            return dict(img.read_xmp())
        finally:
            img.close()


def read_embedded(path: str, max_bytes: int = 256 << 20) -> tuple[dict, dict]:
    """(XMP properties, IPTC datasets) embedded in a photo. The photo is opened read-only by
    us (regular files of at most max_bytes) and parsed by exiv2 in memory."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            raise XmpError("not a regular file of readable size")
        data = fh.read(max_bytes + 1)
    with _EXIV2_LOCK:
        pyexiv2 = _exiv2()
        try:
            img = pyexiv2.ImageData(data)
        except RuntimeError as exc:
            raise XmpError(f"exiv2 cannot read this file ({exc})") from exc
        try:
            return dict(img.read_xmp()), dict(img.read_iptc())
        except (RuntimeError, UnicodeDecodeError) as exc:
            raise XmpError(f"exiv2 cannot read this file's metadata ({exc})") from exc
        finally:
            img.close()


def apply_changes(existing: bytes | None, changes: Callable[[dict], Changes | None]
                  ) -> bytes | None:
    """Existing sidecar (None: a new one) -> its bytes after `changes`, which gets the
    current properties and returns what to set (lists are arrays, None deletes); None or {}
    from it means nothing to do (returns None). Everything else in the sidecar is kept."""
    if existing is not None:
        _check_xml(existing)
        prolog, body = _split_prolog(existing)
    else:
        prolog, body = "", _EMPTY
    with _EXIV2_LOCK:
        pyexiv2 = _exiv2()
        try:
            img = pyexiv2.ImageData((_PACKET_BEGIN + body).encode("utf-8"))
        except RuntimeError as exc:
            raise XmpError(f"existing sidecar is not XMP exiv2 can read ({exc}); left "
                           "unchanged") from exc
        try:
            todo = changes(dict(img.read_xmp()))
            if not todo:
                return None
            try:
                # exiv2 mirrors a sidecar's XMP into EXIF/IPTC when reading it and copies
                # those back on writing: a deleted dc:subject would return from the IPTC
                # Keywords copy. A sidecar holds only XMP: drop the in-memory mirrors.
                img.clear_exif()
                img.clear_iptc()
                # Struct members must go before their parents are re-created: delete first.
                img.modify_xmp({k: None for k in todo})
                img.modify_xmp({k: v for k, v in todo.items() if v is not None and v != []})
                raw = img.read_raw_xmp()
                fixed = _bags(raw, [k for k in todo if k in _BAGS])
                if fixed != raw:
                    img.modify_raw_xmp(fixed)
                # exiv2 does not write a sidecar whose XMP became empty: an empty packet
                data = img.get_bytes() if img.read_xmp() else (_PACKET_BEGIN + _EMPTY).encode()
            except RuntimeError as exc:
                raise XmpError(f"exiv2 could not write this sidecar ({exc}); left "
                               "unchanged") from exc
        finally:
            img.close()
    text = data.decode("utf-8")
    if prolog:
        begin = text.find("?>") + 2 if text.startswith("<?xpacket") else 0
        text = text[:begin] + "\n" + prolog.rstrip("\n") + text[begin:]
    out = text.encode("utf-8")
    try:
        ET.fromstring(out)  # never write a sidecar no XML reader can open
    except ET.ParseError as exc:
        raise XmpError(f"refusing to write a sidecar that is not valid XML ({exc})") from exc
    return out


def _bags(raw: str, keys: list[str]) -> str:
    """pyexiv2 writes every array as rdf:Seq; dc:subject and lr:hierarchicalSubject are
    unordered rdf:Bag by their schemas. Fix exactly those two in exiv2's own serialisation
    (which the caller hands back to exiv2 to parse and write)."""
    for key in keys:
        tag = re.escape(_BAGS[key])
        raw = re.sub(rf"(<{tag}>\s*<rdf:)Seq(>.*?</rdf:)Seq(>\s*</{tag}>)", r"\1Bag\2Bag\3",
                     raw, flags=re.S)
    return raw


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@dataclass
class KeywordEdit:
    """What one sidecar write did: (field, value) pairs added and removed."""
    outcome: str  # created / updated / unchanged
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)


def keyword_changes(props: dict, add: Iterable[str], drop: Iterable[tuple[str, str]],
                    parent: str, edit: KeywordEdit) -> Changes:
    """The three keyword fields after adding `add` (each in its three forms, where not
    already there, case-insensitively) and removing exactly the (field, value) pairs of
    `drop`; records what changed in `edit`."""
    current = {k: _as_list(props.get(k)) for k in KEYWORD_FIELDS}
    new = {k: list(v) for k, v in current.items()}
    drops = set(drop)
    for k in KEYWORD_FIELDS:
        kept = [v for v in new[k] if (k, v) not in drops]
        edit.removed += [(k, v) for v in new[k] if (k, v) in drops]
        new[k] = kept
    for kw in add:
        for k, value in keyword_forms(kw, parent).items():
            if value.strip().casefold() not in {v.strip().casefold() for v in new[k]}:
                new[k].append(value)
                edit.added.append((k, value))
    return {k: (new[k] or None) for k in KEYWORD_FIELDS if new[k] != current[k]}


def new_xmp(keywords: Iterable[str], parent: str = "") -> bytes:
    """A new sidecar holding these keywords."""
    data = merge_xmp(None, keywords, parent)[0]
    return data


def merge_xmp(existing: bytes | None, keywords: Iterable[str], parent: str = ""
              ) -> tuple[bytes, list[str]]:
    """Existing sidecar + keywords -> (new bytes, dc:subject keywords actually added)."""
    kws = check_keywords(keywords)
    edit = KeywordEdit("updated")
    data = apply_changes(existing, lambda props: keyword_changes(props, kws, [], parent, edit))
    if data is None:
        return existing if existing is not None else (_PACKET_BEGIN + _EMPTY).encode(), []
    return data, [v for k, v in edit.added if k == DC]


def _prolog_comments(data: bytes) -> str:
    """Comments before the root element (ElementTree only keeps those inside it)."""
    text = data.decode("utf-8", "replace")
    start = re.search(r"<(?![?!])", text)
    head = text[:start.start()] if start else ""
    return "".join(m + "\n" for m in re.findall(r"<!--.*?-->", head, flags=re.S))


def check_keywords(keywords: Iterable[str]) -> list[str]:
    """Keywords as they may go into XML; raises XmpError naming one that cannot."""
    out = list(keywords)
    for kw in out:
        if _XML_INVALID.search(kw):
            raise XmpError(f"keyword {kw!r} contains control or invalid characters that XML "
                           "cannot hold; rename that label ('photosearch labels edit')")
    return out


def read_keywords(data: bytes, key: str = DC) -> list[str]:
    """One keyword field of an XMP document (default dc:subject), as exiv2 reads it."""
    return _as_list(read_properties(data).get(key))


@dataclass
class ExportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    planned: list[tuple[str, list[str]]] = field(default_factory=list)  # dry run


def export(items: Iterable[tuple[str, list[str]]], *, dry_run: bool = False,
           parent: str = "", progress: Callable[[int], None] | None = None) -> ExportReport:
    """Write or merge sidecars for (photo path, keywords) pairs (no memory of what was
    written: core/keywords.py's sync does that for the library)."""
    report = ExportReport()
    for n, (path, keywords) in enumerate(items, 1):
        if dry_run:
            report.planned.append((path, keywords))
        else:
            try:
                outcome = edit_keywords(path, keywords, parent=parent).outcome
            except (XmpError, OSError) as exc:
                report.errors.append((path, getattr(exc, "strerror", None) or str(exc)))
            else:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if progress:
            progress(n)
    return report


def write_sidecar(photo_path: str, keywords: list[str], parent: str = "") -> str:
    """Create or merge one sidecar; returns 'created', 'updated' or 'unchanged'."""
    return edit_keywords(photo_path, keywords, parent=parent).outcome


def edit_keywords(photo_path: str, add: Iterable[str], drop: Iterable[tuple[str, str]] = (),
                  *, parent: str = "") -> KeywordEdit:
    """Add keywords to (in their three forms) and remove exactly the (field, value) pairs
    `drop` from one photo's sidecar. A sidecar that would only lose keywords and does not
    exist is not created."""
    add = check_keywords(add)
    drop = list(drop)
    edit = KeywordEdit("unchanged")
    if not add and not drop:
        return edit
    edit.outcome = edit_sidecar(
        photo_path, lambda props: keyword_changes(props, add, drop, parent, edit),
        create=bool(add))
    return edit


def edit_sidecar(photo_path: str, changes: Callable[[dict], Changes | None], *,
                 create: bool = True) -> str:
    """The one way a sidecar is written: read it (regular files of sane size only), let
    exiv2 apply `changes` in memory, write the result atomically keeping the file's mode.
    Returns 'created', 'updated' or 'unchanged'."""
    side = sidecar_path(photo_path)
    clean_stale_temp_files(os.path.dirname(side) or ".")
    found = read_sidecar(side)
    if found is None and not create:
        return "unchanged"
    existing, mode = found if found is not None else (None, None)
    data = apply_changes(existing, changes)
    if data is None:
        return "unchanged"
    _atomic_write(side, data, mode=mode)
    return "created" if existing is None else "updated"


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
