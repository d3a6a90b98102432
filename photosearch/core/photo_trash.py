"""Deleting photos from the app: to the OS trash, with the same undo log as a duplicates
cleanup (so `dupes_cleanup.undo` / "Undo" restores them and relinks them to the catalog).

Each file is checked against the content hash the catalog knows before it moves (a file
changed since it was indexed is skipped with the reason); the catalog then forgets the
trashed paths through `library_ops`. The photos' embeddings and tags stay for the grace
period, so an undo is free.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import library_ops
from .dupes_cleanup import ResolveReport
from .trash import UndoLog, trash_logged

UNDO_LABEL = "deleted"


def trash_photos(library, paths: Sequence[str]) -> ResolveReport:
    """Move `paths` (cataloged files) to the trash; returns what moved and what not."""
    undo = UndoLog.create(library.paths.undo_dir, UNDO_LABEL)
    report = ResolveReport(undo.path)
    states = library.catalog.file_states_for(list(paths))
    for path in paths:
        state = states.get(path)
        if state is None:
            report.skipped.append((path, "not in the library"))
            continue
        rec, why = trash_logged(path, state.hash, undo, UNDO_LABEL, "")
        if rec is None:
            report.skipped.append((path, why or "not moved"))
        else:
            report.trashed.append(rec)
    if report.trashed:
        library_ops.forget_paths(library, [r.path for r in report.trashed])
        library.save_index()
    else:
        undo.path.unlink(missing_ok=True)
        report.log_path = None
    return report
