"""Browsing the catalog without a query: every photo, newest first, with the query filters.

Unlike `Searcher.search` with no terms (which walks the vector index's filter table), this
reads the catalog directly, so photos without embeddings are listed too: a library indexed
without model weights, or photos still waiting for the model, can always be browsed.
"""

from __future__ import annotations

from .catalog import CAMERA_SQL, Catalog
from .pairs import RAW_FORMATS, collapse, twin_sql
from .paths import prefix_range
from .query import Filters
from .query_filters import tag_hash_sets
from .results import Result, results_for


def camera_matches(needle: str, camera: str) -> bool:
    """The `camera:` rule: a case-insensitive substring of "make model" (as CAMERA_SQL
    builds it), with no wildcards. Browse applies it in SQL with instr(), search in numpy."""
    return needle.lower() in camera


def _where(catalog: Catalog, f: Filters) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
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
        clauses.append(f"instr({CAMERA_SQL}, ?) > 0")
        args.append(f.camera.lower())
    for folder in f.not_folders:
        clauses.append("NOT EXISTS (SELECT 1 FROM files g WHERE g.hash = p.hash "
                       "AND g.path >= ? AND g.path < ?)")
        args += list(prefix_range(folder))
    for camera in f.not_cameras:
        clauses.append(f"instr({CAMERA_SQL}, ?) = 0")
        args.append(camera.lower())
    if f.tags_active():
        include, exclude = tag_hash_sets(catalog, f)
        if include is not None:
            clauses.append(f"p.hash IN ({','.join('?' * len(include))})" if include else "0")
            args += sorted(include)
        if exclude:
            clauses.append(f"p.hash NOT IN ({','.join('?' * len(exclude))})")
            args += sorted(exclude)
    if f.people or f.not_people:
        from .people.search import sql_clauses

        more, more_args = sql_clauses(catalog, f.people, f.not_people)
        clauses += more
        args += more_args
    if f.text_active():
        from .text.search_text import sql_clauses as text_clauses  # text in photos (OCR)

        more, more_args = text_clauses(catalog, f)
        clauses += more
        args += more_args
    clauses.append("EXISTS (SELECT 1 FROM files h WHERE h.hash = p.hash)")
    return " AND ".join(clauses), args


def count(catalog: Catalog, filters: Filters | None = None) -> int:
    """How many items pass the filters: photos (distinct contents with at least one file),
    the two halves of a RAW+JPEG pair counted once (a RAW counts as its JPEG/HEIC twin)."""
    where, args = _where(catalog, filters or Filters())
    return catalog.conn.execute(
        f"SELECT COUNT(DISTINCT COALESCE({twin_sql('p', RAW_FORMATS)}, p.hash)) "
        f"FROM photos p WHERE {where}", args).fetchone()[0]


def browse(catalog: Catalog, filters: Filters | None = None, *, limit: int = 100,
           offset: int = 0) -> list[Result]:
    """One page of photos passing the filters, newest first (undated last)."""
    f = filters or Filters()
    where, args = _where(catalog, f)
    # Offsets count items, and the two halves of a RAW+JPEG pair are one item
    # (core/pairs.py): the rows up to twice the page end are read, each RAW row with its
    # JPEG/HEIC twin (found in SQL: a RAW row is listed as its twin), and collapsed; the
    # page's JPEG/HEIC rows are then asked for a RAW twin, and its pairs read in full.
    order = "ORDER BY q.taken_at IS NULL, q.taken_at DESC, q.hash"
    rows = catalog.conn.execute(
        f"SELECT q.hash, {twin_sql('q', RAW_FORMATS)} FROM (SELECT p.hash, p.format, "
        f"p.taken_at FROM photos p WHERE {where} {order.replace('q.', 'p.')} LIMIT ?) q "
        f"{order}", [*args, 2 * (offset + limit)]).fetchall()
    keys: list[str] = []  # an item's key: a pair's JPEG/HEIC half, else the photo
    seen: set[str] = set()
    paired: set[str] = set()
    for h, twin in rows:
        key = twin if twin is not None else h
        if twin is not None:
            paired.add(key)
        if key not in seen:
            seen.add(key)
            keys.append(key)
    page = keys[offset:offset + limit]
    rest = [k for k in page if k not in paired]
    if rest:
        paired |= {h for (h,) in catalog.conn.execute(
            f"SELECT p.hash FROM photos p WHERE p.hash IN ({','.join('?' * len(rest))}) "
            f"AND {twin_sql('p')} IS NOT NULL", rest)}
    pairs = collapse(catalog, page, check=[k for k in page if k in paired])[2]
    return results_for(catalog, page, folder=f.folder, pairs=pairs)
