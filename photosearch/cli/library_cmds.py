"""folders, index, status, problems: building and inspecting a library."""

from __future__ import annotations

import os
import signal
import sys
import threading

from ..core import library_ops
from . import CliError, open_library
from .output import ProgressBar, json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser("folders", help="manage the photo folders the library watches")
    fsub = p.add_subparsers(dest="folders_cmd", metavar="ACTION", required=True)
    a = fsub.add_parser("add", help="add photo folders")
    a.add_argument("paths", nargs="+", metavar="PATH")
    a.set_defaults(func=folders_add)
    r = fsub.add_parser("remove", help="stop managing a folder (photos on disk are untouched)")
    r.add_argument("path", metavar="PATH")
    r.set_defaults(func=folders_remove)
    ls = fsub.add_parser("list", help="list folders")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=folders_list)

    p = sub.add_parser("index", help="index registered folders (and/or the given paths)")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--no-embed", action="store_true",
                   help="catalog and hash only (no model): duplicates and browsing still work")
    p.add_argument("--offline", action="store_true",
                   help="never download weights; use only what is on disk")
    p.add_argument("--watch", action="store_true",
                   help="then keep watching the folders until Ctrl+C (the live library)")
    p.add_argument("--retry-problems", action="store_true",
                   help="read files listed by 'photosearch problems' again, even if unchanged")
    p.add_argument("--runtime", choices=("torch", "onnx-int8"),
                   help="how photos are embedded on the CPU, saved in the library's settings: "
                        "torch (default: fp32 vectors, computed with onnxruntime on a CPU-only "
                        "machine once the model's ONNX export exists) or onnx-int8 (int8 "
                        "image tower, faster on some CPUs; its vectors get their own model id, so "
                        "switching re-embeds every photo)")
    p.set_defaults(func=index)

    p = sub.add_parser("status", help="counts, model, device, folders")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=status)

    p = sub.add_parser("problems", help="files that could not be indexed, and why")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=problems)


def folders_add(args) -> int:
    lib = open_library(args)
    try:
        added = library_ops.add_folders(lib, args.paths)
    except library_ops.LibraryOpError as exc:
        raise CliError(safe(str(exc))) from exc
    for full in added:
        print(f"added {safe(full)}")
    print("run 'photosearch index' to index them")
    return 0


def folders_remove(args) -> int:
    lib = open_library(args)
    try:
        n = library_ops.remove_folder(lib, args.path)
    except library_ops.LibraryOpError as exc:
        raise CliError(safe(str(exc))) from exc
    lib.close()
    print(f"removed {safe(library_ops.normalise_folder(args.path))} ({n} files forgotten; "
          "nothing on disk was touched)")
    return 0


def _folder_rows(lib) -> list[dict]:
    """Folders with their state. Missing, or an empty mount point with known photos (an
    unmounted drive): offline. `status` and `folders list` must agree."""
    from ..core.reconcile import root_identity

    return [{"path": p, "online": root_identity(p, lib.catalog) is not None}
            for _, p in lib.catalog.folders()]


def folders_list(args) -> int:
    lib = open_library(args)
    rows = _folder_rows(lib)
    if args.json:
        print_json(json_safe(rows))
    else:
        for r in rows:
            print(f"{safe(r['path'])}{'' if r['online'] else '  (offline)'}")
    return 0


def index(args) -> int:
    from ..core.indexer import Indexer

    lib = open_library(args)
    for path in args.paths:
        if not os.path.isdir(path):
            raise CliError(f"{safe(path)} is not a folder")
    if not args.paths and not lib.catalog.folders():
        raise CliError("no folders to index: add some with 'photosearch folders add PATH' "
                       "or pass them to 'photosearch index PATH'")
    if getattr(args, "runtime", None) and args.runtime != lib.settings.runtime:
        _switch_runtime(lib, args.runtime)
    if getattr(args, "runtime", None) == "onnx-int8":
        lib.retry_runtime()  # asked for explicitly: try it even if it was refused before
    if args.watch:
        from .watch_cmds import watch

        lib.close()
        return watch(args)
    from ..core.single_instance import WriterLock

    writer = WriterLock(lib.paths, "photosearch index").acquire()  # one indexer at a time
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: _interrupt(cancel, previous))
    bar = ProgressBar("indexing")
    try:
        report = Indexer(lib, progress=bar, cancel=cancel, embed=not args.no_embed,
                         download=not args.offline,
                         retry_problems=args.retry_problems).run(args.paths or None)
        if not report.cancelled:  # the faces pass, when enabled, after the CLIP pass
            from .people_cmds import faces_pass

            faces = faces_pass(lib, cancel)
            report.cancelled = bool(faces and faces.cancelled)
        if not report.cancelled:  # the text pass (OCR), when enabled, after those
            from .text_cmds import run_after_index

            text = run_after_index(lib, cancel)
            report.cancelled = bool(text and text.cancelled)
    finally:
        bar.close()
        signal.signal(signal.SIGINT, previous)
        lib.close()
        writer.release()
    if report.model_error:
        print(f"photosearch: warning: photos were cataloged without embeddings: "
              f"{report.model_error}", file=sys.stderr)
        if _weights_file_failed(args):  # the weights file given on this command line failed
            print(f"photosearch: error: --pretrained {args.pretrained!r} could not be used "
                  "(see the warning above); photos were cataloged, not embedded",
                  file=sys.stderr)
    if lib.runtime_note:
        print(f"photosearch: warning: {lib.runtime_note}", file=sys.stderr)
    for root in report.offline_roots:
        print(f"photosearch: warning: {safe(root)} is offline; its photos are kept",
              file=sys.stderr)
    for root, n in report.ghosts_dropped.items():
        print(f"photosearch: {n} files of offline folder {safe(root)} are on disk under "
              "another folder now (moved or renamed); their old entries were dropped, labels "
              f"and reviews kept. If it is gone for good: photosearch folders remove {safe(root)}",
              file=sys.stderr)
    print(f"{report.scanned} files scanned: {report.embedded} embedded, "
          f"{report.cataloged} cataloged without embedding, {report.linked} moved/renamed/copies, "
          f"{report.unchanged} unchanged, {report.removed} removed, {report.problems} problems "
          f"in {report.seconds:.1f}s" + (" (cancelled; run again to resume)"
                                         if report.cancelled else ""))
    if report.problems:
        print("see 'photosearch problems' for files that could not be read")
    if report.cancelled:
        return 130
    return 1 if report.model_error and _weights_file_failed(args) else 0


def _switch_runtime(lib, runtime: str) -> None:
    """Save the runtime in the library's settings (only that key: other command-line
    overrides stay per run) and say what it means: a new model id, so re-embedding."""
    from ..core.config import Settings

    before = lib.model_id
    Settings.load(lib.paths.settings).with_overrides(runtime=runtime).save(lib.paths.settings)
    lib.settings = lib.settings.with_overrides(runtime=runtime)
    print(f"runtime {runtime} saved for this library: embeddings are stored under model id "
          f"{safe(lib.model_id)} (was {safe(before)}), so photos are re-embedded, exactly as "
          "when switching model; vectors of the two runtimes never mix")


def _weights_file_failed(args) -> bool:
    """--pretrained named a weights file (not a tag that may just be offline) and it could
    not be used: the user's explicit choice failed, so the run fails (exit 1)."""
    from .validate import looks_like_path

    return args.pretrained is not None and looks_like_path(args.pretrained)


def _interrupt(cancel: threading.Event, previous) -> None:
    if cancel.is_set():  # second Ctrl+C: stop now
        signal.signal(signal.SIGINT, previous)
        raise KeyboardInterrupt
    print("\nfinishing the batch in flight (Ctrl+C again to stop now)", file=sys.stderr)
    cancel.set()


def status(args) -> int:
    lib = open_library(args)
    counts = lib.catalog.counts(lib.model_id)
    folders = _folder_rows(lib)
    data = {
        "library": str(lib.paths.root),
        "model": lib.model_id,
        "device": _device(lib.settings.device),
        **counts,
        "folders": folders,
        "offline_folders": [f["path"] for f in folders if not f["online"]],
        **_live_status(lib),
    }
    if args.json:
        print_json(json_safe(data))
        return 0
    print(f"library:  {safe(data['library'])}")
    print(f"model:    {data['model']}  (device: {data['device']})")
    print(f"photos:   {counts['photos']} ({counts['files']} files), {counts['embedded']} embedded, "
          f"{counts['pending']} pending, {counts['problems']} problems")
    for f in folders:
        print(f"folder:   {safe(f['path'])}{'' if f['online'] else '  (offline; photos kept)'}")
    _print_live_status(data)
    return 0


def _live_status(lib) -> dict:
    """Who is writing (a running watcher and its queue) and deleted photos in grace."""
    from ..core.single_instance import current_writer

    writer = current_writer(lib.paths)
    return {"writer": writer, "deleted_in_grace": lib.catalog.orphan_count()}


def _print_live_status(data: dict) -> None:
    w = data.get("writer")
    if w:
        queued = f", {w['pending']} changes queued" if w.get("pending") is not None else ""
        paused = " (paused)" if w.get("paused") else ""
        print(f"writer:   {w.get('purpose')} (pid {w.get('pid')}){queued}{paused}")
        if w.get("error"):
            print(f"          last error: {w['error']}")
    if data.get("deleted_in_grace"):
        print(f"deleted:  {data['deleted_in_grace']} photos kept for their grace period "
              "('photosearch purge' drops them)")


def _device(requested: str) -> str:
    from ..core import device_probe

    if device_probe.runs_on_cpu(requested):  # known without importing torch
        return "cpu"
    from ..core.embedder import pick_device

    try:
        return pick_device(requested)
    except RuntimeError as exc:
        return f"{requested} (unavailable: {exc})"


def problems(args) -> int:
    lib = open_library(args)
    rows = lib.catalog.problems()
    if args.json:
        print_json(json_safe(rows))
        return 0
    if not rows:
        print("no problems")
    for r in rows:
        print(f"{safe(r['path'])}: {r['reason']}")
    return 0
