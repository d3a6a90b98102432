"""core.label_preview: live scores for a label not saved yet match what applying gives."""

from __future__ import annotations

from photosearch.core.indexer import Indexer
from photosearch.core.label_preview import count_at, draft_scores
from photosearch.core.tagging import Tagger
from tests.conftest import make_image


def test_draft_count_matches_the_saved_label(fake_library, tmp_path):
    folder = tmp_path / "p"
    reds = [make_image(folder / f"r{i}.jpg", color=(220 - 10 * i, 30, 30)) for i in range(3)]
    for i in range(3):
        make_image(folder / f"g{i}.jpg", color=(30, 200 - 10 * i, 40))
    Indexer(fake_library).run([str(folder)])
    scores = draft_scores(fake_library, "reds", ["reds"], [str(reds[0])])
    assert len(scores) == 6 and ((0 <= scores) & (scores <= 1)).all()
    counts = [count_at(scores, t) for t in (0.0, 0.3, 0.5, 0.7, 1.01)]
    assert counts[0] == 6 and counts[-1] == 0 and counts == sorted(counts, reverse=True)
    assert (scores == 1.0).sum() >= 1  # the example photo will be a confirmed tag
    # a threshold between two scores (never on one): the slider's count is apply's count
    cuts = sorted(set(scores.tolist()))
    mids = [(a + b) / 2 for a, b in zip(cuts, cuts[1:]) if 0.02 <= (a + b) / 2 <= 0.98]
    threshold = mids[0] if mids else 0.5
    tagger = Tagger(fake_library)
    lab = tagger.store.add("reds", ["reds"], threshold=threshold)
    tagger.add_examples(lab, [str(reds[0])], True)
    tagger.apply(["reds"])
    tagged = tagger.store.tag_rows(tagger.store.get("reds"), ("auto", "confirmed"))
    assert len(tagged) == count_at(scores, threshold) >= 1
