"""Problems (files that could not be indexed): retrying them.

A problem file is normally skipped until it changes on disk, so a broken file is not
re-read on every run. Two things bring it back: the user asks (`photosearch index
--retry-problems`, the app's Retry button: `retry_problems`), or a setting that decides
what is a problem (max_pixels, max_file_bytes) changed since the problems were recorded;
the error message told the user to change exactly that setting.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable

from .scanner import DiskFile

# Settings whose change can turn a problem into a photo (and the decoder limits they set).
_PROBLEM_SETTINGS = ("max_pixels", "max_file_bytes")
_META_KEY = "problem_settings"


def settings_fingerprint(settings) -> str:
    return json.dumps({k: getattr(settings, k, None) for k in _PROBLEM_SETTINGS},
                      sort_keys=True)


def settings_changed(library) -> bool:
    """Whether problems were recorded under different limits than the current ones (and
    there are problems at all). A library without a record counts as unchanged."""
    stored = library.catalog.get_meta(_META_KEY)
    if stored is None or stored == settings_fingerprint(library.settings):
        return False
    return bool(library.catalog.problem_states())


def remember_settings(library) -> None:
    """Record the limits the current problems were found under (after a full run)."""
    fp = settings_fingerprint(library.settings)
    if library.catalog.get_meta(_META_KEY) != fp:
        library.catalog.set_meta(_META_KEY, fp)


def retry_problems(library, paths: Iterable[str] | None = None, *,
                   progress: Callable | None = None, cancel: threading.Event | None = None,
                   embed: bool = True, download: bool = True):
    """Index problem files again now, changed or not (all, or only `paths`); problems whose
    file is gone are forgotten. Returns the indexer's IndexReport. The app's Retry button
    calls this on a worker thread with the thread's own library connection."""
    from .indexer import Indexer

    catalog = library.catalog
    wanted = set(paths) if paths is not None else None
    rows = [r["path"] for r in catalog.problems() if wanted is None or r["path"] in wanted]
    roots = catalog.folders()
    files: list[tuple[DiskFile, int | None]] = []
    gone: list[str] = []
    for path in rows:
        try:
            st = os.stat(path)
        except OSError:
            gone.append(path)
            continue
        files.append((DiskFile(path, st.st_size, st.st_mtime_ns), _folder_id(path, roots)))
    if gone:
        with catalog.transaction():
            catalog.clear_problems(gone)
    indexer = Indexer(library, progress=progress, cancel=cancel, embed=embed,
                      download=download, retry_problems=True)
    report = indexer.index_files(files)
    report.removed += len(gone)
    library.save_index()
    return report


def _folder_id(path: str, roots: list[tuple[int, str]]) -> int | None:
    best: tuple[int, str] | None = None
    for fid, root in roots:
        if path.startswith(root.rstrip(os.sep) + os.sep) and (best is None or
                                                               len(root) > len(best[1])):
            best = (fid, root)
    return best[0] if best else None
