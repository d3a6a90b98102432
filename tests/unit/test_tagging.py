"""Auto-tagging logic on deterministic embeddings (FakeEmbedder: image vector = mean colour).

Text vectors are set through FakeEmbedder.texts for every string the tagger encodes, so no
test depends on hashed random directions. Colours: red/green/blue images; the background
("generic photo") text points at grey, which every saturated colour is far from.
"""

from __future__ import annotations

import numpy as np
import pytest

from photosearch.core import prompts
from photosearch.core.indexer import Indexer
from photosearch.core.query import QueryError
from photosearch.core.search import Searcher
from photosearch.core.tagging import (
    LOGIT_SCALE,
    LabelStore,
    Tagger,
    TaggingConfig,
    TaggingError,
    pick_threshold,
    tag_new_photos,
    tagged_hashes,
)

from ..conftest import make_image, unit

RED, GREEN, BLUE = (230, 20, 20), (20, 200, 30), (20, 30, 220)
DIM = 8


def axis(*xs) -> np.ndarray:
    v = np.zeros(DIM, np.float32)
    v[:len(xs)] = xs
    return unit(v)


def say(fake, prompt: str, vec, templates=prompts.TEMPLATES) -> None:
    """Every templated form of `prompt` embeds to `vec` (through the default templates)."""
    for t in templates:
        fake.texts[t.format(prompt)] = unit(vec)
    fake.texts[prompt] = unit(vec)


@pytest.fixture
def fake(fake_library):
    fe = fake_library.embedder()
    for filler in prompts.BACKGROUND_FILLERS:
        say(fe, filler, axis(1, 1, 1))  # generic photo: grey
    say(fe, "red", axis(1, 0, 0))
    say(fe, "green", axis(0, 1, 0))
    say(fe, "blue", axis(0, 0, 1))
    say(fe, "colour", axis(1, 1, 1, 0, 0, 0, 0, 0.3))  # vague: no better than the background
    return fe


@pytest.fixture
def photos(tmp_path, fake_library, fake):
    """Three red, two green, two blue photos, indexed."""
    root = tmp_path / "photos"
    files = {}
    for name, col in [("r1", RED), ("r2", (200, 40, 30)), ("r3", (250, 10, 60)),
                      ("g1", GREEN), ("g2", (40, 220, 50)), ("b1", BLUE), ("b2", (30, 60, 250))]:
        files[name] = str(make_image(root / f"{name}.png", col))
    Indexer(fake_library).run([str(root)])
    hashes = {k: fake_library.catalog.hash_of(p) for k, p in files.items()}
    return files, hashes


def names(hashes: dict, got: set[str]) -> set[str]:
    back = {h: k for k, h in hashes.items()}
    return {back[h] for h in got}


# -- prompt ensembles ---------------------------------------------------------------------
def test_prompt_ensemble_is_the_renormalised_mean_over_templates(fake_library, fake):
    rng = np.random.default_rng(1)
    vecs = [unit(rng.normal(size=DIM)) for _ in prompts.TEMPLATES]
    for t, v in zip(prompts.TEMPLATES, vecs):
        fake.texts[t.format("dog")] = v
    tagger = Tagger(fake_library)
    got = tagger.ensemble("dog")
    want = np.mean(vecs, axis=0)
    assert np.allclose(got, want / np.linalg.norm(want), atol=1e-6)
    assert abs(np.linalg.norm(got) - 1) < 1e-6
    # without templates the prompt is used verbatim
    assert np.allclose(tagger.ensemble("red", use_templates=False), axis(1, 0, 0))


def test_several_prompts_average_their_ensembles(fake_library, fake):
    lab = LabelStore(fake_library.catalog).add("warm", prompts=["red", "green"])
    proto = Tagger(fake_library).text_prototype(lab)
    assert np.allclose(proto, unit(axis(1, 0, 0) + axis(0, 1, 0)), atol=1e-6)


# -- calibration --------------------------------------------------------------------------
def test_score_is_clip_softmax_of_the_label_against_the_background(fake_library, fake):
    cfg = TaggingConfig(templates=("{}",), background=("something", "a scene"))
    fake.texts["a scene"] = axis(0, 1, 1)
    lab = LabelStore(fake_library.catalog).add("red")
    tagger = Tagger(fake_library, cfg)
    x = axis(0.9, 0.45, 0.3)
    got = tagger.score(tagger.prototype(lab), x[None], ["h"])[0]
    logits = LOGIT_SCALE * np.array([x @ axis(1, 0, 0), x @ axis(1, 1, 1), x @ axis(0, 1, 1)])
    softmax = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert got == pytest.approx(softmax[0], rel=1e-4)


def test_calibrated_scores_are_comparable_where_raw_cosines_are_not(fake_library):
    """Label A matches its photo with a low raw cosine (0.30, background 0.20); label B has a
    higher raw cosine (0.40) on a photo that matches the background better (0.50). One raw
    cut-off cannot tag A's photo without also tagging B's; calibration gets both right."""
    fe = fake_library.embedder()
    x = axis(1, 0, 0)
    a = axis(0.30, np.sqrt(1 - 0.30 ** 2))
    b = axis(0.40, 0, np.sqrt(1 - 0.40 ** 2))
    bg_a, bg_b = axis(0.20, 0, 0, np.sqrt(1 - 0.04)), axis(0.50, 0, 0, 0, np.sqrt(1 - 0.25))
    fe.texts.update({"a": a, "b": b, "bga": bg_a, "bgb": bg_b})
    store = LabelStore(fake_library.catalog)
    la, lb = store.add("a"), store.add("b")
    ta = Tagger(fake_library, TaggingConfig(templates=("{}",), background=("bga",)))
    tb = Tagger(fake_library, TaggingConfig(templates=("{}",), background=("bgb",)))
    raw_a, raw_b = float(x @ a), float(x @ b)
    assert raw_a < raw_b  # raw cosine ranks them the wrong way round
    sa = ta.score(ta.prototype(la), x[None], ["h"])[0]
    sb = tb.score(tb.prototype(lb), x[None], ["h"])[0]
    assert sa > 0.5 > sb


def test_a_label_scores_the_same_whatever_other_labels_exist(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    red = store.add("red")
    before = Tagger(fake_library).scores_for(red, list(hashes.values()))
    store.add("green")
    store.add("blue")
    Tagger(fake_library).apply()
    after = Tagger(fake_library).scores_for(store.get("red"), list(hashes.values()))
    assert before == pytest.approx(after)
    assert names(hashes, tagged_hashes(fake_library.catalog, ["red"])) == {"r1", "r2", "r3"}


# -- applying, thresholds, retroactive (un)tagging ------------------------------------------
def test_apply_tags_matching_photos_and_search_filters_by_tag(fake_library, fake, photos):
    files, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("red")
    store.add("blue")
    seen = []
    reports = Tagger(fake_library).apply(progress=seen.append)
    assert {r.label: r.tagged for r in reports} == {"red": 3, "blue": 2}
    assert seen[-1].phase == "done" and seen[-1].done == seen[-1].total == 7
    cat = fake_library.catalog
    assert names(hashes, tagged_hashes(cat, ["red"])) == {"r1", "r2", "r3"}
    assert tagged_hashes(cat, ["red", "blue"]) == set()
    assert names(hashes, tagged_hashes(cat, ["BLUE"])) == {"b1", "b2"}  # case-insensitive
    with pytest.raises(QueryError, match="no label named 'cats'"):
        tagged_hashes(cat, ["cats"])
    s = Searcher(fake_library)
    got = {r.path for r in s.search("green tag:red", limit=50).results}
    assert got == {files["r1"], files["r2"], files["r3"]}
    got = {r.path for r in s.search("tag:blue", limit=50).results}  # browse by tag
    assert got == {files["b1"], files["b2"]}


def test_threshold_decides_and_changing_it_retags(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    lab = store.add("red")
    tagger = Tagger(fake_library)
    scores = tagger.scores_for(lab, list(hashes.values()))
    tagger.apply()
    tagged = tagged_hashes(fake_library.catalog, ["red"])
    assert tagged == {h for h, s in scores.items() if s >= 0.5}
    # a threshold between two red photos' scores untags the lower one on apply
    reds = sorted((scores[hashes[k]], k) for k in ("r1", "r2", "r3"))
    cut = (reds[0][0] + reds[1][0]) / 2
    assert 0 < cut < 1 and reds[0][0] < cut
    store.update(lab, threshold=cut, threshold_user=True)
    assert store.get("red").needs_apply(fake_library.model_id)
    tagger.apply(["red"])
    assert names(hashes, tagged_hashes(fake_library.catalog, ["red"])) == \
        {k for _, k in reds[1:]}
    assert not store.get("red").needs_apply(fake_library.model_id)


def test_changing_the_definition_retags_retroactively(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("mine", prompts=["red"])
    tagger = Tagger(fake_library)
    tagger.apply()
    assert names(hashes, tagged_hashes(fake_library.catalog, ["mine"])) == {"r1", "r2", "r3"}
    store.update(store.get("mine"), prompts=["blue"])  # "mine" now means blue
    [report] = tagger.apply(["mine"])
    assert names(hashes, tagged_hashes(fake_library.catalog, ["mine"])) == {"b1", "b2"}
    assert (report.added, report.removed, report.tagged) == (2, 3, 2)


def test_confirmed_tags_survive_a_definition_change(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("mine", prompts=["red"])
    tagger = Tagger(fake_library)
    tagger.apply()
    tagger.review("mine", [hashes["r1"]], accept=True)
    store.update(store.get("mine"), prompts=["blue"], threshold=0.7)
    tagger.apply(["mine"])
    got = names(hashes, tagged_hashes(fake_library.catalog, ["mine"]))
    assert "r1" in got and not {"r2", "r3"} & got
    assert store.tag_rows(store.get("mine"))[hashes["r1"]][1] == "confirmed"


def test_review_decisions_win_over_the_model_and_persist(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("red")
    tagger = Tagger(fake_library)
    tagger.apply()
    tagger.review("red", [hashes["r2"]], accept=False)  # the model says red; the user says no
    tagger.review("red", [hashes["g1"]], accept=True)  # the model says no; the user says yes
    for _ in range(2):
        Tagger(fake_library).apply()
        got = names(hashes, tagged_hashes(fake_library.catalog, ["red"]))
        assert "r2" not in got and "g1" in got
    # new photos of an existing hash are not re-tagged against the decision either
    tag_new_photos(fake_library, [hashes["r2"]])
    assert "r2" not in names(hashes, tagged_hashes(fake_library.catalog, ["red"]))
    # clearing the decision hands the photo back to the model
    tagger.clear_decisions("red", [hashes["r2"], hashes["g1"]])
    assert LabelStore(fake_library.catalog).get("red").examples == []
    tagger.apply()
    got = names(hashes, tagged_hashes(fake_library.catalog, ["red"]))
    assert "r2" in got and "g1" not in got


def test_review_decisions_become_examples_and_tune_the_threshold(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("warm", prompts=["colour"])  # text alone cannot tell colours apart
    tagger = Tagger(fake_library)
    tagger.review("warm", [hashes["r1"], hashes["r2"]], accept=True)
    lab = tagger.review("warm", [hashes["b1"], hashes["g1"]], accept=False)
    assert {(e.hash, e.positive, e.origin) for e in lab.examples} == {
        (hashes["r1"], True, "review"), (hashes["r2"], True, "review"),
        (hashes["b1"], False, "review"), (hashes["g1"], False, "review")}
    # tuned threshold separates confirmed from rejected under leave-one-out scores
    scores = tagger.scores_for(lab, [hashes[k] for k in ("r1", "r2", "b1", "g1")])
    assert max(scores[hashes["b1"]], scores[hashes["g1"]]) < lab.threshold \
        <= min(scores[hashes["r1"]], scores[hashes["r2"]])
    assert not lab.threshold_user
    tagger.apply()
    # the unreviewed red photo r3 now follows the examples; unreviewed g2 and b2 do not
    got = names(hashes, tagged_hashes(fake_library.catalog, ["warm"]))
    assert got == {"r1", "r2", "r3"}


def test_a_user_threshold_is_never_tuned(fake_library, fake, photos):
    _, hashes = photos
    LabelStore(fake_library.catalog).add("red", threshold=0.9)
    tagger = Tagger(fake_library)
    tagger.review("red", [hashes["r1"]], accept=True)
    lab = tagger.review("red", [hashes["b1"]], accept=False)
    assert lab.threshold == 0.9 and lab.threshold_user


def test_pick_threshold_balances_accuracy():
    assert pick_threshold(np.array([0.8, 0.9]), np.array([0.1, 0.3]), 0.5) == \
        pytest.approx(0.55)
    # overlap: the cut with the best balanced accuracy wins
    t = pick_threshold(np.array([0.4, 0.7, 0.8]), np.array([0.2, 0.5]), 0.5)
    assert t == pytest.approx(0.6)
    # clamped to a usable range
    assert pick_threshold(np.array([0.999]), np.array([0.998]), 0.5) <= 0.98


# -- example photos -------------------------------------------------------------------------
def test_positive_examples_give_a_label_a_meaning_words_cannot(fake_library, fake, photos,
                                                                tmp_path):
    files, hashes = photos
    store = LabelStore(fake_library.catalog)
    lab = store.add("thing", prompts=["colour"])
    tagger = Tagger(fake_library)
    tagger.apply()
    assert tagged_hashes(fake_library.catalog, ["thing"]) == set()  # text alone: nothing
    outside = make_image(tmp_path / "elsewhere" / "green.png", (30, 210, 40))
    lab = tagger.add_examples(lab, [str(outside)], positive=True)
    assert lab.examples[0].vector is not None  # embedded, since it is not in the library
    tagger.apply()
    assert names(hashes, tagged_hashes(fake_library.catalog, ["thing"])) == {"g1", "g2"}


def test_negative_examples_remove_lookalikes_and_only_lower_scores(fake_library, fake, photos):
    files, hashes = photos
    store = LabelStore(fake_library.catalog)
    lab = store.add("red")
    tagger = Tagger(fake_library)
    before = tagger.scores_for(lab, list(hashes.values()))
    lab = tagger.add_examples(lab, [files["r3"]], positive=False)
    after = tagger.scores_for(lab, list(hashes.values()))
    assert all(after[h] <= before[h] + 1e-6 for h in before)
    tagger.apply()
    got = names(hashes, tagged_hashes(fake_library.catalog, ["red"]))
    assert "r3" not in got  # a library example is also a rejection
    assert store.tag_rows(lab)[hashes["r3"]][1] == "rejected"


def test_a_photo_is_never_its_own_example(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    lab = store.add("thing", prompts=["colour"])
    tagger = Tagger(fake_library)
    lab = tagger.add_examples(lab, [photos[0]["g1"]], positive=True)
    s = tagger.scores_for(lab, [hashes["g1"], hashes["g2"]])
    proto = tagger.prototype(lab)
    vec = fake_library.catalog.embedding(hashes["g1"], fake_library.model_id)
    # scored with the self-match masked: as if there were no positive examples at all
    alone = tagger.score(proto, vec[None], [hashes["g1"]])[0]
    assert s[hashes["g1"]] == pytest.approx(alone, rel=1e-4) and alone < 0.5
    assert s[hashes["g2"]] > 0.5


# -- automatic tagging of new photos ---------------------------------------------------------
def test_new_photos_are_tagged_as_they_are_indexed(fake_library, fake, tmp_path):
    LabelStore(fake_library.catalog).add("blue")
    root = tmp_path / "new"
    make_image(root / "sea.png", BLUE)
    make_image(root / "fire.png", RED)
    Indexer(fake_library).run([str(root)])
    got = tagged_hashes(fake_library.catalog, ["blue"])
    assert got == {fake_library.catalog.hash_of(str(root / "sea.png"))}


def test_tag_new_photos_costs_nothing_without_labels(fake_library, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the model must not be touched when there are no labels")

    monkeypatch.setattr(fake_library, "embedder", boom)
    assert tag_new_photos(fake_library, ["abc"], np.ones((1, DIM), np.float32)) == 0


# -- views, store -----------------------------------------------------------------------------
def test_label_views_split_confident_borderline_and_rejected(fake_library, fake, photos):
    _, hashes = photos
    store = LabelStore(fake_library.catalog)
    store.add("red")
    tagger = Tagger(fake_library)
    tagger.review("red", [hashes["r1"]], accept=True)
    tagger.review("red", [hashes["g1"]], accept=False)
    tagger.apply()
    v = tagger.views("red")
    side = lambda rows: names(hashes, {h for h, _, _ in rows})  # noqa: E731
    assert side(v.confident) == {"r1", "r2", "r3"}
    assert side(v.rejected) == {"g1"}
    assert [src for h, _, src in v.confident if h == hashes["r1"]] == ["confirmed"]
    assert side(v.borderline) == set()  # every other score is far from 0.5
    # with the threshold moved next to the undecided photos' scores, they become borderline
    store.update(store.get("red"), threshold=0.1, threshold_user=True)
    v = tagger.views("red")
    assert side(v.borderline) == {"g2", "b1", "b2"}
    assert side(v.confident) == {"r1", "r2", "r3"} and side(v.rejected) == {"g1"}


def test_label_names_and_thresholds_are_validated(fake_library):
    store = LabelStore(fake_library.catalog)
    store.add("my-red-bike")
    assert store.get("my-red-bike").prompts == ["my red bike"]
    with pytest.raises(TaggingError, match="already exists"):
        store.add("MY-RED-BIKE")
    with pytest.raises(TaggingError, match="single words"):
        store.add("red bike")
    with pytest.raises(TaggingError, match="out of range"):
        store.add("x", threshold=1.5)
    with pytest.raises(TaggingError, match="no label named"):
        store.get("nope")
    store.remove(store.get("my-red-bike"))
    assert store.all() == []


# -- caches: a CLI call or an indexing batch must not redo expensive work -----------------------
def test_text_ensembles_are_stored_so_a_new_session_does_not_re_encode(fake_library, fake,
                                                                      monkeypatch):
    lab = LabelStore(fake_library.catalog).add("red")
    first = Tagger(fake_library).text_prototype(lab)
    fake.texts["a photo of red."] = axis(0, 1, 0)  # would change the ensemble if re-encoded

    def no_model(texts):
        raise AssertionError(f"re-encoded {texts[:2]}")

    monkeypatch.setattr(fake, "encode_text", no_model)
    import photosearch.core.tagging as tagging_mod

    tagging_mod._text_cache.clear()  # as in a new process
    assert np.allclose(Tagger(fake_library).text_prototype(lab), first)
    # a different model id is a different cache entry
    monkeypatch.setattr(fake_library.settings, "pretrained", "other")
    with pytest.raises(AssertionError, match="re-encoded"):
        Tagger(fake_library).text_prototype(lab)


def test_batch_tagging_with_examples_reuses_the_stored_mean_image(fake_library, fake, photos,
                                                                  monkeypatch, tmp_path):
    files, hashes = photos
    store = LabelStore(fake_library.catalog)
    tagger = Tagger(fake_library)
    tagger.add_examples(store.add("thing", prompts=["colour"]), [files["g1"]], positive=True)
    tagger.apply()  # computes and stores the library's mean image

    def no_scan(*a, **k):
        raise AssertionError("per-batch tagging must not scan every embedding")

    monkeypatch.setattr(fake_library.catalog, "iter_embeddings", no_scan)
    make_image(tmp_path / "more" / "g3.png", (35, 215, 45))
    Indexer(fake_library).run([str(tmp_path / "more")])
    h = fake_library.catalog.hash_of(str(tmp_path / "more" / "g3.png"))
    assert h in tagged_hashes(fake_library.catalog, ["thing"])


def test_apply_commits_chunk_by_chunk_and_an_interrupted_apply_runs_again(
        fake_library, fake, photos, monkeypatch):
    import threading

    import photosearch.core.tagging as tagging_mod

    _, hashes = photos
    monkeypatch.setattr(tagging_mod, "APPLY_CHUNK", 2)  # 7 photos: 4 chunks
    store = LabelStore(fake_library.catalog)
    store.add("red")
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p.done)
        if p.done >= 4:
            cancel.set()

    with pytest.raises(TaggingError, match="cancelled"):
        Tagger(fake_library).apply(progress=progress, cancel=cancel)
    assert store.get("red").needs_apply(fake_library.model_id)  # not marked applied
    [report] = Tagger(fake_library).apply(progress=lambda p: seen.append(p.done))
    assert seen[-1] == 7 and report.scored == 7 and report.tagged == 3
    assert names(hashes, tagged_hashes(fake_library.catalog, ["red"])) == {"r1", "r2", "r3"}
    assert not store.get("red").needs_apply(fake_library.model_id)


def test_prefetch_encodes_all_missing_texts_in_one_call(fake_library, fake, monkeypatch):
    store = LabelStore(fake_library.catalog)
    labels = [store.add("red"), store.add("blue"), store.add("raw", prompts=["green"],
                                                                use_templates=False)]
    calls = []
    real = fake.encode_text
    monkeypatch.setattr(fake, "encode_text", lambda texts: calls.append(len(texts)) or real(texts))
    tagger = Tagger(fake_library)
    tagger.prefetch(labels)
    n_t, n_bg = len(prompts.TEMPLATES), len(prompts.BACKGROUND_FILLERS)
    assert calls == [n_t * (n_bg + 2) + (n_bg + 1)]  # templated + verbatim variants, once
    [tagger.prototype(lab) for lab in labels]
    assert len(calls) == 1  # everything came from the batch
    tagger.prefetch(labels)
    assert len(calls) == 1  # stored ensembles are not encoded again
