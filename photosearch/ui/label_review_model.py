"""The grid model of a label's review tabs: each tile's caption starts with the photo's score
for the label and its tooltip says how it compares with the label's threshold, so the user
sees why a photo is tagged or waiting for review. Rows arrive already sorted by core
`Tagger.views` (Tagged and Rejected: highest score first; To review: nearest the threshold
first)."""

from __future__ import annotations

import os

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from .results_model import ResultsModel


def score_caption(score: float | None, name: str) -> str:
    return name if score is None else f"{score:.2f} · {name}"


def score_tooltip(path: str, score: float | None, threshold: float | None) -> str:
    if score is None:
        return f"{path}\nno score yet (the photo has not been scored with this model)"
    if threshold is None:
        return f"{path}\nscore {score:.3f}"
    side = "above" if score >= threshold else "below"
    return (f"{path}\nscore {score:.3f}, {abs(score - threshold):.3f} {side} "
            f"the label's threshold {threshold:.2f}")


class LabelReviewModel(ResultsModel):
    """A ResultsModel whose captions and tooltips show each photo's label score."""

    threshold: float | None = None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        r = self.result_at(index.row()) if index.isValid() else None
        if r is not None and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return score_caption(r.score, os.path.basename(r.path))
            return score_tooltip(r.path, r.score, self.threshold)
        return super().data(index, role)
