"""index --watch (the live library), purge, exclude: keeping a library in step with disk."""

from __future__ import annotations

import signal
import sys
import threading
import time

from ..core import library_ops
from . import CliError, open_library
from .output import json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser("purge", help="drop embeddings of photos deleted longer ago than the "
                                      "grace period (orphan_grace_days, default 30)")
    p.add_argument("--older-than", type=float, metavar="DAYS",
                   help="grace period in days for this run (0: every deleted photo now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=purge)

    p = sub.add_parser("exclude", help="sub-folders and name patterns never indexed or watched")
    esub = p.add_subparsers(dest="exclude_cmd", metavar="ACTION", required=True)
    a = esub.add_parser("add", help="exclude a folder (absolute path) or a name pattern "
                                    "(glob on file/folder names, e.g. '*.raw' or 'Backup*')")
    a.add_argument("items", nargs="+", metavar="PATTERN_OR_FOLDER")
    a.set_defaults(func=exclude_add)
    r = esub.add_parser("remove", help="stop excluding a folder or pattern")
    r.add_argument("items", nargs="+", metavar="PATTERN_OR_FOLDER")
    r.set_defaults(func=exclude_remove)
    ls = esub.add_parser("list", help="list exclusions")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=exclude_list)


# -- index --watch ---------------------------------------------------------------------
def watch(args) -> int:
    """Reconcile, then follow every registered folder until Ctrl+C (or SIGTERM)."""
    from ..core.single_instance import WriterLock
    from ..core.watcher import LibraryWatcher

    lib = open_library(args)
    lock = WriterLock(lib.paths, "photosearch index --watch").acquire()
    stop = threading.Event()
    handlers = _install_stop_handlers(stop)
    watcher = None
    text = _text_worker(lib)  # text in photos, when OCR is on: after each change
    # people (faces), when people is on: the same; one worker process while a batch indexes
    faces = _faces_worker(lib, lambda: watcher is not None and watcher.busy)
    later = [w for w in (faces, text) if w is not None]
    try:
        try:
            library_ops.add_folders(lib, args.paths)
        except library_ops.LibraryOpError as exc:
            raise CliError(safe(str(exc))) from exc
        if not lib.catalog.folders():
            raise CliError("no folders to watch: add some with 'photosearch folders add PATH'")
        on_event = _poking(*later) if later else _print_event
        watcher = LibraryWatcher(lib, on_event=on_event, embed=not args.no_embed,
                                 download=not args.offline, lock=lock)
        print("checking what changed since the last run...", file=sys.stderr, flush=True)
        watcher.start()
        while not watcher.wait_ready(0.2):
            if stop.is_set():
                break
        if not stop.is_set():
            n = len(lib.catalog.folders())
            print(f"watching {n} folder{'s' if n != 1 else ''} (Ctrl+C to stop)", flush=True)
        while not stop.wait(0.5):
            pass
        print("stopping: finishing the batch in flight...", file=sys.stderr, flush=True)
    finally:
        for w in later:
            w.stop()  # cancels between photos; what was read/found is kept
        if watcher is not None:
            watcher.stop()
        _restore_handlers(handlers)
        lib.close()
        lock.release()
    print("stopped; everything seen so far is saved", flush=True)
    return 0


_last_progress = [0.0]


def _text_worker(lib):
    from ..core.text.background import TextWorker
    from ..core.text.settings import TextSettings

    if not TextSettings.from_settings(lib.settings).enabled:
        return None

    def done(r) -> None:
        if r.read or r.failed or r.error:
            print(f"{time.strftime('%H:%M:%S')} text: {r.read} photos read, {r.with_text} "
                  f"with text, {r.failed} could not be read"
                  + (f" ({r.error})" if r.error else ""), flush=True)

    return TextWorker(lib, on_done=done).start()


def _faces_worker(lib, clip_busy):
    from ..core.people import faces_pass
    from ..core.people.background import FacesWorker

    if not faces_pass.enabled(lib):
        return None

    def done(r) -> None:
        if r.error:
            print(f"photosearch: warning: faces were not looked for: {r.error}",
                  file=sys.stderr, flush=True)
        elif r.photos:
            print(f"{time.strftime('%H:%M:%S')} faces: {r.photos} photos scanned, {r.faces} "
                  f"faces, {r.matched} joined people, {r.new_people} new people, "
                  f"{r.problems} unreadable", flush=True)

    return FacesWorker(lib, on_done=done, clip_busy=clip_busy).start()


def _poking(*workers):
    def on_event(e) -> None:
        _print_event(e)
        if e.kind == "reconciled" or (e.kind == "changed" and e.added):
            for w in workers:
                w.poke()
    return on_event


def _print_event(e) -> None:
    stamp = time.strftime("%H:%M:%S")
    if e.kind == "progress":
        if time.monotonic() - _last_progress[0] >= 5.0:  # a line every 5 s at most
            _last_progress[0] = time.monotonic()
            print(f"{stamp} catching up: {e.done}/{e.total} files", file=sys.stderr, flush=True)
        return
    if e.kind in ("changed", "reconciled"):
        if not (e.changed or e.problems) and e.kind == "changed":
            return
        parts = [f"{e.added} added", f"{e.linked} linked", f"{e.moved} moved",
                 f"{e.removed} removed"] + ([f"{e.problems} problems"] if e.problems else [])
        where = f" in {safe(e.roots[0])}" if e.kind == "reconciled" and e.roots else ""
        label = "caught up" if e.kind == "reconciled" else "changed"
        print(f"{stamp} {label}{where}: {', '.join(parts)}", flush=True)
    elif e.kind in ("offline", "online"):
        print(f"{stamp} {safe(e.message)}", flush=True)
    else:
        print(f"{stamp} {e.kind}: {safe(e.message)}", file=sys.stderr, flush=True)


def _install_stop_handlers(stop: threading.Event) -> dict:
    def on_signal(signum, _frame):
        if stop.is_set() and signum == signal.SIGINT:  # second Ctrl+C: stop now
            raise KeyboardInterrupt
        stop.set()

    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old[sig] = signal.signal(sig, on_signal)
        except ValueError:  # not the main thread (embedded use)
            pass
    return old


def _restore_handlers(old: dict) -> None:
    for sig, handler in old.items():
        signal.signal(sig, handler)


# -- purge -----------------------------------------------------------------------------
def purge(args) -> int:
    lib = open_library(args)
    try:
        r = library_ops.purge(lib, args.older_than)
    except library_ops.LibraryOpError as exc:
        raise CliError(str(exc)) from exc
    lib.close()
    if args.json:
        print_json({"purged_photos": r.photos, "purged_embeddings": r.embeddings,
                    "orphans_in_grace": r.in_grace, "grace_days": r.grace_days})
    else:
        print(f"purged {r.photos} deleted photos ({r.embeddings} embeddings); {r.in_grace} "
              f"deleted photos are kept for their {r.grace_days:g}-day grace period")
    return 0


# -- exclude ---------------------------------------------------------------------------
def exclude_add(args) -> int:
    lib = open_library(args)
    report = library_ops.exclude(lib, args.items)
    lib.close()
    for item in report.already:
        print(f"already excluded: {safe(item)}")
    for item in report.added:
        print(f"excluded: {safe(item)}")
    if report.added:
        print(f"{report.forgotten} indexed files there left the library (files on disk are "
              "untouched); a running watcher follows the change after a restart")
    return 0


def exclude_remove(args) -> int:
    lib = open_library(args)
    try:
        items = library_ops.unexclude(lib, args.items)
    except library_ops.LibraryOpError as exc:
        raise CliError(safe(str(exc))) from exc
    for item in items:
        print(f"no longer excluded: {safe(item)}")
    print("run 'photosearch index' to index what they held")
    return 0


def exclude_list(args) -> int:
    from ..core.config import Settings
    from ..core.paths import resolve_library

    settings = Settings.load(resolve_library(args.library).settings)
    if args.json:
        print_json(json_safe(list(settings.exclude)))
        return 0
    for item in settings.exclude:
        print(safe(item))
    return 0
