"""`eval captions` reads the caption files people have (issue 14): the Flickr8k/30k token
file, Kaggle's CSVs (Flickr8k 'image,caption', Flickr30k 'image_name| comment_number|
comment'), COCO captions JSON and Karpathy split JSON, and says which it detected."""

from __future__ import annotations

import json

import pytest

from photosearch.core import evaluation

from ..conftest import make_image
from .test_eval import AXES, COLOURS, colour_embedder, unit

EXPECTED = [("a.jpg", "A dog runs , fast ."), ("a.jpg", "A brown dog"),
            ("b.jpg", "Two people, one boat")]


def _write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return str(p)


def test_flickr8k_token_file(tmp_path):
    f = _write(tmp_path, "Flickr8k.token.txt",
               "a.jpg#0\tA dog runs , fast .\na.jpg#1\tA brown dog\n"
               "b.jpg#0\tTwo people, one boat\n\n")
    got = evaluation.load_captions(f)
    assert got.format == "flickr-token" and got.rows == EXPECTED
    assert "image#n<TAB>caption" in got.format_name


def test_kaggle_flickr8k_csv_with_header_and_quotes(tmp_path):
    f = _write(tmp_path, "captions.txt", 'image,caption\na.jpg,A dog runs , fast .\n'
               'a.jpg,A brown dog\nb.jpg,"Two people, one boat"\n')
    got = evaluation.load_captions(f)
    assert got.format == "csv" and got.rows == EXPECTED


def test_kaggle_flickr30k_pipe_csv(tmp_path):
    f = _write(tmp_path, "results.csv", "image_name| comment_number| comment\n"
               "a.jpg| 0| A dog runs , fast .\na.jpg| 1| A brown dog\n"
               "b.jpg| 0| Two people, one boat\nbroken line\n")
    got = evaluation.load_captions(f)
    assert got.format == "pipe" and got.rows == EXPECTED


def test_coco_captions_json(tmp_path):
    data = {"info": {}, "images": [{"id": 7, "file_name": "a.jpg"},
                                   {"id": 9, "file_name": "b.jpg"}],
            "annotations": [{"id": 1, "image_id": 7, "caption": "A dog runs , fast ."},
                            {"id": 2, "image_id": 7, "caption": "A brown dog\n"},
                            {"id": 3, "image_id": 9, "caption": "Two people, one boat"},
                            {"id": 4, "image_id": 404, "caption": "no such image"}]}
    got = evaluation.load_captions(_write(tmp_path, "captions_val2017.json", json.dumps(data)))
    assert got.format == "coco" and got.rows == EXPECTED


def test_karpathy_split_json(tmp_path):
    data = {"dataset": "flickr8k", "images": [
        {"filename": "a.jpg", "sentences": [{"raw": "A dog runs , fast ."},
                                            {"raw": "A brown dog"}]},
        {"filename": "b.jpg", "sentences": [{"raw": "Two people, one boat"}]}]}
    got = evaluation.load_captions(_write(tmp_path, "dataset_flickr8k.json", json.dumps(data)))
    assert got.format == "karpathy" and got.rows == EXPECTED


@pytest.mark.parametrize("text, match", [
    ("{not json", "not valid JSON"),
    ('{"foo": 1}', "neither COCO"),
    ("image,caption\n", "no captions"),
    ("a.jpg#0\t\n", "no captions"),
])
def test_unreadable_caption_files_say_why(tmp_path, text, match):
    with pytest.raises(evaluation.EvalError, match=match):
        evaluation.load_captions(_write(tmp_path, "c.txt", text))


def test_the_report_names_the_detected_format(tmp_path):
    fe = colour_embedder()
    lines = []
    for name, col in COLOURS.items():
        make_image(tmp_path / "img" / f"{name}.png", col)
        fe.texts[f"a {name} thing"] = unit([*AXES[name], 0, 0, 0, 0, 0])
        lines.append(f"{name}.png#0\ta {name} thing")
    f = _write(tmp_path, "x.token", "\n".join(lines))
    rep = evaluation.evaluate_captions(fe, f, str(tmp_path / "img"))
    assert rep.source_format == "flickr-token" and rep.to_json()["format"] == "flickr-token"
    assert rep.metrics["text_to_image"]["R@1"] == 1.0
