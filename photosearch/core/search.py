"""Search: query -> vector -> filtered kNN -> results with scores.

Filters (date, type, camera) are evaluated with numpy over a per-label table cached until
the catalog changes, so filtering costs a few milliseconds even at a million photos. A very
selective filter is answered by exact scoring of the few survivors; otherwise hnswlib's
filtered search runs, which returns a full page however selective the filter.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from . import imaging
from .browse import browse, camera_matches
from .catalog import Catalog
from .library import Library
from .pairs import collapse, pairs_of_hashes
from .query import Filters, Query, QueryError, Term, parse
from .query_filters import tag_hash_sets
from .results import Result, results_for

log = logging.getLogger(__name__)

# A filter whose survivors are at most this share of the index (and at least BRUTE_FORCE_MAX
# photos) is answered by exact scoring of the survivors; above it, hnswlib's filtered search
# is faster. Measured crossover at 1M: 1% exact 10 ms vs filtered HNSW 44 ms; 10% exact
# 105 ms vs 6 ms (bench/bench_query.py, docs/benchmarks.md).
BRUTE_FORCE_MAX = 2000
BRUTE_FORCE_SHARE = 0.02
STRONG_MARGIN = 0.05  # cosine below the best match still called a strong match (heuristic)


@dataclass
class Page:
    results: list[Result]
    offset: int
    limit: int
    notices: list[str] = field(default_factory=list)


class Searcher:
    """Answers queries against one library's current model."""

    def __init__(self, library: Library):
        self.lib = library
        self._table: _FilterTable | None = None
        self._hashes: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> hash

    @property
    def catalog(self) -> Catalog:
        """The calling thread's connection (this object may be used from another thread)."""
        return self.lib.catalog

    # -- public API ---------------------------------------------------------------------
    def search(self, query: str | Query, *, limit: int = 50, offset: int = 0,
               filters: Filters | None = None, min_score: float | None = None,
               exclude_hashes: set[str] | None = None) -> Page:
        q = parse(query) if isinstance(query, str) else query
        f = (filters or Filters()).merged(q.filters)
        notices: list[str] = []
        if not q.terms:  # filters only: browse the catalog (photos without embeddings too)
            return Page(browse(self.catalog, f, limit=limit, offset=offset), offset, limit,
                        notices)
        if _has_text(self.catalog):  # pictures and the text in them, fused
            from .text.search_text import fused_search

            page = fused_search(self, q, f, limit=limit, offset=offset, min_score=min_score,
                                exclude=exclude_hashes or set())
            if page is not None:
                return page
        vec = self.query_vector(q.terms, notices)
        allowed = self._allowed(f)
        exclude = exclude_hashes or set()
        # the halves of a RAW+JPEG pair are one item: twice the depth finds a full page
        k = 2 * (offset + limit) + len(exclude)
        ids, scores = self._knn(vec, k, allowed)
        hashes = self.catalog.ids_to_hashes(ids.tolist())
        keep = [(i, s) for i, s in zip(ids.tolist(), scores.tolist())
                if hashes.get(i) and hashes[i] not in exclude]
        if min_score is not None:
            keep = [(i, s) for i, s in keep if s >= min_score]
        top = keep[0][1] if keep else 0.0
        cut = max(self.lib.settings.strong_match or -1.0, top - STRONG_MARGIN)
        items, item_scores, pairs = collapse(self.catalog, [hashes[i] for i, _ in keep],
                                             [s for _, s in keep])
        results = results_for(self.catalog, items[offset:offset + limit],
                              item_scores[offset:offset + limit], f.folder, pairs=pairs)
        for r in results:
            r.strong = r.score is not None and r.score >= cut
        return Page(results, offset, limit, notices)

    def similar(self, path: str, *, limit: int = 50, offset: int = 0,
                filters: Filters | None = None) -> Page:
        """Photos that look like `path` (in the library or not), the photo itself excluded."""
        own = self.catalog.hash_of(path)
        if own is None:
            try:
                own = self._content_hash(path)
            except OSError as exc:
                raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
        # the photo's RAW+JPEG twin is the same item, not a similar photo
        pair = pairs_of_hashes(self.catalog, [own]).get(own)
        exclude = {own, *(pair.hashes if pair else ())}
        return self.search(Query([Term("image", path)], filters or Filters()),
                           limit=limit, offset=offset, exclude_hashes=exclude)

    def query_vector(self, terms: list[Term], notices: list[str] | None = None) -> np.ndarray:
        """Weighted sum of term embeddings, renormalised (negative weights push away)."""
        total: np.ndarray | None = None
        for term in terms:
            if term.kind == "text":
                vec, tokens, limit = self._text_vector(term.value)
                if tokens > limit and notices is not None:
                    notices.append(f"query truncated to the model's {limit} tokens "
                                   f"(it had {tokens})")
            else:
                vec = self.image_vector(term.value)
            total = term.weight * vec if total is None else total + term.weight * vec
        if total is None:
            raise QueryError("the query has no search terms")
        norm = float(np.linalg.norm(total))
        if norm < 1e-6:
            raise QueryError("the query's terms cancel out; change a weight")
        return total / norm

    def _text_vector(self, text: str) -> tuple[np.ndarray, int, int]:
        """(unit vector, token count, context length): from the catalog's query cache when
        this text was asked before (no model needed), else encoded and cached."""
        from . import query_cache

        hit = query_cache.lookup(self.catalog, self.lib.model_id, text)
        if hit is not None:
            return hit
        emb = self.lib.query_encoder()
        cut = emb.truncation(text)
        limit = int(getattr(emb, "context_length", 77))
        tokens = cut.tokens if cut else 0
        vec = np.asarray(emb.encode_query(text), np.float32)
        if not self.lib.readonly:
            query_cache.store(self.catalog, self.lib.model_id, text, vec, tokens, limit)
        return vec, tokens, limit

    def image_vector(self, path: str) -> np.ndarray:
        """Stored embedding when the file is in the library, else decode and embed it."""
        h = self.catalog.hash_of(path)
        if h is None:  # a copy or link of a library photo still has its stored vector
            try:
                h = self._content_hash(path)
            except OSError:
                h = None  # the decode below says what is wrong with it
        if h is not None:
            vec = self.catalog.embedding(h, self.lib.model_id)
            if vec is not None:
                return vec
        emb = self.lib.query_encoder(images=True)
        try:
            decoded = imaging.decode_file(path, emb.image_size, hashes=False,
                                          **imaging.limits_of(self.lib.settings))
        except OSError as exc:
            raise QueryError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except imaging.ImageError as exc:
            raise QueryError(f"{path}: {exc}") from exc
        return emb.encode_images(decoded.pixels[None])[0]

    def _content_hash(self, path: str) -> str:
        """The file's content hash (the catalog's photo identity), remembered per path,
        size and mtime: `similar` needs it twice, to exclude the photo and to find its
        vector. Raises OSError."""
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns)
        h = self._hashes.get(key)
        if h is None:
            h = imaging.hash_file(path)[0]
            if len(self._hashes) > 64:
                self._hashes.clear()
            self._hashes[key] = h
        return h

    # -- kNN ----------------------------------------------------------------------------
    def _knn(self, vec: np.ndarray, k: int, allowed: np.ndarray | None):
        index = self.lib.index()
        if allowed is None:
            return index.knn(vec, k)
        if allowed.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        if allowed.size > max(BRUTE_FORCE_MAX, BRUTE_FORCE_SHARE * len(index)):
            mask = np.zeros(int(allowed.max()) + 1, dtype=bool)
            mask[allowed] = True
            flags = mask.tobytes()  # bytes indexing is the cheapest per-node check hnswlib can call
            size = len(flags)
            try:
                return index.knn(vec, min(k, int(allowed.size)),
                                 allowed=lambda label: label < size and flags[label] == 1)
            except RuntimeError:
                pass  # fewer than k allowed labels are live: score them exactly instead
        return index.score(allowed, vec, k)

    # -- filters ------------------------------------------------------------------------
    def _allowed(self, f: Filters) -> np.ndarray | None:
        """Label ids passing the filters, or None when there are no filters."""
        if not f.active():
            return None
        t = self._filter_table()
        mask = np.ones(t.ids.size, dtype=bool)
        if f.after is not None:
            mask &= t.taken >= f.after
        if f.before is not None:
            mask &= t.taken < f.before
        if f.types:
            codes = [t.format_codes[x] for x in f.types if x in t.format_codes]
            mask &= np.isin(t.fmt, codes)
        if f.camera:
            codes = [c for name, c in t.camera_codes.items() if camera_matches(f.camera, name)]
            mask &= np.isin(t.camera, codes)
        if f.not_cameras:
            codes = [c for name, c in t.camera_codes.items()
                     if any(camera_matches(x, name) for x in f.not_cameras)]
            mask &= ~np.isin(t.camera, codes)
        ids = t.ids[mask]
        if f.folder:
            ids = np.intersect1d(ids, self._folder_ids(f.folder), assume_unique=True)
        for folder in f.not_folders:
            ids = np.setdiff1d(ids, self._folder_ids(folder), assume_unique=True)
        if f.tags_active():
            ids = self._tag_filter(ids, f)
        if f.people or f.not_people:
            ids = self._people_ids(ids, f)
        if f.text_active():
            ids = self._text_filter(ids, f)
        return ids

    def _text_filter(self, ids: np.ndarray, f: Filters) -> np.ndarray:
        from .text.search_text import text_hash_sets

        include, exclude = text_hash_sets(self.catalog, f)
        if include is not None:
            keep = self.catalog.embedding_ids_for(self.lib.model_id, sorted(include))
            ids = np.intersect1d(ids, np.fromiter(keep.values(), np.int64, count=len(keep)),
                                 assume_unique=True)
        if exclude:
            drop = self.catalog.embedding_ids_for(self.lib.model_id, sorted(exclude))
            ids = np.setdiff1d(ids, np.fromiter(drop.values(), np.int64, count=len(drop)),
                               assume_unique=True)
        return ids

    def _people_ids(self, ids: np.ndarray, f: Filters) -> np.ndarray:
        from .people.search import hashes_with_any, hashes_with_people

        def labels(hashes: set[str]) -> np.ndarray:
            found = self.catalog.embedding_ids_for(self.lib.model_id, sorted(hashes))
            return np.unique(np.fromiter(found.values(), np.int64, count=len(found)))

        if f.people:
            ids = np.intersect1d(ids, labels(hashes_with_people(self.catalog, f.people)),
                                 assume_unique=True)
        if f.not_people:
            ids = np.setdiff1d(ids, labels(hashes_with_any(self.catalog, f.not_people)),
                               assume_unique=True)
        return ids

    def _folder_ids(self, folder: str) -> np.ndarray:
        return self.catalog.embedding_ids_under(self.lib.model_id, folder)

    def _tag_filter(self, ids: np.ndarray, f: Filters) -> np.ndarray:
        include, exclude = tag_hash_sets(self.catalog, f)

        def labels(hashes: set[str]) -> np.ndarray:
            found = self.catalog.embedding_ids_for(self.lib.model_id, sorted(hashes))
            return np.unique(np.fromiter(found.values(), np.int64, count=len(found)))

        if include is not None:
            ids = np.intersect1d(ids, labels(include), assume_unique=True)
        if exclude:
            ids = np.setdiff1d(ids, labels(exclude), assume_unique=True)
        return ids

    def _filter_table(self) -> _FilterTable:
        """Filter columns for every embedding, kept across searches. Photo metadata never
        changes (a photo is its content) and embeddings are only appended, so new rows are
        appended; only a purge (ids may be reused) starts the table over."""
        max_id, purge_gen = self.catalog.embedding_version(self.lib.model_id)
        t = self._table
        if t is None or t.purge_gen != purge_gen or max_id < t.max_id:
            t = self._table = _FilterTable.empty(purge_gen)
        if max_id > t.max_id:
            t.append(self.catalog, self.lib.model_id, max_id)
        return t


@dataclass
class _FilterTable:
    """Per-label filter columns, sorted by label id (labels only grow)."""

    purge_gen: str | None
    max_id: int
    ids: np.ndarray
    taken: np.ndarray
    fmt: np.ndarray
    camera: np.ndarray
    format_codes: dict[str, int]
    camera_codes: dict[str, int]

    @classmethod
    def empty(cls, purge_gen: str | None) -> _FilterTable:
        return cls(purge_gen, 0, np.empty(0, np.int64), np.empty(0), np.empty(0, np.int32),
                   np.empty(0, np.int32), {}, {})

    def append(self, catalog: Catalog, model_id: str, upto: int) -> None:
        rows = catalog.filter_columns(model_id, self.max_id, upto)
        self.max_id = upto
        if not rows:
            return
        ids, taken, fmts, cams = zip(*rows)
        self.ids = np.concatenate([self.ids, np.array(ids, np.int64)])
        self.taken = np.concatenate([self.taken, np.array(taken, np.float64)])  # None -> nan
        self.fmt = np.concatenate([self.fmt, _codes(fmts, self.format_codes)])
        self.camera = np.concatenate([self.camera, _codes(cams, self.camera_codes)])


def _codes(values, table: dict[str, int]) -> np.ndarray:
    """Small integer codes for strings, stable across appends (new strings get new codes)."""
    def code(v: str) -> int:
        c = table.get(v)
        return c if c is not None else table.setdefault(v, len(table))
    # Few distinct values (formats, cameras): a dict lookup each beats sorting strings.
    return np.fromiter(map(code, values), np.int32, count=len(values))


def _has_text(catalog) -> bool:
    """Whether any photo has recognised text (False before migration 0006 too)."""
    try:
        from .text.store import TextStore

        return TextStore(catalog).has_any()
    except sqlite3.OperationalError:  # no text tables (read-only, older catalog)
        return False
