"""Searching by the text in photos: text filters, and pictures + text fused in one ranking.

A plain query ("booking code") ranks photos by CLIP similarity AND by the words read in them;
when some photo's text matches, both rankings are fused (fusion.rrf) and those results carry
the matched lines (`text_match`). With no CLIP model (no weights, nothing embedded) a plain
query still finds photos by their text. `text:"..."`/`-text:`/`has:text` filter on text only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..query import Filters, Query
from .fusion import rrf
from .store import TextMatch, TextStore

if TYPE_CHECKING:
    from ..results import Result
    from ..search import Page, Searcher


def text_hash_sets(catalog: Catalog, f: Filters) -> tuple[set[str] | None, set[str]]:
    """(hashes every include-filter allows, or None when there is none; hashes excluded)."""
    store = TextStore(catalog)
    include: set[str] | None = None
    for needle in f.text:
        found = store.matching_hashes(needle)
        include = found if include is None else include & found
    if f.has_text:
        with_text = store.hashes_with_text()
        include = with_text if include is None else include & with_text
    exclude: set[str] = set()
    for needle in f.not_text:
        exclude |= store.matching_hashes(needle)
    if f.has_text is False:
        exclude |= store.hashes_with_text()
    return include, exclude


def sql_clauses(catalog: Catalog, f: Filters, col: str = "p.hash") -> tuple[list[str], list]:
    """WHERE clauses (and args) applying the text filters to a column of photo hashes."""
    store = TextStore(catalog)
    clauses: list[str] = []
    args: list = []
    for needle in f.text:
        sql, a = store.hashes_sql(needle)
        clauses.append(f"{col} IN ({sql})")
        args += a
    for needle in f.not_text:
        sql, a = store.hashes_sql(needle)
        clauses.append(f"{col} NOT IN ({sql})")
        args += a
    if f.has_text is not None:
        op = "IN" if f.has_text else "NOT IN"
        clauses.append(f"{col} {op} (SELECT hash FROM text_photos WHERE lines > 0)")
    return clauses, args


def text_ranking(catalog: Catalog, q: Query, limit: int) -> list[TextMatch]:
    """Photos whose text contains the query's positive text terms: photos matching more
    terms first, then more matching lines, then the recogniser's confidence."""
    store = TextStore(catalog)
    terms = [t.value for t in q.terms if t.kind == "text" and t.weight > 0]
    merged: dict[str, tuple[int, TextMatch]] = {}
    for term in terms:
        for m in store.search(term):
            n, old = merged.get(m.hash, (0, TextMatch(m.hash)))
            old.lines.extend(x for x in m.lines if x not in old.lines)
            old.best_score = max(old.best_score, m.best_score)
            merged[m.hash] = (n + 1, old)
    ranked = sorted(merged.values(),
                    key=lambda nm: (-nm[0], -len(nm[1].lines), -nm[1].best_score, nm[1].hash))
    return [m for _, m in ranked[:limit]]


def passing_filters(catalog: Catalog, f: Filters, hashes: list[str]) -> set[str]:
    """Which of these photos pass the (non-text and text) filters and still have a file."""
    from ..browse import _where

    if not hashes:
        return set()
    where, args = _where(catalog, f)
    out: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        q = ",".join("?" * len(chunk))
        out.update(r[0] for r in catalog.conn.execute(
            f"SELECT p.hash FROM photos p WHERE p.hash IN ({q}) AND {where}", [*chunk, *args]))
    return out


def fused_search(searcher: Searcher, q: Query, f: Filters, *, limit: int, offset: int,
                 min_score: float | None, exclude: set[str]) -> Page | None:
    """Pictures and text fused; None when no photo's text matches (plain CLIP search then)."""
    from ..search import STRONG_MARGIN, Page
    from ..weights import WeightsUnavailable

    cat = searcher.catalog
    depth = 2 * (offset + limit)  # the two halves of a RAW+JPEG pair are one item
    matches = [m for m in text_ranking(cat, q, depth + len(exclude) + 200)
               if m.hash not in exclude]
    if f.active():
        ok = passing_filters(cat, f, [m.hash for m in matches])
        matches = [m for m in matches if m.hash in ok]
    if not matches:
        return None
    matches = matches[:depth]
    notices: list[str] = []
    clip: list[tuple[str, float]] = []
    try:
        clip = _clip_ranking(searcher, q, f, depth, exclude, notices)
    except WeightsUnavailable as exc:
        notices.append(f"no picture model ({exc}); results found by the text in photos only")
    if min_score is not None:
        clip = [(h, s) for h, s in clip if s >= min_score]
    fused = rrf([[m.hash for m in matches], [h for h, _ in clip]])
    cos = dict(clip)
    from ..pairs import collapse

    items, scores, pairs = collapse(cat, [h for h, _ in fused], [cos.get(h) for h, _ in fused])
    window, window_scores = items[offset:offset + limit], scores[offset:offset + limit]
    by_hash = {m.hash: m for m in matches}
    for pair in pairs.values():  # a pair matched by the text in its RAW half
        if pair.view_hash not in by_hash and pair.raw_hash in by_hash:
            by_hash[pair.view_hash] = by_hash[pair.raw_hash]
    from ..results import results_for

    results: list[Result] = results_for(cat, window, window_scores, f.folder, pairs=pairs)
    top = clip[0][1] if clip else 0.0
    cut = max(searcher.lib.settings.strong_match or -1.0, top - STRONG_MARGIN)
    for r in results:
        m = by_hash.get(r.hash)
        r.text_match = m.lines if m else None
        r.strong = m is not None or (r.score is not None and r.score >= cut)
    return Page(results, offset, limit, notices)


def _clip_ranking(searcher: Searcher, q: Query, f: Filters, depth: int, exclude: set[str],
                  notices: list[str]) -> list[tuple[str, float]]:
    lib = searcher.lib
    if not searcher.catalog.has_embeddings(lib.model_id) and not lib.embedder_loaded:
        notices.append("nothing is embedded for the picture model yet; "
                       "results found by the text in photos only")
        return []
    vec = searcher.query_vector(q.terms, notices)
    ids, scores = searcher._knn(vec, depth + len(exclude), searcher._allowed(f))
    hashes = searcher.catalog.ids_to_hashes(ids.tolist())
    return [(hashes[i], float(s)) for i, s in zip(ids.tolist(), scores.tolist(), strict=False)
            if hashes.get(i) and hashes[i] not in exclude][:depth]
