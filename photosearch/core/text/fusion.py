"""Reciprocal-rank fusion: one ranking from several (CLIP similarity, text matches).

score(item) = sum over rankings of weight / (k + rank), rank counted from 1. Robust to the
rankings' incomparable scores (cosine vs. match counts); k = 60 is the usual constant from
Cormack et al. (2009). Ties keep the order of the first ranking that has the item.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = 60
T = TypeVar("T", bound=Hashable)


def rrf(rankings: Sequence[Sequence[T]], *, k: int = K,
        weights: Sequence[float] | None = None) -> list[tuple[T, float]]:
    """Items of all rankings, best fused score first, with their scores."""
    scores: dict[T, float] = {}
    first_seen: dict[T, tuple[int, int]] = {}
    for r, ranking in enumerate(rankings):
        w = weights[r] if weights is not None else 1.0
        for pos, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + w / (k + pos + 1)
            first_seen.setdefault(item, (r, pos))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
