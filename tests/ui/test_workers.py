"""The bridge from worker threads to the GUI thread."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QCoreApplication

from photosearch.ui.workers import Runner


def test_thousands_of_results_from_worker_threads_arrive_in_order_without_leaks(qtbot):
    """Guards the PySide6 6.12.0 bug described in workers._Bridge (Python 3.11's None and
    True are not immortal: a lost reference per call aborts the interpreter)."""
    runner = Runner()
    got: list[int] = []
    before = sys.getrefcount(True)

    def work() -> None:
        for i in range(20_000):
            runner.emit(got.append, i)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(got) == 20_000, timeout=20_000)
    QCoreApplication.processEvents()
    assert got == list(range(20_000))
    assert abs(sys.getrefcount(True) - before) < 100
    runner.wait()


def test_void_qt_calls_keep_their_reference_to_none(qtbot):
    """PySide6 6.12.0 + Python 3.11 lost a reference to None on every void call, so the
    app died after ~10k of them (minutes of scrolling). pyproject pins PySide6 < 6.12."""
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(5000):
        label.setText("x")
        label.update()
    assert abs(sys.getrefcount(None) - before) < 100


def test_jobs_run_off_the_gui_thread_and_report_errors(qtbot):
    runner = Runner()
    done, failed = [], []
    runner.submit("db", lambda: threading.current_thread() is threading.main_thread(),
                  on_done=done.append)
    runner.submit("db", lambda: 1 / 0, on_error=failed.append)
    qtbot.waitUntil(lambda: bool(done and failed))
    assert done == [False]
    assert isinstance(failed[0], ZeroDivisionError)
    assert runner.wait()
