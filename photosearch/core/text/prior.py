"""A CLIP-based "likely has text" prior for the text pass (OFF by default, unmeasured).

score(photo) = cosine between the photo's stored CLIP embedding and the text embedding of
PROMPTS (averaged). With `TextSettings.clip_prior` on, photos scoring below
`clip_prior_min` are recorded as skipped instead of read. Whether this saves time without
losing recall can only be measured with real CLIP weights, which this project's CI does
not have: keep it off until someone measures it (bench/bench_text.py says so).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..catalog import Catalog

PROMPTS = ["a photo with text in it", "a sign with words", "a document", "a screenshot",
           "a receipt"]


def clip_prior(library, catalog: Catalog | None = None) -> Callable[[list[str]], dict[str, float]]:
    """hash -> prior score for photos embedded with the library's model (others: absent,
    which the pass treats as 'read it')."""
    cat = catalog or library.catalog
    emb = library.embedder()
    probe = np.mean(np.stack([emb.encode_query(p) for p in PROMPTS]), axis=0)
    probe = probe / (np.linalg.norm(probe) or 1.0)

    def score(hashes: list[str]) -> dict[str, float]:
        out: dict[str, float] = {}
        for h in hashes:
            vec = cat.embedding(h, library.model_id)
            if vec is not None:
                out[h] = float(np.dot(vec, probe))
        return out

    return score
