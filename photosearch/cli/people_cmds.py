"""people: faces found, grouped into people, named, searchable (opt-in, all local)."""

from __future__ import annotations

import os
import sys
import threading

from . import CliError, open_library
from .output import json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser(
        "people", help="people in your photos (faces; opt-in, nothing leaves the computer)",
        description="With no action: list people (id, name, photo count, a few faces). "
                    "Search with 'photosearch search person:NAME' or --person NAME.")
    p.add_argument("--json", action="store_true", help="JSON list of people")
    p.add_argument("--all", action="store_true", help="include hidden people")
    p.set_defaults(func=people_list)
    ps = p.add_subparsers(dest="people_cmd", metavar="ACTION")

    a = ps.add_parser("enable", help="find faces from now on (installs the face models)")
    a.add_argument("--detector", choices=("hog", "cnn"),
                   help="hog: fast (default); cnn: finds more faces, seconds per photo")
    a.set_defaults(func=people_enable)
    a = ps.add_parser("disable", help="stop finding faces (keeps what was found)")
    a.set_defaults(func=people_disable)
    a = ps.add_parser("forget", help="switch off and delete every face, person and name")
    a.add_argument("--yes", action="store_true", help="do not ask")
    a.set_defaults(func=people_forget)
    a = ps.add_parser("scan", help="run the faces pass now (index runs it when enabled)")
    a.add_argument("--workers", type=int,
                   help="worker processes (default: one per core, up to 4; 0: in this process)")
    a.set_defaults(func=people_scan)
    a = ps.add_parser("status", help="faces pass progress and counts")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=people_status)
    a = ps.add_parser("name", help="name a person")
    a.add_argument("id", type=int, metavar="ID")
    a.add_argument("name", nargs="+", metavar="NAME")
    a.set_defaults(func=people_name)
    a = ps.add_parser("merge", help="merge the second person into the first")
    a.add_argument("keep", type=int, metavar="ID")
    a.add_argument("other", type=int, metavar="ID")
    a.set_defaults(func=people_merge)
    a = ps.add_parser("not", help="this photo's face is not this person (remembered)")
    a.add_argument("path", metavar="PATH")
    a.add_argument("id", type=int, metavar="ID")
    a.set_defaults(func=people_not)
    a = ps.add_parser("show", help="a person's photos and face boxes")
    a.add_argument("id", type=int, metavar="ID")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=people_show)
    a = ps.add_parser("hide", help="hide a person from the list (--undo shows it again)")
    a.add_argument("id", type=int, metavar="ID")
    a.add_argument("--undo", action="store_true")
    a.set_defaults(func=people_hide)
    a = ps.add_parser("regroup", help="redo automatic grouping (named/confirmed faces stay)")
    a.set_defaults(func=people_regroup)
    a = ps.add_parser("export-xmp", help="named people -> MWG face regions in NAME.EXT.xmp "
                                         "sidecars (photos are never written)")
    a.add_argument("--dry-run", action="store_true")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=people_export_xmp)


def _ops():
    from ..core.people import ops

    return ops


def _run(fn, *a, **kw):
    """Turn the feature's expected errors into one-line CLI errors."""
    from ..core.people.models import FaceModelsUnavailable

    ops = _ops()
    try:
        return fn(*a, **kw)
    except (ops.PeopleError, FaceModelsUnavailable) as exc:
        raise CliError(str(exc)) from None


def people_list(args) -> int:
    lib = open_library(args)
    rows = _ops().people(lib, include_hidden=args.all)
    if args.json:
        print_json(json_safe([r.to_json() for r in rows]))
        return 0
    if not rows:
        on = _ops().status(lib)["enabled"]
        print("no people yet" + ("" if on else
                                 ": turn faces on with 'photosearch people enable'"))
    for r in rows:
        label = r.name or "(unnamed)"
        hidden = "  (hidden)" if r.hidden else ""
        print(f"{r.id:5}  {label:24} {r.count:5} photos{hidden}")
    return 0


def people_enable(args) -> int:
    lib = open_library(args)
    files = _run(_ops().enable, lib, args.detector)
    print(f"people: on (face models in {safe(str(files.landmarks.parent))}); faces are found "
          "after 'photosearch index' embeds photos, on this computer only. "
          "'photosearch people forget' deletes them all.")
    return 0


def people_disable(args) -> int:
    lib = open_library(args)
    _ops().disable(lib)
    print("people: off (found faces and names are kept; 'people forget' deletes them)")
    return 0


def people_forget(args) -> int:
    lib = open_library(args)
    if not args.yes and sys.stdin.isatty():
        answer = input("delete every face, person and name of this library? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 1
    n = _ops().forget(lib)
    print(f"people: off; deleted {n} faces with their descriptors, people and names")
    return 0


def people_status(args) -> int:
    lib = open_library(args)
    data = _ops().status(lib)
    if args.json:
        print_json(data)
    else:
        print(", ".join(f"{k}: {v}" for k, v in data.items()))
    return 0


def people_scan(args) -> int:
    from ..core.single_instance import WriterLock

    lib = open_library(args)
    writer = WriterLock(lib.paths, "photosearch people scan").acquire()
    try:
        report = faces_pass(lib, threading.Event(), workers=args.workers, force=True)
    finally:
        lib.close()
        writer.release()
    return 130 if report is not None and report.cancelled else 0


def faces_pass(lib, cancel: threading.Event, *, workers: int | None = None,
               force: bool = False):
    """Run the faces pass when people is enabled (or `force`); prints one summary line.
    Used by `index` after the CLIP pass."""
    from ..core.people import faces_pass as fp
    from .output import ProgressBar

    if not force and not fp.enabled(lib):
        return None
    from ..core.people.models import FaceModelsUnavailable

    bar = ProgressBar("faces")
    try:
        report = fp.run(lib, cancel=cancel, workers=workers, progress=bar)
    except FaceModelsUnavailable as exc:
        if force:
            raise CliError(str(exc)) from None
        print(f"photosearch: warning: faces were not looked for: {exc}", file=sys.stderr)
        return None
    finally:
        bar.close()
    print(f"faces: {report.photos} photos scanned, {report.faces} faces, "
          f"{report.matched} joined people, {report.new_people} new people, "
          f"{report.problems} unreadable in {report.seconds:.1f}s"
          + (" (cancelled; run again to resume)" if report.cancelled else ""))
    return report


def _print_person(view) -> None:
    print(f"{view.id}  {view.name or '(unnamed)'}  {view.count} photos"
          + ("  (hidden)" if view.hidden else ""))
    for f in view.faces:
        print(f"  {safe(f['path'])}  box {','.join(str(v) for v in f['box'])}")


def people_show(args) -> int:
    lib = open_library(args)
    view = _run(_ops().person, lib, args.id)
    if args.json:
        print_json(json_safe(view.to_json()))
    else:
        _print_person(view)
    return 0


def people_name(args) -> int:
    lib = open_library(args)
    name = " ".join(args.name)
    _run(_ops().name, lib, args.id, name)
    print(f"person {args.id} is now '{' '.join(name.split())}'")
    return 0


def people_merge(args) -> int:
    lib = open_library(args)
    n = _run(_ops().merge, lib, args.keep, args.other)
    print(f"merged person {args.other} into {args.keep} ({n} faces)")
    return 0


def people_not(args) -> int:
    lib = open_library(args)
    path = os.path.abspath(os.path.expanduser(args.path))
    n = _run(_ops().not_person, lib, path, args.id)
    print(f"{n} face(s) of {safe(path)} taken out of person {args.id} (remembered)")
    return 0


def people_hide(args) -> int:
    lib = open_library(args)
    _run(_ops().hide, lib, args.id, not args.undo)
    print(f"person {args.id} {'shown' if args.undo else 'hidden'}")
    return 0


def people_regroup(args) -> int:
    lib = open_library(args)
    r = _run(_ops().regroup, lib)
    print(f"regrouped: {r.matched} faces joined people, {r.new_people} new people "
          f"({r.clustered} faces)")
    return 0


def people_export_xmp(args) -> int:
    lib = open_library(args)
    r = _ops().export_regions(lib, dry_run=args.dry_run)
    data = {"created": r.created, "updated": r.updated, "unchanged": r.unchanged,
            "errors": [{"path": p, "reason": why} for p, why in r.errors],
            "planned": [{"path": p, "names": n} for p, n in r.planned]}
    if args.json:
        print_json(json_safe(data))
    else:
        for p, names in r.planned:
            print(f"would write {', '.join(names)} -> {safe(p)}.xmp")
        for p, why in r.errors:
            print(f"skipped {safe(p)}: {why}", file=sys.stderr)
        print(f"face regions: {r.created} sidecars created, {r.updated} updated, "
              f"{r.unchanged} unchanged, {len(r.errors)} skipped")
    return 0
