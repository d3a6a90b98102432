"""What a search, a browse or a label view returns: one `Result` per photo, built one way.

Results are built from the catalog in two queries per page (paths, then photo metadata),
whatever produced the hashes; a photo with no file left (it vanished after the index or the
label view was read) is left out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .catalog import Catalog, PhotoRow
from .pairs import Pair
from .paths import is_under
from .tagging_store import LabelStore


@dataclass
class Result:
    path: str
    hash: str
    score: float | None
    taken_at: float | None
    width: int | None
    height: int | None
    format: str | None
    camera: str | None
    strong: bool
    paths: list[str] = field(default_factory=list)
    text_match: list[str] | None = None  # lines of the photo's text that matched the query
    # A RAW+JPEG pair shown as this one item (core/pairs.py): "RAW+JPEG" / "RAW+HEIC", its
    # files [raw, jpeg] and both photos' hashes; None/[] for an ordinary photo.
    pair: str | None = None
    files: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)

    @property
    def all_hashes(self) -> list[str]:
        """The photos this item stands for: both halves of a pair, else its own."""
        return self.members or [self.hash]

    @property
    def all_files(self) -> list[str]:
        """The files this item stands for: both files of a pair, else its path."""
        return self.files or [self.path]

    def to_json(self) -> dict:
        out = {
            "path": self.path, "score": None if self.score is None else round(self.score, 4),
            "strong": self.strong, "hash": self.hash,
            "taken_at": _iso(self.taken_at), "width": self.width, "height": self.height,
            "format": self.format, "camera": self.camera, "paths": self.paths,
        }
        if self.text_match is not None:
            out["text_match"] = self.text_match
        if self.pair is not None:
            out["pair"] = self.pair
            out["files"] = self.files
        return out


def result_for(h: str, paths: list[str] | None, meta: PhotoRow | None, score: float | None,
               folder: str | None, strong: bool = False) -> Result | None:
    """A result from a photo's paths and metadata row; paths inside `folder` come first.
    None when the photo has no file (or no row) left."""
    if not paths or meta is None:
        return None
    if folder:
        inside = [p for p in paths if is_under(p, folder)]
        paths = inside + [p for p in paths if p not in inside]
    camera = " ".join(x for x in (meta.camera_make, meta.camera_model) if x) or None
    return Result(paths[0], h, score, meta.taken_at, meta.width, meta.height, meta.format,
                  camera, strong, paths)


def results_for(catalog: Catalog, hashes: Sequence[str],
                scores: Sequence[float | None] | None = None, folder: str | None = None,
                strong: bool = False, pairs: dict[str, Pair] | None = None) -> list[Result]:
    """Results for these photos in this order (two queries), skipping photos with no file.
    `pairs` (from `pairs.collapse`): the items that stand for a RAW+JPEG pair."""
    paths = catalog.paths_of(hashes)
    meta = catalog.photo_rows(hashes)
    scores = scores if scores is not None else [None] * len(hashes)
    out = []
    for h, s in zip(hashes, scores):
        r = result_for(h, paths.get(h), meta.get(h), s, folder, strong)
        if r is not None:
            pair = (pairs or {}).get(h)
            if pair is not None:
                r.path, r.pair = pair.view_path, pair.label
                r.files, r.members = pair.files, pair.hashes
            out.append(r)
    return out


@dataclass
class PhotoDetails:
    """What the preview shows beyond the result itself."""

    size: int | None  # bytes on disk; None when the file cannot be reached now
    online: bool
    paths: list[str]  # every copy of this content
    tags: list[str]  # label names, as search sees them
    keywords: list[str] = field(default_factory=list)  # the files' own (sidecar, XMP, IPTC)
    files: list[str] = field(default_factory=list)  # a RAW+JPEG pair's files: [raw, jpeg]


def photo_details(catalog: Catalog, path: str, content_hash: str,
                  pair_files: Sequence[str] = (), pair_hashes: Sequence[str] = ()
                  ) -> PhotoDetails:
    """File size, reachability, other copies and tags of one photo (no model needed); for a
    RAW+JPEG pair, both files and the tags of both halves."""
    try:
        size: int | None = os.stat(path).st_size
        online = True
    except OSError:
        size, online = None, False
    paths = catalog.paths_of([content_hash]).get(content_hash, [path])
    from .keywords import keywords_of

    store = LabelStore(catalog)
    tags = store.tag_names_of(content_hash)
    for h in pair_hashes:
        if h != content_hash:
            tags = sorted({*tags, *store.tag_names_of(h)})
    return PhotoDetails(size, online, paths, tags,
                        keywords_of(catalog, [*paths, *(f for f in pair_files
                                                        if f not in paths)]),
                        list(pair_files))


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
