"""What a label being drafted would tag right now: scores of every embedded photo for a
label that is not saved yet (words plus example photos), so the new-label dialog can show
a live count as the user moves the threshold. Scores use the same calibrated model as a
saved label (`Tagger.prototype` / `Tagger.score`), so the count is what applying gives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import imaging
from .tagging import Tagger
from .tagging_store import DEFAULT_THRESHOLD, Example, Label


def draft_label(name: str, prompts: Sequence[str], examples: Sequence[Example] = (),
                threshold: float = DEFAULT_THRESHOLD) -> Label:
    words = [p for p in (" ".join(p.split()) for p in prompts) if p]
    return Label(id=-1, name=name or "draft", threshold=threshold, threshold_user=False,
                 use_templates=True, starter_set=None,
                 prompts=words or [(name or "photo").replace("-", " ").replace("_", " ")],
                 examples=list(examples))


def example_for(library, path: str) -> Example:
    """A positive example from a photo file (in the library or not)."""
    h = library.catalog.hash_of(path) or imaging.hash_file(path)[0]
    return Example(h, True, "user", path=path)


def draft_scores(library, name: str, prompts: Sequence[str],
                 example_paths: Sequence[str] = ()) -> np.ndarray:
    """Calibrated scores in [0, 1] of every embedded photo for the drafted label."""
    tagger = Tagger(library)
    examples = [example_for(library, p) for p in example_paths]
    label = draft_label(name, prompts, examples)
    proto = tagger.prototype(label)
    chosen = {e.hash for e in examples}  # library examples become confirmed tags
    out: list[np.ndarray] = []
    cat = library.catalog
    for ids, vecs in cat.iter_embeddings(tagger.model_id):
        hashes = cat.ids_to_hashes(ids.tolist())
        keep = [i for i, e in enumerate(ids.tolist()) if hashes.get(e)]
        if keep:
            hs = [hashes[int(ids[i])] for i in keep]
            scores = tagger.score(proto, vecs[keep], hs)
            out.append(np.where([h in chosen for h in hs], 1.0, scores))
    return np.concatenate(out) if out else np.zeros(0)


def count_at(scores: np.ndarray, threshold: float) -> int:
    """How many photos the label would tag at `threshold`."""
    return int((np.asarray(scores) >= threshold).sum())
