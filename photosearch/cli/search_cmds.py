"""search and similar: finding photos by text, by example, or both."""

from __future__ import annotations

import argparse
import os
import re
import sys

from . import CliError, UsageError, open_library
from .output import json_safe, print_json, safe

_OPTION_LIKE = re.compile(r"-[A-Za-z]")  # -l, -n: a short option, not a negative term


def _count(minimum: int):
    """argparse type: a whole number >= minimum (a bad value is a usage error, exit 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value
    return parse


def _add_filters(p) -> None:
    p.add_argument("--limit", type=_count(1), default=20, help="results per page (default 20)")
    p.add_argument("--offset", type=_count(0), default=0, help="skip this many results (paging)")
    p.add_argument("--folder", metavar="P", help="only photos under this folder")
    p.add_argument("--after", metavar="YYYY-MM-DD", help="taken on or after this date")
    p.add_argument("--before", metavar="YYYY-MM-DD", help="taken before this date")
    p.add_argument("--type", metavar="jpg,png", help="only these file types")
    p.add_argument("--camera", help="camera make/model contains this text")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only photos with this tag; repeat for photos with ALL of several "
                        "(for ANY of several: --tag a,b or tag:a,b in the query)")
    p.add_argument("--person", action="append", default=[], metavar="NAME",
                   help="only photos showing this person (repeat for all of several)")
    p.add_argument("--text", action="append", default=[], metavar="WORDS",
                   help="only photos whose recognised text contains these words (OCR; "
                        "see 'photosearch text')")
    p.add_argument("--min-score", type=float, help="drop results scoring below this")
    p.add_argument("--json", action="store_true", help="JSON array of results")


def register(sub) -> None:
    p = sub.add_parser(
        "search", help="search by text (and image files) with query syntax",
        description='Query syntax: words form one phrase; "quoted" terms and -negatives '
                    'combine, N: weights a term, an image path (or image:"...") is an image '
                    'term, and tag:/folder:/after:/before:/type:/camera:/person:/text:/has: '
                    'filter (values may be quoted; -tag:x excludes; tag:a,b is any of). '
                    'A query that starts with - goes after --. '
                    'Example: photosearch search \'"beach" -"people" after:2023\'',
        usage="%(prog)s [OPTIONS] QUERY...  |  %(prog)s [OPTIONS] -- QUERY...")
    p.add_argument("query", nargs="*", metavar="QUERY")
    _add_filters(p)
    p.add_argument("--explain", action="store_true",
                   help="print how the query is understood (terms and weights, filters, "
                        "sort, cut-off) instead of searching; with --json as an object")
    p.set_defaults(func=search, accepts_extra=True, search_parser=p)

    p = sub.add_parser("similar", help="photos that look like an image file")
    p.add_argument("image", metavar="IMAGE")
    _add_filters(p)
    p.set_defaults(func=similar)


def _filters(args):
    from ..core.query import Filters, parse_date, parse_types

    return Filters(
        folder=os.path.abspath(args.folder) if args.folder else None,
        after=parse_date(args.after) if args.after else None,
        before=parse_date(args.before) if args.before else None,
        types=parse_types(args.type) if args.type else None,
        camera=args.camera, people=list(args.person), text=list(args.text),
        tags=[t for t in args.tag if "," not in t],
        any_tags=[[n.strip() for n in t.split(",") if n.strip()] for t in args.tag if "," in t])


def search(args) -> int:
    from ..core.query import parse
    from ..core.search import Searcher

    # Before `--`, a word like -people is a negative query term, but an unknown --option
    # or -x is a mistyped option: an error, never swallowed as query text.
    dashed = [e for e in args.extra if e.startswith("--") or _OPTION_LIKE.fullmatch(e)]
    if dashed:
        raise UsageError(f"unknown option {safe(dashed[0])} (see 'photosearch search --help'); "
                         "query text that starts with '-' goes after '--': photosearch "
                         f"search [OPTIONS] -- {safe(dashed[0])} ...")
    text = " ".join([*args.query, *args.extra, *getattr(args, "after_dashes", [])])
    filters = _filters(args)
    if not text.strip() and not filters.active():
        args.search_parser.error("nothing to search for: give a query "
                                 "(or a filter such as --tag T, --person NAME, --text WORDS)")
    if args.min_score is not None and not -1.0 <= args.min_score <= 1.0:  # also nan, inf
        raise UsageError(f"--min-score {args.min_score!r} is not allowed; use a number "
                         "from -1 to 1 (a cosine similarity)")
    query = parse(text)
    lib = open_library(args)
    lib.one_shot_queries = True  # this process answers one query and exits
    if args.explain:
        return _explain(lib, query, filters, args)
    if query.terms and not _has_text(lib):  # filters alone browse: no model needed
        _require_index(lib)
    page = Searcher(lib).search(query, limit=args.limit, offset=args.offset,
                                filters=filters, min_score=args.min_score)
    _print(page, args.json)
    return 0


def _explain(lib, query, filters, args) -> int:
    from ..core.query_explain import describe, explain
    from ..core.search import STRONG_MARGIN

    info = explain(query, filters, min_score=args.min_score,
                   strong_match=lib.settings.strong_match, margin=STRONG_MARGIN)
    if args.json:
        print_json(json_safe(info))
    else:
        print(safe(describe(info)))
    return 0


def similar(args) -> int:
    from ..core.search import Searcher

    if not os.path.isfile(args.image):
        raise CliError(f"{safe(args.image)} is not a file")
    lib = open_library(args)
    lib.one_shot_queries = True
    _require_index(lib)
    page = Searcher(lib).similar(os.path.abspath(args.image), limit=args.limit,
                                 offset=args.offset, filters=_filters(args))
    _print(page, args.json)
    return 0


def _has_text(lib) -> bool:
    """Photos have recognised text: a query can find them without a picture model."""
    from ..core.text.store import TextStore

    return TextStore(lib.catalog).has_any()


def _require_index(lib) -> None:
    if not lib.catalog.has_embeddings(lib.model_id):
        raise CliError(f"nothing is indexed for model {lib.model_id} yet: "
                       "run 'photosearch index' first")


def _print(page, as_json: bool) -> None:
    for notice in page.notices:
        print(f"photosearch: note: {notice}", file=sys.stderr)
    if as_json:
        print_json(json_safe([r.to_json() for r in page.results]))
        return
    if not page.results:
        print("no results")
    weak_started = False
    for r in page.results:
        if not r.strong and not weak_started and r.score is not None:
            print("--- weaker matches ---")
            weak_started = True
        score = f"{r.score:6.3f}" if r.score is not None else "     -"
        date = r.to_json()["taken_at"] or ""
        print(f"{score}  {date[:10]:10}  {safe(r.path)}")
        if r.pair:  # one shot as RAW+JPEG: one item, both files
            print(f"                    {r.pair}: {' + '.join(safe(p) for p in r.files)}")
        if r.text_match:
            print(f"                    text: {' | '.join(r.text_match)}")
