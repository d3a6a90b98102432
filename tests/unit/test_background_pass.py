"""The background-pass thread shared by the faces and text passes (core/background_pass.py):
off makes a poke a no-op, a pass that raises does not end the thread, a failure is reported
only when the pass says how, and stop cancels the pass in flight."""

from __future__ import annotations

import threading

from photosearch.core.background_pass import BackgroundPass


class _Lib:
    def __init__(self) -> None:
        self.closed = 0

    def close_thread_catalog(self) -> None:
        self.closed += 1


class _Pass(BackgroundPass[int, str]):
    name = "test-pass"

    def __init__(self, lib, script, **kw) -> None:
        super().__init__(lib, **kw)
        self.on = False
        self.script = list(script)  # what each pass does: a report, an exception, "block"
        self.ran = threading.Event()
        self.cancelled = threading.Event()

    def enabled(self) -> bool:
        return self.on

    def run_pass(self, cancel, progress):
        self.ran.set()
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        if step == "block":
            cancel.wait()
            self.cancelled.set()
            return "cancelled"
        if progress:
            progress(1)
        return step

    def failed(self, exc: Exception) -> str | None:
        return None if isinstance(exc, KeyError) else f"failed: {exc}"


def _done_queue():
    reports: list[str] = []
    got = threading.Semaphore(0)

    def on_done(r: str) -> None:
        reports.append(r)
        got.release()
    return reports, got, on_done


def test_off_ignores_pokes_then_on_runs_and_reports():
    reports, got, on_done = _done_queue()
    progress: list[int] = []
    lib = _Lib()
    w = _Pass(lib, ["first"], on_done=on_done, on_progress=progress.append).start()
    try:
        w.poke()  # off: looked at, nothing runs
        w.on = True
        w.poke()
        assert got.acquire(timeout=30)
        assert reports == ["first"] and progress == [1] and w.last_report == "first"
    finally:
        w.stop(timeout=30)
    assert not w.running and lib.closed == 1  # the thread's own connection is closed


def test_a_failing_pass_is_reported_as_the_pass_says_and_the_thread_lives_on():
    reports, got, on_done = _done_queue()
    w = _Pass(_Lib(), [KeyError("quiet"), RuntimeError("boom"), "after"], on_done=on_done)
    w.on = True
    w.start()
    try:
        w.poke()  # KeyError: failed() says None, so nothing is reported
        assert w.ran.wait(30)
        w.poke()  # a poke while a pass runs is kept: the next pass follows
        assert got.acquire(timeout=30)
        assert reports == ["failed: boom"]
        w.poke()
        assert got.acquire(timeout=30)
        assert reports == ["failed: boom", "after"]
        assert w.running
    finally:
        w.stop(timeout=30)


def test_stop_cancels_the_pass_in_flight():
    reports, got, on_done = _done_queue()
    w = _Pass(_Lib(), ["block"], on_done=on_done)
    w.on = True
    w.start().poke()
    assert w.ran.wait(30)
    w.stop(timeout=30)
    assert w.cancelled.is_set() and not w.running


class _Idle(_Pass):
    idle_s = 0.01  # short: the test waits on events, never on this delay

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.idled = threading.Event()
        self.closed = threading.Event()

    def idle(self) -> None:
        self.idled.set()

    def closing(self) -> None:
        self.closed.set()


def test_idle_lets_go_after_quiet_and_closing_at_the_end():
    reports, got, on_done = _done_queue()
    w = _Idle(_Lib(), ["one", "two"], on_done=on_done)
    w.on = True
    w.start()
    try:
        assert w.idled.wait(30)  # no poke for idle_s: idle() ran on the thread
        w.idled.clear()
        w.poke()  # a poke after idle still runs a pass
        assert got.acquire(timeout=30) and reports == ["one"]
        assert w.idled.wait(30)  # and idle comes again after it
        assert not w.closed.is_set()
    finally:
        w.stop(timeout=30)
    assert w.closed.is_set() and not w.running
