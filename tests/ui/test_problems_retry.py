"""The problems dialog's Retry button re-reads unchanged problem files (issue 16)."""

from __future__ import annotations

from photosearch.ui.problems_dialog import ProblemsDialog
from tests.ui.conftest import index_now


def test_retry_button_reads_the_problem_files_again(qtbot, window, photos, monkeypatch):
    folder = photos[0].parent
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    assert index_now(qtbot, window, [folder]).problems == 1

    from photosearch.core import indexer

    seen: list[str] = []
    real = indexer._work
    monkeypatch.setattr(indexer, "_work", lambda job, *a: seen.append(job.file.path) or
                        real(job, *a))
    assert index_now(qtbot, window).problems == 1
    assert seen == []  # a plain re-index skips the unchanged bad file

    window.problems_button.click()
    qtbot.waitUntil(lambda: window.dialogs.problems_dialog is not None)
    dialog: ProblemsDialog = window.dialogs.problems_dialog
    assert dialog.retry_btn.isEnabled()
    with qtbot.waitSignal(window.indexing.finished, timeout=60_000) as blocker:
        dialog.retry_btn.click()
    assert [p.rsplit("/", 1)[-1] for p in seen] == ["broken.jpg"]
    assert blocker.args[0].problems == 1  # still broken, and still listed
