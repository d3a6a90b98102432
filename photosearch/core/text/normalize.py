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
FUZZY_MIN = 6


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


def near(needle: str, text: str, max_edits: int = 1) -> bool:
    """Whether some substring of `text` is within `max_edits` insertions, deletions or
    substitutions of `needle` (Sellers' approximate substring match; both compact)."""
    if needle in text:
        return True
    if len(needle) <= max_edits:
        return True
    prev = [0] * (len(text) + 1)  # a match may start anywhere in text
    for i, c in enumerate(needle, 1):
        cur = [i] + [0] * len(text)
        for j, t in enumerate(text, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (c != t))
        if min(cur) > max_edits:
            return False
        prev = cur
    return min(prev) <= max_edits
