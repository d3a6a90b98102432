"""text: the text in photos (OCR) - enable, disable, forget, status, run, show."""

from __future__ import annotations

import os
import signal
import sys
import threading

from . import CliError, open_library
from .output import ProgressBar, json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser(
        "text", help="text in photos (OCR): read signs, receipts, screenshots; search words",
        description="Reads the text in photos with a local OCR model (nothing leaves this "
                    "computer) so 'photosearch search' finds photos by the words in them. "
                    "Off by default: reading costs about half a second per photo on a CPU.")
    tsub = p.add_subparsers(dest="text_cmd", metavar="ACTION", required=True)
    e = tsub.add_parser("enable", help="read text in photos after each indexing run")
    e.add_argument("--threads", type=int, help="OCR threads (default: all cores)")
    e.set_defaults(func=enable)
    d = tsub.add_parser("disable", help="stop reading text (what was read is kept)")
    d.set_defaults(func=disable)
    f = tsub.add_parser("forget", help="delete all recognised text and turn reading off")
    f.set_defaults(func=forget)
    s = tsub.add_parser("status", help="on/off, photos read, pending, time estimate")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=status)
    r = tsub.add_parser("run", help="read the text of pending photos now")
    r.add_argument("--limit", type=int, help="read at most this many photos")
    r.set_defaults(func=run)
    sh = tsub.add_parser("show", help="the text read in one photo: lines, score, box")
    sh.add_argument("path", metavar="PATH")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=show)


def _settings(lib):
    from ..core.text.settings import TextSettings

    return TextSettings.from_settings(lib.settings)


def _estimate(lib) -> str:
    from ..core.text.settings import describe_estimate
    from ..core.text.store import TextStore
    from ..core.text.textpass import worker_count

    store = TextStore(lib.catalog)
    ts = _settings(lib)
    return describe_estimate(store.pending_count(ts.reading_version()),
                             store.counts()["mean_seconds"], worker_count(ts))


def enable(args) -> int:
    from ..core.text.engine import available

    lib = open_library(args)
    reason = available()
    if reason:
        raise CliError(f"cannot read text in photos: {reason}")
    ts = _settings(lib)
    ts.enabled = True
    if args.threads is not None:
        if args.threads < 0:
            raise CliError("--threads must be 0 (all cores) or more")
        ts.threads = args.threads
    ts.store(lib.settings)
    lib.save_settings()
    print("text in photos: on. " + _estimate(lib))
    print("it runs after each 'photosearch index' (or now: 'photosearch text run')")
    return 0


def disable(args) -> int:
    lib = open_library(args)
    ts = _settings(lib)
    ts.enabled = False
    ts.store(lib.settings)
    lib.save_settings()
    print("text in photos: off (text already read is kept; 'photosearch text forget' "
          "deletes it)")
    return 0


def forget(args) -> int:
    from ..core.single_instance import WriterLock
    from ..core.text.store import TextStore

    lib = open_library(args)
    writer = WriterLock(lib.paths, "photosearch text forget").acquire()
    try:
        ts = _settings(lib)
        ts.enabled = False
        ts.store(lib.settings)
        lib.save_settings()
        store = TextStore(lib.catalog)
        n = store.forget()
        store.vacuum_index()
    finally:
        lib.close()
        writer.release()
    print(f"forgot the text of {n} photos; text in photos: off")
    return 0


def status(args) -> int:
    from ..core.text.engine import available
    from ..core.text.store import TextStore

    lib = open_library(args)
    ts = _settings(lib)
    store = TextStore(lib.catalog)
    counts = store.counts()
    data = {"enabled": ts.enabled, "engine": ts.reading_version(), "unavailable": available(),
            "pending": store.pending_count(ts.reading_version()), **counts,
            "estimate": _estimate(lib)}
    if args.json:
        print_json(json_safe(data))
        return 0
    print(f"text in photos: {'on' if ts.enabled else 'off'}"
          + (f" (cannot run: {data['unavailable']})" if data["unavailable"] else ""))
    print(f"read:     {counts['read']} photos, {counts['with_text']} with text "
          f"({counts['lines']} lines), {counts['failed']} could not be read")
    print(f"pending:  {data['estimate']}")
    return 0


def run(args) -> int:
    from ..core.single_instance import WriterLock

    lib = open_library(args)
    writer = WriterLock(lib.paths, "photosearch text run").acquire()
    try:
        report = run_pass(lib, limit=args.limit)
    finally:
        lib.close()
        writer.release()
    return 130 if report.cancelled else (1 if report.error else 0)


def run_pass(lib, limit: int | None = None, cancel: threading.Event | None = None):
    """Run the text pass with a progress bar and Ctrl+C to stop; prints a summary line."""
    from ..core.text.textpass import run_text_pass

    own_handler = cancel is None and threading.current_thread() is threading.main_thread()
    cancel = cancel or threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set()) if own_handler else None
    bar = ProgressBar("reading text")
    try:
        report = run_text_pass(lib, cancel=cancel, limit=limit, progress=bar)
    finally:
        bar.close()
        if own_handler:
            signal.signal(signal.SIGINT, previous)
    if report.error:
        print(f"photosearch: warning: text in photos not read: {report.error}",
              file=sys.stderr)
        return report
    print(f"text: {report.read} photos read, {report.with_text} with text, "
          f"{report.failed} could not be read in {report.seconds:.1f}s"
          + (" (cancelled; run again to resume)" if report.cancelled else ""))
    return report


def run_after_index(lib, cancel: threading.Event):
    """The `index` command's text pass: only when OCR is on."""
    if not _settings(lib).enabled or cancel.is_set():
        return None
    return run_pass(lib, cancel=cancel)


def show(args) -> int:
    from ..core.text.store import TextStore

    lib = open_library(args)
    full = os.path.abspath(os.path.expanduser(args.path))
    h = lib.catalog.hash_of(full)
    if h is None:
        raise CliError(f"{safe(full)} is not in the library (see 'photosearch index')")
    store = TextStore(lib.catalog)
    rec = store.record(h)
    lines = store.lines(h)
    if args.json:
        print_json(json_safe({
            "path": full, "hash": h, "read": rec is not None,
            "engine": rec.engine if rec else None, "error": rec.error if rec else None,
            "lines": [ln.to_json() for ln in lines]}))
        return 0
    if rec is None:
        print("not read yet (see 'photosearch text status')")
    elif rec.error:
        print(f"could not be read: {rec.error}")
    elif not lines:
        print("no text found")
    for ln in lines:
        box = " ".join(f"{x:.0f},{y:.0f}" for x, y in ln.box)
        print(f"{ln.score:.3f}  [{box}]  {ln.text}")
    return 0
