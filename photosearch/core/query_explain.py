"""`search --explain`: how a query was understood, as data (for --json) and as text.

Nothing here runs a search or loads a model: it reports what `query.parse` made of the
query text merged with the options (terms, weights, filters), and the rules that will
order and cut the results (search.Searcher.search)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .query import Filters, Query


def _day(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _filters(f: Filters) -> dict[str, Any]:
    out: dict[str, Any] = {
        "folder": f.folder, "not_folders": f.not_folders,
        "after": _day(f.after), "before": _day(f.before),
        "types": sorted(f.types) if f.types else None,
        "camera": f.camera, "not_cameras": f.not_cameras,
        "tags_all": f.tags, "tags_any": f.any_tags, "not_tags": f.not_tags,
        "people": f.people, "not_people": f.not_people,
        "text": f.text, "not_text": f.not_text, "has_text": f.has_text,
    }
    return {k: v for k, v in out.items() if v not in (None, [], set())}


def explain(query: Query, filters: Filters, *, min_score: float | None = None,
            strong_match: float | None = None, margin: float = 0.05) -> dict[str, Any]:
    """The parsed query (its filters merged over `filters`, as a search would) as a dict."""
    merged = filters.merged(query.filters)
    terms: list[dict[str, Any]] = [{"kind": t.kind, "value": t.value, "weight": t.weight}
                                   for t in query.terms]
    search = bool(terms)
    strong = f"score within {margin} of the best match"
    if strong_match:
        strong += f" and at least {strong_match}"
    return {
        "mode": "search" if search else "browse",
        "text_terms": [t for t in terms if t["kind"] == "text" and t["weight"] > 0],
        "image_terms": [t for t in terms if t["kind"] == "image" and t["weight"] > 0],
        "negative_terms": [t for t in terms if t["weight"] < 0],
        "vector": ("weighted sum of the terms' unit vectors, renormalised" if search
                   else None),
        "filters": _filters(merged),
        "sort": "relevance (best match first)" if search else "newest first",
        "cutoff": {"min_score": min_score, "strong": strong if search else None},
    }


def _term(t: dict[str, Any]) -> str:
    w = t["weight"]
    weight = f"{w:g}" if w != int(w) else str(int(w))
    shown = f'"{t["value"]}"' if t["kind"] == "text" else t["value"]
    return f"{shown} (weight {weight})"


def describe(info: dict[str, Any]) -> str:
    """The explanation as aligned, human-readable lines."""
    def terms(key: str) -> str:
        return ", ".join(_term(t) for t in info[key]) or "none"

    lines = [("mode", "search: results ranked by similarity to the terms"
              if info["mode"] == "search" else
              "browse: no search terms, every photo passing the filters")]
    if info["mode"] == "search":
        lines += [("text terms", terms("text_terms")), ("image terms", terms("image_terms")),
                  ("negative terms", terms("negative_terms")), ("vector", info["vector"])]
    filters = info["filters"]
    lines.append(("filters", "none" if not filters else "; ".join(
        f"{k}: {_value(v)}" for k, v in filters.items())))
    lines.append(("sort", info["sort"]))
    cut = info["cutoff"]
    parts = [f"min score {cut['min_score']}" if cut["min_score"] is not None
             else "no min score"]
    if cut["strong"]:
        parts.append(f"strong matches: {cut['strong']}")
    lines.append(("cut-off", "; ".join(parts)))
    width = max(len(k) for k, _ in lines) + 1
    return "\n".join(f"{k + ':':{width}} {v}" for k, v in lines)


def _value(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join("(" + " or ".join(x) + ")" if isinstance(x, list) else str(x)
                         for x in v)
    return str(v)
