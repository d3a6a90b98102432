"""labels, tags, review, export-xmp: auto-tagging with the user's own labels."""

from __future__ import annotations

import os
import sys

from . import CliError, open_library
from .output import ProgressBar, json_safe, print_json, safe


def register(sub) -> None:
    p = sub.add_parser("labels", help="your own labels for auto-tagging (zero-shot)")
    lsub = p.add_subparsers(dest="labels_cmd", metavar="ACTION", required=True)

    a = lsub.add_parser("add", help="define a label and tag every photo with it")
    a.add_argument("name", metavar="NAME", help="one word, used as tag:NAME in searches")
    _definition_options(a)
    a.set_defaults(func=labels_add)

    e = lsub.add_parser("edit", help="change a label; its tags are recomputed")
    e.add_argument("name", metavar="NAME")
    _definition_options(e)
    e.add_argument("--add-prompt", action="append", default=[], metavar="P")
    e.add_argument("--remove-prompt", action="append", default=[], metavar="P")
    e.add_argument("--remove-example", action="append", default=[], metavar="IMG",
                   help="forget an example photo (either kind)")
    e.add_argument("--auto-threshold", action="store_true",
                   help="let review decisions tune the threshold again")
    e.add_argument("--rename", metavar="NEW")
    e.add_argument("--templates", dest="use_templates", action="store_const", const=True,
                   help="expand prompts with the template ensemble again")
    e.set_defaults(func=labels_edit)

    ls = lsub.add_parser("list", help="labels with their tag counts")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=labels_list)

    s = lsub.add_parser("show", help="a label's definition and its confident, borderline "
                                     "and rejected photos")
    s.add_argument("name", metavar="NAME")
    s.add_argument("--limit", type=int, default=10, help="photos per group (default 10)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=labels_show)

    r = lsub.add_parser("remove", help="delete a label and its tags (photos are untouched)")
    r.add_argument("name", metavar="NAME")
    r.set_defaults(func=labels_remove)

    ap = lsub.add_parser("apply", help="(re)tag every photo with these labels (default all)")
    ap.add_argument("names", nargs="*", metavar="NAME")
    ap.set_defaults(func=labels_apply)

    st = lsub.add_parser("starter", help="list starter label sets, or enable some")
    st.add_argument("sets", nargs="*", metavar="SET", help="set names, or 'all'")
    st.add_argument("--no-apply", action="store_true", help="define only; tag later")
    st.set_defaults(func=labels_starter)

    t = sub.add_parser("tags", help="tags of a photo, with scores")
    t.add_argument("path", metavar="PATH")
    t.add_argument("--all", action="store_true", help="every label's score, tagged or not")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=tags)

    rv = sub.add_parser("review", help="confirm or reject a label's tags; decisions always win "
                                       "over the model and tune the label")
    rv.add_argument("name", metavar="NAME")
    rv.add_argument("--accept", nargs="+", default=[], metavar="PATH")
    rv.add_argument("--reject", nargs="+", default=[], metavar="PATH")
    rv.add_argument("--clear", nargs="+", default=[], metavar="PATH",
                    help="forget decisions: the model decides again")
    rv.add_argument("--no-apply", action="store_true", help="do not re-tag the library now")
    rv.set_defaults(func=review)

    x = sub.add_parser("export-xmp", help="write tags as XMP sidecar keywords (NAME.EXT.xmp: "
                                          "dc:subject, lr:hierarchicalSubject, "
                                          "digiKam:TagsList) and take back those of tags "
                                          "that went away; photos are never modified")
    x.add_argument("--folder", metavar="P", help="only photos under this folder")
    x.add_argument("--dry-run", action="store_true", help="show what would be written")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=export_xmp)


def _definition_options(p) -> None:
    p.add_argument("--prompt", action="append", default=[], metavar="P",
                   help="what the label looks like, in words (repeatable; default: the name)")
    p.add_argument("--example", action="append", default=[], metavar="IMG",
                   help="a photo that IS this label (repeatable)")
    p.add_argument("--not-example", action="append", default=[], metavar="IMG",
                   help="a photo that is NOT this label (repeatable)")
    p.add_argument("--threshold", type=float, metavar="X",
                   help="calibrated score 0-1 from which a photo is tagged (default 0.5)")
    p.add_argument("--no-templates", dest="use_templates", action="store_const", const=False,
                   help="use prompts verbatim instead of the template ensemble")
    p.add_argument("--no-apply", action="store_true", help="do not tag the library now")


# -- labels -------------------------------------------------------------------------------
def _tagger(args):
    from ..core.tagging import Tagger

    return Tagger(open_library(args))


def labels_add(args) -> int:
    tagger = _tagger(args)
    lab = tagger.store.add(args.name, args.prompt, args.threshold,
                           use_templates=args.use_templates is not False)
    try:
        lab = _add_examples(tagger, lab, args.example, args.not_example)
    except Exception:
        tagger.store.remove(lab)  # no half-defined label left behind
        raise
    print(f"added label {lab.name}: prompts {', '.join(repr(p) for p in lab.prompts)}")
    return _maybe_apply(tagger, [lab.name], args.no_apply)


def labels_edit(args) -> int:
    tagger = _tagger(args)
    store = tagger.store
    lab = store.get(args.name)
    prompts = None
    if args.prompt or args.add_prompt or args.remove_prompt:
        prompts = list(args.prompt or lab.prompts) + args.add_prompt
        missing = [p for p in args.remove_prompt if p not in prompts]
        if missing:
            raise CliError(f"label {lab.name} has no prompt {missing[0]!r}")
        prompts = [p for p in prompts if p not in args.remove_prompt]
    threshold_user = True if args.threshold is not None else (False if args.auto_threshold
                                                              else None)
    lab = store.update(lab, name=args.rename, prompts=prompts, threshold=args.threshold,
                       threshold_user=threshold_user, use_templates=args.use_templates)
    lab = _add_examples(tagger, lab, args.example, args.not_example)
    if args.remove_example:
        known = {e.path: e.hash for e in lab.examples if e.path}
        hashes = []
        for p in args.remove_example:
            full = os.path.abspath(os.path.expanduser(p))
            h = known.get(full) or tagger.catalog.hash_of(full)
            if h is None or h not in {e.hash for e in lab.examples}:
                raise CliError(f"{safe(p)} is not an example of label {lab.name}")
            hashes.append(h)
        lab = tagger.remove_examples(lab, hashes)
    print(f"updated label {lab.name}")
    return _maybe_apply(tagger, [lab.name], args.no_apply)


def _add_examples(tagger, lab, positives: list[str], negatives: list[str]):
    for paths, positive in ((positives, True), (negatives, False)):
        for path in paths:
            if not os.path.isfile(path):
                raise CliError(f"example {safe(path)} is not a file")
        if paths:
            lab = tagger.add_examples(lab, [os.path.abspath(p) for p in paths], positive)
    return lab


def _maybe_apply(tagger, names: list[str], skip: bool) -> int:
    if skip:
        print("not applied yet: run 'photosearch labels apply' to tag the library")
        return 0
    bar = ProgressBar("tagging")
    try:
        reports = tagger.apply(names, progress=bar)
        _retract_keywords(tagger.lib)
    finally:
        bar.close()
        tagger.lib.close()
    for r in reports:
        print(f"{r.label}: {r.tagged} photos tagged (+{r.added} -{r.removed}, "
              f"{r.scored} scored)")
    if tagger.lib.embedder_loaded and tagger.lib.embedder().random_weights:
        print("photosearch: note: the model has RANDOM weights; these tags are meaningless",
              file=sys.stderr)
    return 0


def labels_list(args) -> int:
    from ..core.tagging import tagged_hashes

    tagger = _tagger(args)
    rows = []
    for lab in tagger.store.all():
        row = lab.to_json()
        row["tagged"] = len(tagged_hashes(tagger.catalog, [lab.name]))
        row["needs_apply"] = lab.needs_apply(tagger.model_id)
        rows.append(row)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no labels yet: 'photosearch labels add NAME' or 'photosearch labels starter'")
    for r in rows:
        stale = "  (needs 'labels apply')" if r["needs_apply"] else ""
        print(f"{r['name']:20} {r['tagged']:6} photos  threshold {r['threshold']:.2f} "
              f"({r['threshold_from']})  prompts: {'; '.join(r['prompts'])}{stale}")
    return 0


def labels_show(args) -> int:
    tagger = _tagger(args)
    lab = tagger.store.get(args.name)
    data = lab.to_json()
    data["examples"] = [{"path": e.path or _first_path(tagger, e.hash), "positive": e.positive,
                         "origin": e.origin} for e in lab.examples]
    data["needs_apply"] = lab.needs_apply(tagger.model_id)
    views = tagger.views(lab.name, args.limit) if tagger.lib.embedding_dim() else None
    for group in ("confident", "borderline", "rejected"):
        rows = getattr(views, group) if views else []
        data[group] = [{"path": _first_path(tagger, h), "score": None if s is None else
                        round(s, 4), "source": src} for h, s, src in rows]
    if args.json:
        print_json(json_safe(data))
        return 0
    print(f"label:      {lab.name}")
    print(f"prompts:    {'; '.join(lab.prompts)}"
          f"{'' if lab.use_templates else '  (verbatim, no templates)'}")
    print(f"threshold:  {lab.threshold:.3f} ({data['threshold_from']})")
    for e in data["examples"]:
        kind = "example" if e["positive"] else "not-example"
        print(f"{kind + ':':12}{safe(e['path'] or '?')}  ({e['origin']})")
    for group in ("confident", "borderline", "rejected"):
        print(f"-- {group} ({len(data[group])} shown) --")
        for r in data[group]:
            score = "     -" if r["score"] is None else f"{r['score']:6.3f}"
            print(f"{score}  {r['source'] or '':9}  {safe(r['path'] or '?')}")
    return 0


def labels_remove(args) -> int:
    tagger = _tagger(args)
    lab = tagger.store.get(args.name)
    tagger.store.remove(lab)
    print(f"removed label {lab.name} and its tags (no photo was touched)")
    _retract_keywords(tagger.lib)
    return 0


def labels_apply(args) -> int:
    tagger = _tagger(args)
    if not tagger.store.all():
        raise CliError("no labels to apply: add one with 'photosearch labels add NAME'")
    return _maybe_apply(tagger, args.names, False)


def labels_starter(args) -> int:
    from ..core import prompts

    if not args.sets:
        for name, labels in prompts.STARTER_SETS.items():
            print(f"{name:10} {', '.join(labels)}")
        print("enable with 'photosearch labels starter SET...' (or 'all'); edit the labels "
              "afterwards like your own")
        return 0
    tagger = _tagger(args)
    added = []
    for set_name in args.sets:
        try:
            labels = prompts.starter_labels(set_name)
        except KeyError as exc:
            raise CliError(exc.args[0]) from exc
        for name, label_prompts in labels.items():
            if tagger.store.exists(name):
                print(f"{name}: already defined, kept as it is")
                continue
            tagger.store.add(name, label_prompts, starter_set=set_name)
            added.append(name)
    print(f"added {len(added)} labels: {', '.join(added) or '-'}")
    return _maybe_apply(tagger, added, args.no_apply) if added else 0


# -- tags, review, export -------------------------------------------------------------------
def tags(args) -> int:
    tagger = _tagger(args)
    h = _hash_of(tagger, args.path)
    rows = [t.to_json() for t in tagger.tags_of(h, all_labels=args.all)]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("no tags")
    for r in rows:
        score = "     -" if r["score"] is None else f"{r['score']:6.3f}"
        mark = "tagged" if r["tagged"] else "-"
        print(f"{r['label']:20} {score}  {mark:7} {r['source'] or ''}")
    return 0


def review(args) -> int:
    if not (args.accept or args.reject or args.clear):
        raise CliError("nothing to review: give --accept PATH..., --reject PATH... "
                       "or --clear PATH...")
    both = set(args.accept) & set(args.reject)
    if both:
        raise CliError(f"{safe(sorted(both)[0])} is both accepted and rejected")
    tagger = _tagger(args)
    lab = tagger.store.get(args.name)
    before = lab.threshold
    # resolve every path first: one unknown path must not leave half the decisions recorded
    accept, reject, clear = ([_hash_of(tagger, p) for p in paths]
                             for paths in (args.accept, args.reject, args.clear))
    if accept:
        lab = tagger.review(lab.name, accept, accept=True)
    if reject:
        lab = tagger.review(lab.name, reject, accept=False)
    if clear:
        lab = tagger.clear_decisions(lab.name, clear)
    print(f"{lab.name}: {len(args.accept)} accepted, {len(args.reject)} rejected, "
          f"{len(args.clear)} cleared")
    if reject or clear:
        _retract_keywords(tagger.lib)
    if abs(lab.threshold - before) > 1e-9:
        print(f"{lab.name}: threshold tuned from decisions: {before:.3f} -> {lab.threshold:.3f}")
    return _maybe_apply(tagger, [lab.name], args.no_apply)


def _retract_keywords(lib) -> None:
    """A tag went away: take its keywords back out of the sidecars photosearch wrote them
    into (only those values; core/keywords.py)."""
    from ..core.keywords import retract

    report = retract(lib)
    for path, reason in report.errors:
        print(f"photosearch: warning: {safe(path)}: keywords not taken back: {reason}",
              file=sys.stderr)
    if report.removed:
        print(f"XMP sidecars: {report.removed} keyword(s) taken back from "
              f"{len(report.changed_paths)} sidecar(s)")


def export_xmp(args) -> int:
    from ..core import xmp
    from ..core.keywords import KeywordSettings, sync_sidecars
    from ..core.tagging import tag_keywords

    lib = open_library(args)
    folder = os.path.abspath(os.path.expanduser(args.folder)) if args.folder else None
    if folder and not os.path.isdir(folder):
        raise CliError(f"{safe(args.folder)} is not a folder")
    if args.dry_run:
        report: xmp.ExportReport = xmp.export(tag_keywords(lib.catalog, folder), dry_run=True)
    else:
        report = sync_sidecars(lib, folder)
    parent = KeywordSettings.from_settings(lib.settings).parent
    if args.json:
        print_json(json_safe({
            "dry_run": args.dry_run, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "parent": parent,
            "keywords_added": getattr(report, "added", 0),
            "keywords_removed": getattr(report, "removed", 0),
            "planned": [{"path": p, "sidecar": xmp.sidecar_path(p), "keywords": k}
                        for p, k in report.planned],
            "errors": [{"path": p, "reason": r} for p, r in report.errors]}))
        return 1 if report.errors else 0
    if args.dry_run:
        for path, keywords in report.planned:
            print(f"{safe(xmp.sidecar_path(path))}: {', '.join(keywords)}")
        print(f"dry run: {len(report.planned)} sidecars would be written or merged "
              f"(dc:subject, lr:hierarchicalSubject and digiKam:TagsList under {parent!r})")
        return 0
    for path, reason in report.errors:
        print(f"photosearch: warning: {safe(path)}: {reason}", file=sys.stderr)
    print(f"XMP sidecars: {report.created} created, {report.updated} updated, "
          f"{report.unchanged} unchanged, {len(report.errors)} failed (photos untouched)")
    return 1 if report.errors else 0


def _hash_of(tagger, path: str) -> str:
    full = os.path.abspath(os.path.expanduser(path))
    h = tagger.catalog.hash_of(full)
    if h is None:
        raise CliError(f"{safe(path)} is not in the library (index its folder first)")
    return h


def _first_path(tagger, h: str) -> str | None:
    paths = tagger.catalog.paths_of([h]).get(h)
    return paths[0] if paths else None
