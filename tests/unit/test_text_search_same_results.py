"""TextStore.search (FTS candidates narrowed for the one-edit rule, checks done in SQL, rows
grouped in one pass) finds exactly what a plain scan of every line finds: the same photos
in the same order with the same lines, for LIKE (1-2 characters), trigram (3-5) and
one-edit (6+) queries, with accents, glued words and spaces where OCR put them."""

from __future__ import annotations

import random

import pytest

from photosearch.core.catalog import Catalog
from photosearch.core.text.normalize import FUZZY_MIN, compact, fold, near
from photosearch.core.text.store import TextLine, TextStore, one_edit_fts_query

BOX = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))
# near misses of the queries below (one and two edits, a space put in or in place of a
# letter, glued neighbours), accents, and words sharing their halves or ends
VOCAB = ["station", "statoin", "staton", "stations", "sttion", "stat ion", "stat on",
         "sta tion", "xstation", "attention", "stand", "walking", "walkng", "talking",
         "walk", "wal king", "looking", "sitting", "siting", "sittings", "waiting",
         "Crème", "BRÛLÉE", "brulee", "creme brulee", "CUISIN", "cuisine", "LONDOA",
         "london", "BookingCode", "booking", "code", "XK42", "hardware", "HardwareStore",
         "store", "dog", "dogs", "do", "a", "on", "é", "aaaaaaa", "aaaaaa", "aaaaaaaa",
         "basketball", "baskteball", "street", "streets", "stret", "people", "peeple",
         "100%", "50_off", 'say "hi"', "tion"]
QUERIES = ["a", "on", "é", "e", "%", "_", "dog", "do g", "tion", "code", "crème", "creme",
           "brûlée", "street", "people", "station", "Station", "walking", "sitting",
           "cuisine", "london", "booking code", "hardware store", "basketball", "stations",
           "aaaaaaa", "aaaaaa", "100%", 'say "hi"', "zqxjzqxj", "   ",
           "Booking Code XK42 hardware", "bookingcodexk42hardwarestor",
           " ".join(VOCAB * 12), *VOCAB]  # the last but VOCAB: 6,000+ characters pasted


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> TextStore:
    """400 photos of 1-3 lines of 1-4 words (every 7th has lost its file), and a receipt."""
    cat = Catalog(tmp_path_factory.mktemp("textq") / "catalog.db")
    rng = random.Random(7)
    s = TextStore(cat)
    for i in range(400):
        h = f"h{i:04}"
        cat.conn.execute("INSERT INTO photos(hash, size, added_at) VALUES (?, 1, 0)", (h,))
        if i % 7:
            cat.conn.execute("INSERT INTO files(path, hash, size, mtime_ns, seen_at) "
                             "VALUES (?, ?, 1, 0, 0)", (f"/p/{i}.jpg", h))
        lines = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(1, 4)))
                 for _ in range(rng.randint(1, 3))]
        s.save(h, "eng-1", [TextLine(t, round(rng.uniform(0.5, 1.0), 3), BOX) for t in lines])
    # a receipt line for the long queries (past the one-edit rule's per-position clauses)
    cat.conn.execute("INSERT INTO photos(hash, size, added_at) VALUES ('h0400', 1, 0)")
    cat.conn.execute("INSERT INTO files(path, hash, size, mtime_ns, seen_at) "
                     "VALUES ('/p/400.jpg', 'h0400', 1, 0, 0)")
    s.save("h0400", "eng-1", [TextLine("BookingCode XK42 HardwareStore", 0.8, BOX)])
    cat.conn.commit()
    return s


def _matches(needle: str, text: str) -> bool:
    """The rule, line by line: substring of the compact form; 6+ characters also one edit."""
    if FUZZY_MIN and len(needle) >= FUZZY_MIN:
        return near(needle, fold(text))
    return needle in compact(text)


def _reference(s: TextStore, query: str) -> tuple[list[tuple[str, list[str], float]], set]:
    """(ranked photos with a file, as search returns them; every photo whose text matches)."""
    needle = compact(query)
    rows = s.conn.execute(
        "SELECT l.hash, l.text, l.score, EXISTS (SELECT 1 FROM files f WHERE f.hash = l.hash) "
        "FROM text_lines l ORDER BY l.hash, l.line_no").fetchall()
    hits = [r for r in rows if needle and _matches(needle, r[1])]
    by: dict[str, tuple[list[str], float]] = {}
    for h, text, score, has_file in hits:
        if has_file:
            lines, best = by.get(h, ([], 0.0))
            by[h] = ([*lines, text], max(best, score))
    ranked = sorted(((h, ls, b) for h, (ls, b) in by.items()),
                    key=lambda x: (-len(x[1]), -x[2], x[0]))
    return ranked, {r[0] for r in hits}


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_what_a_plain_scan_finds(store, query):
    ranked, every = _reference(store, query)
    got = [(m.hash, m.lines, m.best_score) for m in store.search(query)]
    assert got == ranked
    assert store.matching_hashes(query) == every
    assert [m.hash for m in store.search(query, limit=3)] == [h for h, _, _ in ranked[:3]]


def test_the_store_has_the_cases_the_comparison_is_about(store):
    """Guards the test above against passing on a store where nothing matches."""
    hashes = lambda q: {h for h, _, _ in _reference(store, q)[0]}  # noqa: E731
    exact = {m.hash for m in store.search("station")
             if any("station" in compact(t) for t in m.lines)}
    assert exact and hashes("station") - exact  # some found by the one-edit rule only
    assert hashes("brûlée") == hashes("brulee") and hashes("brulee")
    assert hashes("booking code") and hashes("hardware store") and hashes("on")
    assert "h0400" in hashes("bookingcodexk42hardwarestor")  # one edit, 27 characters


def test_one_edit_candidates_are_narrower_than_the_halves():
    assert one_edit_fts_query("station") == '("tion") OR ("sta" AND "ion") OR ("stat")'
    assert one_edit_fts_query("zqxjzqxj") == '("zqxj")'
    assert one_edit_fts_query("basketball") == '"baske" OR "tball"'  # past 9: either half
    with pytest.raises(ValueError):
        one_edit_fts_query("short")
