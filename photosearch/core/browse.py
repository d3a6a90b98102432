"""Browsing the catalog without a query: every photo, newest first, with the query filters.

Unlike `Searcher.search` with no terms (which walks the vector index's filter table), this
reads the catalog directly, so photos without embeddings are listed too: a library indexed
without model weights, or photos still waiting for the model, can always be browsed.
"""

from __future__ import annotations

from .catalog import Catalog
from .paths import prefix_range
from .query import Filters
from .search import Result, result_for


def _where(catalog: Catalog, f: Filters) -> tuple[str, list]:
    clauses, args = [], []
    if f.folder:
        clauses.append("EXISTS (SELECT 1 FROM files g WHERE g.hash = p.hash "
                       "AND g.path >= ? AND g.path < ?)")
        args += list(prefix_range(f.folder))
    if f.after is not None:
        clauses.append("p.taken_at >= ?")
        args.append(f.after)
    if f.before is not None:
        clauses.append("p.taken_at < ?")
        args.append(f.before)
    if f.types:
        clauses.append(f"p.format IN ({','.join('?' * len(f.types))})")
        args += sorted(f.types)
    if f.camera:
        clauses.append("lower(coalesce(p.camera_make, '') || ' ' || "
                       "coalesce(p.camera_model, '')) LIKE ?")
        args.append(f"%{f.camera.lower()}%")
    if f.tags:
        from .tagging import tagged_hashes  # written by the tagging feature

        hashes = sorted(tagged_hashes(catalog, f.tags))
        if not hashes:
            clauses.append("0")
        else:
            clauses.append(f"p.hash IN ({','.join('?' * len(hashes))})")
            args += hashes
    if f.text_active():
        from .text.search_text import sql_clauses  # text in photos (OCR)

        text_clauses, text_args = sql_clauses(catalog, f)
        clauses += text_clauses
        args += text_args
    clauses.append("EXISTS (SELECT 1 FROM files h WHERE h.hash = p.hash)")
    return " AND ".join(clauses), args


def count(catalog: Catalog, filters: Filters | None = None) -> int:
    """How many photos (distinct contents with at least one file) pass the filters."""
    where, args = _where(catalog, filters or Filters())
    return catalog.conn.execute(f"SELECT COUNT(*) FROM photos p WHERE {where}",
                                args).fetchone()[0]


def browse(catalog: Catalog, filters: Filters | None = None, *, limit: int = 100,
           offset: int = 0) -> list[Result]:
    """One page of photos passing the filters, newest first (undated last)."""
    f = filters or Filters()
    where, args = _where(catalog, f)
    rows = catalog.conn.execute(
        "SELECT p.hash, p.taken_at, p.width, p.height, p.format, p.camera_make, "
        f"p.camera_model FROM photos p WHERE {where} "
        "ORDER BY p.taken_at IS NULL, p.taken_at DESC, p.hash LIMIT ? OFFSET ?",
        [*args, limit, offset]).fetchall()
    paths = catalog.paths_of([r[0] for r in rows])
    results = (result_for(r[0], paths.get(r[0]), tuple(r[1:]), None, f.folder) for r in rows)
    return [r for r in results if r is not None]

