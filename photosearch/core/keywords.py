"""Keywords both ways (issue 14): tags out to sidecars, and the keywords photos already carry
in.

Out: `sync_sidecars` writes each tagged photo's tags into its `NAME.EXT.xmp` (dc:subject,
lr:hierarchicalSubject `PARENT|tag`, digiKam:TagsList `PARENT/tag`; PARENT is settings
`keywords.parent`, default `photosearch`) and records each value it added
(KeywordStore). When a tag goes away (label removed, photo untagged, review rejected)
`retract` removes exactly those recorded values, never a keyword another tool or the user
wrote, and never creates a sidecar.

In: `read_file_keywords` reads a file's keywords from its sidecar (`NAME.EXT.xmp`, and
Lightroom's `NAME.xmp`), its embedded XMP and its IPTC Keywords (exiv2, the photo opened
read-only); the indexer stores them per path, the watcher re-reads them when a sidecar
changes. They are searchable as `tag:NAME` / `keyword:NAME` and shown in the preview.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from . import xmp
from .config import read_section
from .keywords_store import KeywordStore
from .paths import is_under

log = logging.getLogger(__name__)

DEFAULT_PARENT = "photosearch"
SOURCES = ("sidecar", "xmp", "iptc")
_IPTC_KEYWORDS = "Iptc.Application2.Keywords"
MAX_EMBEDDED_READ_BYTES = 1 << 30  # same cap as the indexer's max_file_bytes default


@dataclass
class KeywordSettings:
    parent: str = DEFAULT_PARENT  # "" writes bare keywords into the hierarchical fields too

    @classmethod
    def from_settings(cls, settings: Any) -> KeywordSettings:
        out: KeywordSettings = read_section(
            cls, getattr(settings, "keywords", None), "keywords",
            lambda default, v: isinstance(v, type(default)) and "|" not in v and "/" not in v)
        return out

    def store(self, settings: Any) -> None:
        settings.keywords = asdict(self)


@dataclass
class SyncReport(xmp.ExportReport):
    added: int = 0  # keyword values written
    removed: int = 0  # keyword values taken back
    changed_paths: list[str] = field(default_factory=list)


# -- out: tags -> sidecars ---------------------------------------------------------------
def current_tags(catalog, folder: str | None = None) -> dict[str, list[str]]:
    """photo path -> its tag names (what the sidecars should say)."""
    from .tagging import tag_keywords

    return dict(tag_keywords(catalog, folder))


def sync_sidecars(library, folder: str | None = None, *, add: bool = True,
                  progress: Callable[[int], None] | None = None) -> SyncReport:
    """Bring sidecars in step with the tags: add every tag of a tagged photo (add=True) and
    take back the values photosearch wrote for tags a photo no longer has. Only sidecars
    of tagged photos, or ones photosearch wrote into, are touched."""
    catalog = library.catalog
    parent = KeywordSettings.from_settings(library.settings).parent
    store = KeywordStore(catalog)
    want = current_tags(catalog, folder)
    written = store.written()
    if folder is not None:
        written = {p: w for p, w in written.items() if is_under(p, folder)}
    paths = sorted(set(want if add else ()) | set(written))
    report = SyncReport()
    for n, path in enumerate(paths, 1):
        _sync_one(store, path, want.get(path, []), written.get(path, []), parent, add, report)
        if progress:
            progress(n)
    return report


def retract(library, folder: str | None = None) -> SyncReport:
    """Take back keywords of tags that went away (nothing is added, no sidecar created)."""
    return sync_sidecars(library, folder, add=False)


def _sync_one(store: KeywordStore, path: str, tags: list[str], written: list, parent: str,
              add: bool, report: SyncReport) -> None:
    wanted = {v for t in tags for v in xmp.keyword_forms(t, parent).items()}
    stale = [(f, v) for f, v, _ in written if (f, v) not in wanted]
    todo = tags if add else []
    if not todo and not stale:
        return
    if not os.path.lexists(path):  # the photo is gone (trashed, moved): leave its sidecar
        return
    try:
        edit = xmp.edit_keywords(path, todo, stale, parent=parent)
    except (xmp.XmpError, OSError) as exc:
        report.errors.append((path, getattr(exc, "strerror", None) or str(exc)))
        return
    tag_of = {(f, v): t for t in tags for f, v in xmp.keyword_forms(t, parent).items()}
    store.forget(path, stale)  # also those someone already removed by hand
    store.record(path, [(f, v, tag_of[(f, v)]) for f, v in edit.added])
    setattr(report, edit.outcome, getattr(report, edit.outcome) + 1)
    report.added += len(edit.added)
    report.removed += len(edit.removed)
    if edit.outcome != "unchanged":
        report.changed_paths.append(path)
        refresh_paths(store, [path])  # our own values never count as the file's keywords


# -- in: files -> keywords -----------------------------------------------------------------
def sidecars_of(path: str) -> list[str]:
    """Sidecar names a photo may have: NAME.EXT.xmp (digiKam, darktable, ours) and NAME.xmp
    (Lightroom, Capture One)."""
    out = [xmp.sidecar_path(path)]
    stem = os.path.splitext(path)[0] + xmp.SUFFIX
    if stem != path and stem not in out:
        out.append(stem)
    return out


def _leaf(value: str, sep: str) -> str:
    return value.rsplit(sep, 1)[-1].strip()


def keywords_in(props: dict, ours: set[str] | None = None) -> list[str]:
    """Keywords in exiv2's XMP properties: dc:subject, and the last level of
    lr:hierarchicalSubject and digiKam:TagsList; `ours` (exact (field, value) pairs as
    `field\\0value`) are left out."""
    ours = ours or set()
    out: list[str] = []
    for key, sep in ((xmp.DC, ""), (xmp.LR, "|"), (xmp.DK, "/")):
        value = props.get(key)
        for v in [value] if isinstance(value, str) else (value or []):
            if f"{key}\0{v}" in ours or not isinstance(v, str):
                continue
            kw = _leaf(v, sep) if sep else v.strip()
            if kw:
                out.append(kw)
    return out


def read_file_keywords(path: str, ours: Iterable[tuple[str, str]] = (),
                       max_bytes: int = MAX_EMBEDDED_READ_BYTES) -> list[tuple[str, str]]:
    """(keyword, source) a file carries: its sidecars, embedded XMP, IPTC Keywords. `ours`:
    (field, value) pairs photosearch wrote into its sidecar, not the file's own. An
    unreadable sidecar or file gives no keywords (logged), never an error."""
    mine = {f"{f}\0{v}" for f, v in ours}
    found: dict[tuple[str, str], None] = {}

    def put(keywords: Iterable[str], source: str) -> None:
        for k in keywords:
            found.setdefault((k, source), None)

    for side in sidecars_of(path):
        try:
            got = xmp.read_sidecar(side)
            if got is not None:
                put(keywords_in(xmp.read_properties(got[0]),
                                mine if side == xmp.sidecar_path(path) else None), "sidecar")
        except (xmp.XmpError, OSError) as exc:
            log.info("%s: sidecar keywords not read (%s)", side, exc)
    try:
        xmp_props, iptc = xmp.read_embedded(path, max_bytes)
    except (xmp.XmpError, OSError) as exc:
        log.debug("%s: embedded keywords not read (%s)", path, exc)
    else:
        put(keywords_in(xmp_props), "xmp")
        kws = iptc.get(_IPTC_KEYWORDS) or []
        put([k.strip() for k in ([kws] if isinstance(kws, str) else kws) if k.strip()], "iptc")
    return list(found)


def refresh_paths(store: KeywordStore, paths: Sequence[str]) -> int:
    """Read and store the keywords of these files; returns how many carry any."""
    written = store.written(paths)
    n = 0
    for p in paths:
        ours = [(f, v) for f, v, _ in written.get(p, [])]
        kws = read_file_keywords(p, ours)
        store.set_file_keywords(p, kws)
        n += bool(kws)
    return n


def read_at_index(catalog, paths: Sequence[str]) -> int:
    """Called by the indexer for files it cataloged or linked (new or changed)."""
    return refresh_paths(KeywordStore(catalog), paths)


def photos_of_sidecar(catalog, sidecar: str) -> list[str]:
    """Cataloged photo paths a sidecar belongs to: NAME.EXT for NAME.EXT.xmp, and every
    NAME.* for NAME.xmp."""
    base = sidecar[: -len(xmp.SUFFIX)]
    out = [base] if catalog.hash_of(base) is not None else []
    folder, stem = os.path.split(base)
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return out
    for name in names:
        p = os.path.join(folder, name)
        if os.path.splitext(name)[0] == stem and not name.lower().endswith(xmp.SUFFIX) \
                and p not in out and catalog.hash_of(p) is not None:
            out.append(p)
    return out


def sidecars_changed(catalog, sidecars: Iterable[str]) -> list[str]:
    """The watcher saw these sidecars change (or appear, or go): re-read the keywords of the
    photos they belong to (no re-embedding). Returns the photo paths re-read."""
    photos = sorted({p for s in sidecars for p in photos_of_sidecar(catalog, s)})
    if photos:
        refresh_paths(KeywordStore(catalog), photos)
    return photos


def keywords_of(catalog, paths: Sequence[str]) -> list[str]:
    """A photo's keywords (over all its paths), for the preview: sorted, no repeats."""
    seen: dict[str, str] = {}
    for k, _source in KeywordStore(catalog).keywords_of_paths(paths):
        seen.setdefault(k.casefold(), k)
    return sorted(seen.values(), key=str.casefold)


def is_sidecar_name(name: str) -> bool:
    return name.lower().endswith(xmp.SUFFIX) and not name.startswith(xmp.TMP_PREFIX)
