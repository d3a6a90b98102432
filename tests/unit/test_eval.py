"""The evaluation harness computes Recall@K and zero-shot accuracy correctly: constructed
cases with known answers, and a perfect deterministic 'model' (FakeEmbedder)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from photosearch.core import evaluation, prompts

from ..conftest import FakeEmbedder, make_image, unit


def test_recall_at_k_on_a_constructed_case():
    # 4 queries x 5 items; the relevant item of each query sits at a known rank
    sim = np.array([
        [0.9, 0.1, 0.2, 0.3, 0.4],  # relevant 0 at rank 1
        [0.5, 0.1, 0.9, 0.8, 0.7],  # relevant 1 at rank 5
        [0.1, 0.2, 0.3, 0.9, 0.4],  # relevant 4 at rank 2
        [0.3, 0.9, 0.8, 0.1, 0.2],  # relevant {2, 3}: 2 at rank 2
    ])
    relevant = [{0}, {1}, {4}, {2, 3}]
    r = evaluation.recall_at_k(sim, relevant, ks=(1, 2, 4, 5))
    assert r == {1: 0.25, 2: 0.75, 4: 0.75, 5: 1.0}


def test_recall_breaks_ties_deterministically_and_checks_shapes():
    sim = np.zeros((2, 3))
    assert evaluation.recall_at_k(sim, [{0}, {2}], ks=(1,)) == {1: 0.5}  # index order
    with pytest.raises(ValueError):
        evaluation.recall_at_k(sim, [{0}], ks=(1,))


def test_chance_recall_matches_the_combinatorics():
    assert evaluation.chance_recall(100, 1, 10) == pytest.approx(0.1)
    # 5 relevant of 20: P(at least one in top 3) = 1 - C(15,3)/C(20,3)
    assert evaluation.chance_recall(20, 5, 3) == pytest.approx(1 - math.comb(15, 3) /
                                                              math.comb(20, 3))
    assert evaluation.chance_recall(3, 1, 5) == 1.0


def test_read_captions_handles_header_commas_and_quotes(tmp_path):
    f = tmp_path / "captions.txt"
    f.write_text('image,caption\na.jpg,A dog , running .\nb.jpg,"A cat, sleeping"\n\n'
                 'c.jpg,\n', "utf-8")
    assert evaluation.read_captions(str(f)) == [("a.jpg", "A dog , running ."),
                                                ("b.jpg", "A cat, sleeping")]
    (tmp_path / "empty.txt").write_text("image,caption\n", "utf-8")
    with pytest.raises(evaluation.EvalError):
        evaluation.read_captions(str(tmp_path / "empty.txt"))


COLOURS = {"red": (230, 20, 20), "green": (20, 210, 30), "blue": (20, 30, 230)}
AXES = {"red": [1, 0, 0], "green": [0, 1, 0], "blue": [0, 0, 1]}


def colour_embedder() -> FakeEmbedder:
    fe = FakeEmbedder()
    for name, ax in AXES.items():
        for t in (*prompts.TEMPLATES, prompts.SINGLE_TEMPLATE):
            fe.texts[t.format(name)] = unit([*ax, 0, 0, 0, 0, 0])
    return fe


def test_caption_eval_of_a_perfect_model_is_perfect(tmp_path):
    fe = colour_embedder()
    lines = ["image,caption"]
    for name, col in COLOURS.items():
        make_image(tmp_path / "img" / f"{name}.png", col)
        for i in range(2):
            cap = f"a {name} picture number {i}"
            fe.texts[cap] = unit([*AXES[name], 0, 0, 0, 0, 0])
            lines.append(f"{name}.png,{cap}")
    lines.append("missing.png,never seen")
    (tmp_path / "caps.txt").write_text("\n".join(lines) + "\n", "utf-8")
    rep = evaluation.evaluate_captions(fe, str(tmp_path / "caps.txt"), str(tmp_path / "img"))
    assert rep.counts == {"images": 3, "captions": 6}
    assert rep.metrics["text_to_image"] == {"R@1": 1.0, "R@5": 1.0, "R@10": 1.0}
    assert rep.metrics["image_to_text"]["R@1"] == 1.0
    assert rep.chance["text_to_image"]["R@1"] == pytest.approx(1 / 3)
    assert [p.endswith("missing.png") for p, _ in rep.skipped] == [True]


def test_caption_eval_of_a_swapped_model_scores_zero(tmp_path):
    fe = colour_embedder()
    (tmp_path / "img").mkdir()
    make_image(tmp_path / "img" / "r.png", COLOURS["red"])
    make_image(tmp_path / "img" / "g.png", COLOURS["green"])
    fe.texts["cap r"] = unit([0, 1, 0, 0, 0, 0, 0, 0])  # describes r but embeds as green
    fe.texts["cap g"] = unit([1, 0, 0, 0, 0, 0, 0, 0])
    (tmp_path / "c.txt").write_text("r.png,cap r\ng.png,cap g\n", "utf-8")
    rep = evaluation.evaluate_captions(fe, str(tmp_path / "c.txt"), str(tmp_path / "img"))
    assert rep.metrics["text_to_image"]["R@1"] == 0.0
    assert rep.metrics["text_to_image"]["R@5"] == 1.0  # only two images


def test_folder_eval_reports_each_prompt_variant(tmp_path):
    fe = colour_embedder()
    # bare class names point the wrong way: only templated prompts are right
    fe.texts.update({"red": unit([0, 1, 0, 0, 0, 0, 0, 0]), "green": unit([0, 0, 1, 0, 0, 0, 0, 0]),
                     "blue": unit([1, 0, 0, 0, 0, 0, 0, 0])})
    # (the ensemble's own "{}" member now points the wrong way too, and is outvoted)
    for name, col in COLOURS.items():
        for i in range(2):
            make_image(tmp_path / name / f"{i}.png", col)
    (tmp_path / "empty").mkdir()
    rep = evaluation.evaluate_folders(fe, str(tmp_path))
    assert rep.counts["classes"] == 3 and rep.counts["images"] == 6
    assert rep.metrics["class_name_only"]["top1"] == 0.0
    assert rep.metrics["single_template"]["top1"] == 1.0
    assert rep.metrics["template_ensemble"]["top1"] == 1.0
    assert rep.chance["any"]["top1"] == pytest.approx(1 / 3)


def test_folder_eval_needs_two_classes(tmp_path):
    make_image(tmp_path / "only" / "a.png")
    with pytest.raises(evaluation.EvalError, match="at least two"):
        evaluation.evaluate_folders(FakeEmbedder(), str(tmp_path))
