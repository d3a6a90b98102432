"""Text in photos without the OCR model: normalisation, storage, FTS search, filters, fusion.

Text lines are written straight into the store; CLIP rankings come from FakeEmbedder's
colour embeddings, so the fused order is known in advance."""

from __future__ import annotations

import pytest

from photosearch.core.query import QueryError, parse
from photosearch.core.text import normalize
from photosearch.core.text.fusion import rrf
from photosearch.core.text.settings import TextSettings, describe_estimate
from photosearch.core.text.store import TextLine, TextStore
from tests.conftest import FakeEmbedder, make_image, unit

BOX = ((1.0, 2.0), (30.0, 2.0), (30.0, 12.0), (1.0, 12.0))


def _line(text: str, score: float = 0.9) -> TextLine:
    return TextLine(text, score, BOX)


# -- normalisation ----------------------------------------------------------------------
def test_fold_lowercases_and_removes_accents():
    assert normalize.fold("  Crème   BRÛLÉE ") == "creme brulee"
    assert normalize.fold("Straße ÆON") == "strasse æon"  # casefold, not lower
    assert normalize.compact("Booking  Code\tXK42") == "bookingcodexk42"


def test_fragment_filter_drops_short_and_unsure_lines():
    assert not normalize.keep_line("ae", 0.99)
    assert not normalize.keep_line("1 1", 0.99)  # spaces do not count
    assert not normalize.keep_line("-.-:", 0.99)
    assert normalize.keep_line("EXIT", 0.9)
    assert not normalize.keep_line("EXIT", 0.3)
    assert normalize.keep_line("BAR", 0.9, min_chars=3)


# -- query syntax -----------------------------------------------------------------------
def test_text_filters_in_query_syntax():
    q = parse('text:"booking code" dog -text:draft has:text')
    assert [t.value for t in q.terms] == ["dog"]
    assert q.filters.text == ["booking code"] and q.filters.not_text == ["draft"]
    assert q.filters.has_text is True
    assert parse("-has:text").filters.has_text is False
    q = parse('2:"sunset" -"people"')  # weights and negatives unchanged
    assert [(t.value, t.weight) for t in q.terms] == [("sunset", 2.0), ("people", -1.0)]
    with pytest.raises(QueryError):
        parse("has:faces")


# -- store ------------------------------------------------------------------------------
@pytest.fixture
def photos(fake_library, tmp_path):
    """Three photos (red, green, blue) with text written into the store by hand."""
    lib = fake_library
    hashes = {}
    for name, color in (("red.png", (220, 20, 20)), ("green.png", (20, 220, 20)),
                        ("blue.png", (20, 20, 220))):
        make_image(tmp_path / "photos" / name, color=color)
    from photosearch.core.indexer import Indexer

    Indexer(lib).run([str(tmp_path / "photos")])
    for name in ("red", "green", "blue"):
        hashes[name] = lib.catalog.hash_of(str(tmp_path / "photos" / f"{name}.png"))
    store = TextStore(lib.catalog)
    store.save(hashes["red"], "eng-1", [_line("BOOKING CODEXK42"), _line("Gate 12")])
    store.save(hashes["green"], "eng-1", [_line("Crème Brûlée", 0.8)])
    store.save(hashes["blue"], "eng-1", [])  # read, no text
    return lib, hashes


def test_store_round_trip_and_records(photos):
    lib, h = photos
    store = TextStore(lib.catalog)
    assert [ln.text for ln in store.lines(h["red"])] == ["BOOKING CODEXK42", "Gate 12"]
    assert store.lines(h["red"])[0].box == BOX
    rec = store.record(h["blue"])
    assert rec is not None and rec.lines == 0 and rec.engine == "eng-1"
    assert store.pending("eng-1") == []
    assert set(store.pending("eng-2")) == set(h.values())  # a new engine reads all again
    c = store.counts()
    assert (c["read"], c["with_text"], c["lines"]) == (3, 2, 3)


def test_fts_search_ignores_case_accents_spaces_and_finds_glued_words(photos):
    lib, h = photos
    store = TextStore(lib.catalog)
    hit = lambda q: [m.hash for m in store.search(q)]  # noqa: E731
    assert hit("booking code") == [h["red"]]  # "CODEXK42": glued to its neighbour
    assert hit("xk42") == [h["red"]]
    assert hit("codexk") == [h["red"]]
    assert hit("creme brulee") == [h["green"]]
    assert hit("BRÛLÉE") == [h["green"]]
    assert hit("12") == [h["red"]]  # under 3 characters: LIKE
    assert hit("zebra") == []
    assert hit('"') == [] and hit("   ") == []
    assert store.search("gate")[0].lines == ["Gate 12"]


def test_saving_again_replaces_lines_and_index(photos):
    lib, h = photos
    store = TextStore(lib.catalog)
    store.save(h["red"], "eng-2", [_line("Harbour")])
    assert [m.hash for m in store.search("booking")] == []
    assert [m.hash for m in store.search("harbour")] == [h["red"]]
    assert lib.catalog.conn.execute("SELECT COUNT(*) FROM text_fts").fetchone()[0] == 2


def test_forget_all_and_some(photos):
    lib, h = photos
    store = TextStore(lib.catalog)
    assert store.forget([h["green"]]) == 1
    assert store.search("brulee") == [] and store.record(h["green"]) is None
    assert store.forget() == 2
    assert not store.has_any() and store.counts()["read"] == 0
    assert lib.catalog.conn.execute("SELECT COUNT(*) FROM text_fts").fetchone()[0] == 0


def test_photos_without_a_file_are_not_found(photos, tmp_path):
    lib, h = photos
    from photosearch.core.indexer import Indexer

    (tmp_path / "photos" / "red.png").unlink()
    Indexer(lib).run()
    assert [m.hash for m in TextStore(lib.catalog).search("booking")] == []


# -- filters (browse and vector search) -------------------------------------------------
def test_text_filters_in_browse_and_search(photos):
    from photosearch.core.search import Searcher

    lib, h = photos
    s = Searcher(lib)
    hashes = lambda page: {r.hash for r in page.results}  # noqa: E731
    assert hashes(s.search('text:"booking code"')) == {h["red"]}
    assert hashes(s.search("has:text")) == {h["red"], h["green"]}
    assert hashes(s.search("-has:text")) == {h["blue"]}
    assert hashes(s.search("-text:brulee")) == {h["red"], h["blue"]}
    # with a picture query the filters restrict the kNN candidates
    assert hashes(s.search('"red" text:gate')) == {h["red"]}
    assert hashes(s.search('"red" -text:gate')) == {h["green"], h["blue"]}


def test_near_allows_one_edit_in_a_word_of_the_line():
    assert normalize.near("cuisine", "greek cuisin")  # last letter lost
    assert normalize.near("london", "x londoa y")  # one letter misread
    assert normalize.near("active", "activ") and normalize.near("active", "actxive")
    assert normalize.near("bookingcode", "booking code")  # exact: spaces ignored
    assert not normalize.near("eating", "appealing for witnesses")  # inside a long word
    assert not normalize.near("cuisine", "greekcuisin")  # glued: one word of 11 letters
    assert not normalize.near("cuisine", "cousin")  # two edits
    assert not normalize.near("london", "londres")


def test_fuzzy_text_search_finds_a_misread_word_but_not_other_words(photos):
    """`text:` and plain queries of >= 6 characters find a line with a word one edit away (CUISIN
    for cuisine, LONDOA for london); shorter queries and two edits stay exact."""
    from photosearch.core.search import Searcher

    lib, h = photos
    store = TextStore(lib.catalog)
    store.save(h["blue"], "eng-1", [_line("GREEK"), _line("CUISIN"), _line("PRIDE")])
    store.save(h["green"], "eng-1", [_line("LONDOA 2012")])
    hit = lambda q: [m.hash for m in store.search(q)]  # noqa: E731
    assert hit("cuisine") == [h["blue"]]
    assert hit("Cuisine") == [h["blue"]]
    assert hit("london") == [h["green"]]
    assert store.search("london")[0].lines == ["LONDOA 2012"]
    assert hit("rides") == []  # 5 letters: exact only (PRIDE is one edit away)
    assert hit("cousins") == [] and hit("boarding") == []  # two edits or more
    assert hit("gardens") == [] and hit("londons") == []  # LONDOA2012: two edits away
    s = Searcher(lib)
    assert {r.hash for r in s.search("text:cuisine").results} == {h["blue"]}
    assert {r.hash for r in s.search("-text:cuisine").results} == {h["red"], h["green"]}
    page = s.search("cuisine")  # plain query: fused, the misread line is the match shown
    assert page.results[0].hash == h["blue"] and page.results[0].text_match == ["CUISIN"]


# -- fusion -----------------------------------------------------------------------------
def test_rrf_order():
    fused = rrf([["a", "b", "c"], ["c", "d", "a"]])
    order = [x for x, _ in fused]
    # a: 1/61 + 1/63, c: 1/63 + 1/61 (tie: first ranking's item first), b: 1/62, d: 1/62
    assert order == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)
    assert [x for x, _ in rrf([["x"], ["y"]], weights=[1.0, 2.0])] == ["y", "x"]


def test_plain_query_fuses_pictures_and_text(fake_library, tmp_path):
    """'blue' looks most like the blue photo (CLIP), but the word BLUE is written in the
    red one: both come first (text ranking first on the tie), then the rest by CLIP."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.search import Searcher

    lib = fake_library
    lib._embedder = FakeEmbedder(texts={"blue": unit([0, 0, 1, 0.05, 0, 0, 0, 0])})
    colors = {"red": (220, 20, 20), "green": (20, 220, 20), "blue": (20, 20, 220),
              "navy": (20, 20, 120)}
    for name, color in colors.items():
        make_image(tmp_path / "photos" / f"{name}.png", color=color)
    Indexer(lib).run([str(tmp_path / "photos")])
    h = {n: lib.catalog.hash_of(str(tmp_path / "photos" / f"{n}.png")) for n in colors}
    store = TextStore(lib.catalog)
    store.save(h["red"], "e", [_line("BLUE MOON CAFE")])
    page = Searcher(lib).search("blue", limit=4)
    order = [r.hash for r in page.results]
    clip_only = [r.hash for r in Searcher(lib).search('"blue" -has:text', limit=3).results]
    assert clip_only[0] == h["blue"]  # the picture ranking alone
    assert order[:2] == [h["red"], h["blue"]]
    assert set(order[2:]) == {h["navy"], h["green"]}
    assert order.index(h["navy"]) < order.index(h["green"])  # CLIP order kept below
    red = page.results[0]
    assert red.text_match == ["BLUE MOON CAFE"] and red.strong
    assert red.to_json()["text_match"] == ["BLUE MOON CAFE"]
    assert "text_match" not in page.results[1].to_json()


def test_plain_query_without_text_match_is_plain_clip(photos):
    from photosearch.core.search import Searcher

    lib, h = photos
    page = Searcher(lib).search("zebra crossing", limit=3)
    assert len(page.results) == 3 and all(r.text_match is None for r in page.results)


def test_text_search_works_without_a_picture_model(tmp_path):
    """No CLIP weights: photos cataloged without embeddings are still found by text."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.search import Searcher

    lib = Library.open(resolve_library(tmp_path / "lib"), model="ViT-B-32",
                       pretrained=str(tmp_path / "missing-weights.bin"))
    make_image(tmp_path / "photos" / "a.png")
    make_image(tmp_path / "photos" / "b.png", color=(10, 10, 200))
    report = Indexer(lib, embed=False).run([str(tmp_path / "photos")])
    assert report.cataloged == 2
    h = lib.catalog.hash_of(str(tmp_path / "photos" / "a.png"))
    TextStore(lib.catalog).save(h, "e", [_line("Hardware Store")])
    page = Searcher(lib).search("hardware store")
    assert [r.hash for r in page.results] == [h]
    assert page.results[0].text_match == ["Hardware Store"]
    assert any("text in photos only" in n for n in page.notices)
    lib.catalog.close()


# -- settings ---------------------------------------------------------------------------
def test_text_settings_parse_and_estimate():
    from photosearch.core.config import ConfigError, Settings

    s = Settings()
    assert TextSettings.from_settings(s).enabled is False  # off by default
    s.text = {"enabled": True, "threads": 2}
    ts = TextSettings.from_settings(s)
    assert ts.enabled and ts.threads == 2
    s.text = {"threads": "two"}
    with pytest.raises(ConfigError):
        TextSettings.from_settings(s)
    from photosearch.core.text.settings import CPU_SECONDS_PER_PHOTO

    minutes = 1000 * CPU_SECONDS_PER_PHOTO / 60
    assert f"about {minutes:.0f} min" in describe_estimate(1000)
    assert "about 40 s" in describe_estimate(20, 2.0)
    assert "about 20 s (1.00 s/photo" in describe_estimate(20, 2.0, workers=2)
    assert "measured on this library" in describe_estimate(10, 2.0)
