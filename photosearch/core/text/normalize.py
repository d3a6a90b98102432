"""Normalising recognised text and queries the same way, and dropping OCR noise.

SQLite 3.40's trigram tokenizer folds case but not accents (remove_diacritics arrived in
3.45), so both sides are folded here: Unicode NFKD, combining marks dropped, casefold.
The index holds the `compact` form (no whitespace at all) because OCR often glues words
to their neighbours ("BOOKING CODEXK42") or drops the space between them ("HardwareStore");
a query is compacted too, so "booking code" and "hardware store" still match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

_SPACE = re.compile(r"\s+")
# Lines with fewer letters/digits than this are dropped: on text-free photos the detector
# finds texture that the recogniser reads as 1-3 character fragments ("I", "11", "ae").
# bench/bench_text.py measures the effect on text-free flickr photos.
MIN_CHARS = 4
MIN_SCORE = 0.5
# Queries of this many characters (compact form) also match text within one edit: OCR drops
# or misreads a letter (CUISIN for cuisine, LONDOA for london). Shorter words would match
# too many other words one letter away (rides/pride, light/night); bench/bench_text_real.py
# measures recall and false hits (words of other photos' labels and captions).
FUZZY_MIN = 6  # 0 turns the one-edit rule off


def fold(text: str) -> str:
    """Lower-case, accents removed, whitespace collapsed: 'Crème  Brûlée' -> 'creme brulee'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", stripped.casefold()).strip()


def compact(text: str) -> str:
    """The indexed / queried form: fold() with all whitespace removed."""
    return _SPACE.sub("", fold(text))


def significant_chars(text: str) -> int:
    return sum(1 for c in text if c.isalnum())


def keep_line(text: str, score: float, min_chars: int = MIN_CHARS,
              min_score: float = MIN_SCORE) -> bool:
    """Whether a recognised line is worth storing (not a fragment, confident enough)."""
    return score >= min_score and significant_chars(text) >= min_chars


def near(needle: str, norm: str, max_edits: int = 1) -> bool:
    """Whether a line (its fold() form) holds the compact `needle`, or a WORD of it is
    within `max_edits` insertions, deletions or substitutions of the needle (CUISIN for
    cuisine). Whole words only: one edit anywhere inside a long line matched many
    unrelated words on a notice board (bench/bench_text_real.py false hits). One C call
    of the `regex` module's fuzzy matching: the search runs this on every candidate."""
    if needle in norm.replace(" ", ""):
        return True
    return _fuzzy(needle, max_edits).search(norm) is not None


@lru_cache(maxsize=256)
def _fuzzy(needle: str, max_edits: int) -> regex.Pattern:
    # imported here: every cold CLI search imports this module (~40 ms for `regex`)
    import regex

    # a whole word: no letter (no non-space) right before or after the match
    return regex.compile(rf"(?<!\S)(?:{regex.escape(needle)}){{e<={max_edits}}}(?!\S)")
