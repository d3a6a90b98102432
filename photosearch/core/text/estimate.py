"""What turning OCR on would cost this library: the line the Settings switch shows."""

from __future__ import annotations

from ..catalog import Catalog
from .engine import available
from .settings import TextSettings, describe_estimate
from .store import TextStore


def ocr_estimate(catalog: Catalog, settings: TextSettings | None = None) -> str:
    """Photos still to read and the expected time (measured on this library once it has
    read some, else the benchmarked CPU figure); the reason instead when OCR cannot run.
    `settings`: the library's text settings (a photo read with other reading settings is
    read again); the defaults when not given."""
    reason = available()
    if reason:
        return f"Not available: {reason}"
    store = TextStore(catalog)
    mean = store.counts()["mean_seconds"]
    from .textpass import worker_count

    ts = settings or TextSettings()
    return describe_estimate(store.pending_count(ts.reading_version()),
                             float(mean) if mean else None, worker_count(ts))
