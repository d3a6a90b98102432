"""eval captions / eval folders: measure the model's retrieval and zero-shot quality."""

from __future__ import annotations

import os
import sys

from . import CliError, open_library
from .output import json_safe, print_json, safe

RANDOM_NOTE = ("NOTE: this model has RANDOM weights (--pretrained none): the numbers below are "
               "chance level by construction. They test the harness, not the model; run with "
               "real weights to measure quality.")


def register(sub) -> None:
    p = sub.add_parser("eval", help="measure search and zero-shot quality of the model")
    esub = p.add_subparsers(dest="eval_cmd", metavar="KIND", required=True)
    c = esub.add_parser("captions", help="text->image and image->text Recall@1/5/10 on a "
                                         "captions file: 'image,caption' CSV, Flickr8k/30k "
                                         "'image#n<TAB>caption' token file, Flickr30k "
                                         "'image_name| comment_number| comment', COCO "
                                         "captions or Karpathy split JSON (detected)")
    c.add_argument("file", metavar="FILE")
    c.add_argument("images", metavar="IMAGES_DIR")
    c.add_argument("--limit", type=int, help="only the first N images of the file")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=eval_captions)
    f = esub.add_parser("folders", help="zero-shot top-1/top-5 accuracy, each sub-folder a "
                                        "class, with and without the template ensemble")
    f.add_argument("dir", metavar="DIR")
    f.add_argument("--limit", type=int, help="at most N images per class")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=eval_folders)


def _embedder(args):
    return open_library(args).embedder()


class _Progress:
    """'embedding images: n/total' on stderr when it is a terminal."""

    def __init__(self):
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.tty and (done == total or done % 50 == 0):
            print(f"\rembedding images: {done}/{total}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)


def eval_captions(args) -> int:
    from ..core import evaluation

    for path, what in ((args.file, "file"), (args.images, "folder")):
        if not (os.path.isfile(path) if what == "file" else os.path.isdir(path)):
            raise CliError(f"{safe(path)} is not a {what}")
    try:
        report = evaluation.evaluate_captions(_embedder(args), args.file, args.images,
                                              args.limit, _Progress())
    except evaluation.EvalError as exc:
        raise CliError(str(exc)) from exc
    return _print(report, args.json)


def eval_folders(args) -> int:
    from ..core import evaluation

    if not os.path.isdir(args.dir):
        raise CliError(f"{safe(args.dir)} is not a folder")
    try:
        report = evaluation.evaluate_folders(_embedder(args), args.dir, args.limit, _Progress())
    except evaluation.EvalError as exc:
        raise CliError(str(exc)) from exc
    return _print(report, args.json)


def _print(report, as_json: bool) -> int:
    if as_json:
        data = report.to_json()
        if report.random_weights:
            data["note"] = RANDOM_NOTE
        print_json(json_safe(data))
        return 0
    if report.random_weights:
        print(RANDOM_NOTE)
    if report.source_format:
        from ..core.evaluation import CAPTION_FORMATS

        print(f"captions read as {CAPTION_FORMATS[report.source_format]}")
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
    print(f"model {report.model_id}: {counts}")
    chance = next(iter(report.chance.values())) if report.kind == "folders" else None
    for task, values in report.metrics.items():
        ref = chance or report.chance[task]
        cells = "  ".join(f"{k} {v * 100:5.1f}% (chance {ref[k] * 100:4.1f}%)"
                          for k, v in values.items())
        print(f"{task.replace('_', ' '):20} {cells}")
    for path, reason in report.skipped:
        print(f"photosearch: warning: skipped {safe(path)}: {reason}", file=sys.stderr)
    return 0
