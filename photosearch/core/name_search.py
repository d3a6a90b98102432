"""Finding photos by file and folder name: what a text query does when there is no search
model (no weights, a model that failed to load), instead of an empty grid.

Every positive word must occur in one of the photo's paths (case-insensitive, folder
names included); a negative word (-cat) must occur in none. Newest first, with the usual
filters, like browsing.
"""

from __future__ import annotations

from collections.abc import Sequence

from .browse import _where
from .catalog import Catalog
from .query import Filters, Term
from .results import Result, results_for


def _like(word: str) -> str:
    esc = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{esc}%"


def name_where(terms: Sequence[Term]) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    for t in terms:
        if t.kind != "text":
            continue
        for word in t.value.split():
            clauses.append(("NOT " if t.weight < 0 else "") +
                           "EXISTS (SELECT 1 FROM files n WHERE n.hash = p.hash "
                           "AND lower(n.path) LIKE ? ESCAPE '\\')")
            args.append(_like(word))
    return " AND ".join(clauses) or "1", args


def find_by_name(catalog: Catalog, terms: Sequence[Term], filters: Filters | None = None, *,
                 limit: int = 100, offset: int = 0) -> list[Result]:
    f = filters or Filters()
    where, args = _where(catalog, f)
    names, name_args = name_where(terms)
    rows = catalog.conn.execute(
        f"SELECT p.hash FROM photos p WHERE {where} AND {names} "
        "ORDER BY p.taken_at IS NULL, p.taken_at DESC, p.hash LIMIT ? OFFSET ?",
        [*args, *name_args, limit, offset]).fetchall()
    return results_for(catalog, [r[0] for r in rows], folder=f.folder)


def count_by_name(catalog: Catalog, terms: Sequence[Term],
                  filters: Filters | None = None) -> int:
    where, args = _where(catalog, filters or Filters())
    names, name_args = name_where(terms)
    return catalog.conn.execute(f"SELECT COUNT(*) FROM photos p WHERE {where} AND {names}",
                                [*args, *name_args]).fetchone()[0]
