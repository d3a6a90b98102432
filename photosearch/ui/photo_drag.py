"""Dragging photos out of a grid: the mime data the results model produces for the selected
rows (their content hashes, one per line), and how a drop target reads it back."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QMimeData

PHOTOS_MIME = "application/x-photosearch-photos"


def photos_mime(hashes: Sequence[str]) -> QMimeData:
    """Mime data carrying photos by content hash (the grid's drag)."""
    mime = QMimeData()
    mime.setData(PHOTOS_MIME, "\n".join(dict.fromkeys(hashes)).encode("ascii"))
    return mime


def dragged_photos(mime: QMimeData | None) -> list[str]:
    """The content hashes in a drag from a grid; [] for anything else."""
    if mime is None or not mime.hasFormat(PHOTOS_MIME):
        return []
    text = bytes(mime.data(PHOTOS_MIME).data()).decode("ascii", "replace")
    return [h for h in text.split("\n") if h]
