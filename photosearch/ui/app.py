"""Starting the desktop app: `photosearch` with no command, or `python main.py`.

The window is shown before torch is imported: opening a library reads only SQLite and a
JSON file, and the model is loaded on a background thread once the window is up.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

log = logging.getLogger(__name__)

STARTUP_PROBE_ENV = "PHOTOSEARCH_STARTUP_PROBE"  # set by bench/bench_startup.py


def make_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("photosearch")
    app.setOrganizationName("photosearch")
    app.setApplicationDisplayName("photosearch")
    app.setDesktopFileName("photosearch")
    from .app_icon import app_icon

    app.setWindowIcon(app_icon())  # every window's icon (the .desktop entry names the same)
    return app


def run_app(args) -> int:
    """Run the app until its window closes; returns the process exit code."""
    app = make_app()
    if getattr(args, "smoke_test", False):
        from .smoke import run_smoke_test

        return run_smoke_test(app, args)
    note = ""
    while True:  # a restore from the Library menu closes the window and comes back here
        rc, win = _run_window(app, args, note)
        if win is None or getattr(win, "restart_request", None) != "restore":
            return rc
        from ..core.paths import resolve_library
        from .catalog_restore import restore_now

        try:
            note = restore_now(resolve_library(getattr(args, "library", None)))
        except Exception as exc:  # noqa: BLE001 - shown to the user, then exit 1
            _fatal(f"The catalog could not be restored:\n\n{exc}")
            return 1


def _run_window(app, args, note: str):
    """Open the library (offering a restore when its catalog is damaged), run the window
    until it closes; returns (exit code, the window or None)."""
    from . import catalog_restore, instance, theme
    from .main_window import MainWindow

    try:
        lib, restored = catalog_restore.open_with_restore(
            lambda: _open_library(args), _library_paths(args),
            lambda text, can: _interactive() and catalog_restore.ask_box(None, text, can))
    except catalog_restore.safety.CatalogDamaged as exc:  # the box has said it; declined
        print(f"photosearch: error: {exc}", file=sys.stderr)
        return 1, None
    except Exception as exc:  # noqa: BLE001 - shown to the user, then exit 1
        _fatal(f"The photo library could not be opened:\n\n{exc}")
        return 1, None
    note = restored or note
    theme.apply(app, lib.settings.theme)
    writer = _writer_lock(lib)
    name = instance.server_name(lib.paths.root)
    if writer is None and instance.raise_running(name):
        log.info("photosearch is already open on this library: raised its window")
        lib.close()
        return 0, None
    probe = bool(os.environ.get(STARTUP_PROBE_ENV))
    win = MainWindow(lib, load_model=not probe, first_run=not probe,
                     read_only=writer is None, watch=not probe)
    server = instance.InstanceServer(name, app) if writer is not None else None
    if server is not None:
        server.activate_requested.connect(lambda: instance.bring_forward(win))
    if probe:
        win.window_shown.connect(lambda: _report_startup(app))
    win.show()
    if note:
        win.statusBar().showMessage(note, 15_000)
    _quit_on_signals(app)
    try:
        rc = app.exec()
    finally:
        win.shutdown()
        if server is not None:
            server.close()
        lib.close()
        if writer is not None:
            writer.release()
    if not win.clean_shutdown:
        # A worker is still inside a model load; the library is saved and closed, so
        # leave without letting interpreter shutdown tear that thread down mid-import.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)
    return rc, win


def _quit_on_signals(app) -> None:
    """Ctrl+C in the terminal, or SIGTERM (logout, a service manager), closes the app
    cleanly: the indexer finishes its batch and the index is saved."""
    import signal

    from PySide6.QtCore import QTimer

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.closeAllWindows())
    # Python runs signal handlers only between bytecodes: wake it up now and then.
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(300)


def _writer_lock(lib):
    """The library's writer lock, or None when another process (an indexer, a second app
    window) holds it: this window then browses and searches but does not index."""
    from ..core.single_instance import WriterLock

    lock = WriterLock(lib.paths, "photosearch app")
    return lock if lock.try_acquire(timeout=0.5) else None


def _interactive() -> bool:
    from PySide6.QtWidgets import QApplication

    return QApplication.platformName() not in ("offscreen", "minimal")


def _library_paths(args):
    from ..core.paths import resolve_library

    return resolve_library(getattr(args, "library", None))


def _open_library(args):
    from ..core.library import Library
    from ..core.paths import resolve_library

    return Library.open(resolve_library(getattr(args, "library", None)),
                        model=getattr(args, "model", None),
                        pretrained=getattr(args, "pretrained", None),
                        device=getattr(args, "device", None))


def _report_startup(app) -> None:
    """One JSON line for the startup benchmark, then quit."""
    from PySide6.QtCore import QTimer

    print(json.dumps({"shown_at": time.time(), "torch_imported": "torch" in sys.modules}),
          flush=True)
    QTimer.singleShot(0, app.quit)  # the event loop may not be running yet


def _fatal(message: str) -> None:
    print(f"photosearch: error: {message}", file=sys.stderr)
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.platformName() not in ("offscreen", "minimal"):
            QMessageBox.critical(None, "photosearch", message)
    except Exception:  # no display: stderr already has it
        pass
