"""What the grid shows, as page fetchers over the core engine (run on the db thread).

A `SearchRequest` is the state of the search bar + filter chips + sort order. It becomes
a fetcher `(offset, limit) -> [Result]` that the results model pages through:

- no search terms: browse the catalog, newest first (works without model weights);
- terms: the core `Searcher` (query syntax, filters, strong/weak flags);
- "find similar": `Searcher.similar` on an image file.

Sorting search results by date re-orders a fixed window of the best matches (ranking the
whole library by date would just be browsing).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..core.query import Filters, parse

DATE_SORT_WINDOW = 1000


class SearchUnavailable(Exception):
    """A search that cannot run now; the message says why."""


@dataclass
class SearchRequest:
    text: str = ""
    similar_to: str | None = None
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"  # "relevance" | "date"

    def describe(self) -> str:
        if self.similar_to:
            return f"similar to {self.similar_to}"
        return self.text.strip() or "all photos"


class SearchService:
    """Owns the Searcher; every method here runs on the runner's db thread."""

    def __init__(self, lib) -> None:
        self.lib = lib
        self._searcher = None
        self._lock = threading.Lock()
        self.model_error: str | None = None  # set when the model failed to load

    def _require_model(self) -> None:
        if self.model_error:
            raise SearchUnavailable("search needs the model, which could not be loaded "
                                    "(see the message above); browsing and filters work")

    def by_name(self, q) -> bool:
        """Without a model, words find photos by file and folder name."""
        return bool(self.model_error) and all(t.kind == "text" for t in q.terms)

    def searcher(self):
        with self._lock:
            if self._searcher is None:
                from ..core.search import Searcher

                self._searcher = Searcher(self.lib)
            return self._searcher

    def fetcher(self, req: SearchRequest):
        """A page fetcher for the request (parsing happens on the worker, too: it may
        touch the disk to tell image paths from words)."""
        if req.similar_to:
            def fetch(offset: int, limit: int) -> list:
                self._require_model()
                return self.searcher().similar(req.similar_to, limit=limit, offset=offset,
                                               filters=req.filters).results
            by_relevance = True
        else:
            def fetch(offset: int, limit: int) -> list:
                q = parse(req.text)
                if not q.terms:
                    from ..core.browse import browse

                    return browse(self.lib.catalog, req.filters.merged(q.filters),
                                  limit=limit, offset=offset)
                if self.by_name(q):
                    from ..core.name_search import find_by_name

                    return find_by_name(self.lib.catalog, q.terms,
                                        req.filters.merged(q.filters), limit=limit,
                                        offset=offset)
                self._require_model()
                return self.searcher().search(q, limit=limit, offset=offset,
                                              filters=req.filters).results
            by_relevance = bool(req.text.strip())
        if req.sort == "date" and by_relevance:
            return _date_sorted(fetch)
        return fetch

    def count(self, req: SearchRequest) -> int | None:
        """Total photos for a browse (None for searches: every photo is ranked)."""
        if req.similar_to:
            return None
        q = parse(req.text)
        if q.terms and self.by_name(q):
            from ..core.name_search import count_by_name

            return count_by_name(self.lib.catalog, q.terms, req.filters.merged(q.filters))
        if q.terms:
            return None
        from ..core.browse import count

        return count(self.lib.catalog, req.filters.merged(q.filters))


def _date_sorted(fetch):
    def by_date(offset: int, limit: int) -> list:
        if offset > 0:
            return []
        results = fetch(0, DATE_SORT_WINDOW)
        # Strong matches first, then the weaker ones, each newest first: one "weaker
        # matches" boundary, and the same strong set as the relevance order.
        return sorted(results, key=lambda r: (not r.strong, r.taken_at is None,
                                              -(r.taken_at or 0.0)))
    return by_date
