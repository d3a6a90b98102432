"""Query syntax shared by the CLI and the search field.

    dog on a beach at sunset        one text phrase (adjacent bare words join)
    "beach" -"people"               weighted sum: +beach, -people
    2:"sunset" + photo.jpg          weights, and an image file as a term
    cat tag:pets after:2023-01-01   filters: tag, folder, after, before, type, camera
    person:Anna beach -person:Bob   people (faces): photos showing Anna, not Bob;
                                    person:"Anna Smith" (or Anna_Smith) for names with spaces
    text:"booking code" -text:draft words read in the photo (OCR), or not; has:text
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .imaging import is_image_name

# Number-like words that are not the plain weights _TOKEN accepts: nan, inf, 1e9, .5
_NOT_A_WEIGHT = re.compile(r"(?i)[+-]?(nan|inf(inity)?|\d*\.?\d+e[+-]?\d+|\.\d+|\d+\.)")
FILTER_KEYS = ("tag", "folder", "after", "before", "type", "camera", "person", "text", "has",
               "keyword")  # keyword:NAME = tag:NAME (labels and keywords files carry)
NEGATABLE_TEXT_KEYS = ("text", "has")  # -text:word, -has:text
_TOKEN = re.compile(
    r'(?P<sign>[+-])?(?:(?P<weight>\d+(?:\.\d+)?):)?'
    r'(?:(?P<fkey>(?i:person|tag|keyword|folder|camera|text|has)):"(?P<fval>[^"]*)"?'
    r'|"(?P<quoted>[^"]*)"?|(?P<word>\S+))')


@dataclass
class Term:
    kind: str  # "text" | "image"
    value: str
    weight: float = 1.0


@dataclass
class Filters:
    folder: str | None = None
    after: float | None = None  # inclusive, wall-clock epoch (see imaging.parse_exif_time)
    before: float | None = None  # exclusive
    types: set[str] | None = None
    camera: str | None = None
    tags: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # photos showing all of these
    not_people: list[str] = field(default_factory=list)  # and none of these
    text: list[str] = field(default_factory=list)  # recognised text contains each of these
    not_text: list[str] = field(default_factory=list)  # ...and none of these
    has_text: bool | None = None  # any recognised text at all (the "Has text" chip)

    def active(self) -> bool:
        return any((self.folder, self.after is not None, self.before is not None, self.types,
                    self.camera, self.tags, self.people, self.not_people, self.text_active()))

    def text_active(self) -> bool:
        return bool(self.text or self.not_text or self.has_text is not None)

    def merged(self, other: Filters) -> Filters:
        """Filters from the query text win over those from options/chips only when set."""
        return Filters(
            folder=other.folder or self.folder,
            after=other.after if other.after is not None else self.after,
            before=other.before if other.before is not None else self.before,
            types=other.types or self.types,
            camera=other.camera or self.camera,
            tags=[*self.tags, *other.tags],
            people=[*self.people, *other.people],
            not_people=[*self.not_people, *other.not_people],
            text=[*self.text, *other.text],
            not_text=[*self.not_text, *other.not_text],
            has_text=other.has_text if other.has_text is not None else self.has_text)


@dataclass
class Query:
    terms: list[Term]
    filters: Filters


class QueryError(ValueError):
    """A query the user has to fix; the message says how."""


def parse(text: str) -> Query:
    terms: list[Term] = []
    filters = Filters()
    phrase: list[str] = []

    def flush() -> None:
        if phrase:
            terms.append(Term("text", " ".join(phrase)))
            phrase.clear()

    for m in _TOKEN.finditer(text):
        sign, weight, quoted, word = m.group("sign", "weight", "quoted", "word")
        if m.group("fkey") is not None and not weight:
            if sign == "-" and m.group("fkey").lower() == "person":
                filters.not_people.append(m.group("fval").strip())
            elif m.group("fkey").lower() in NEGATABLE_TEXT_KEYS:
                _apply_filter(filters, m.group("fkey").lower(), m.group("fval").strip(),
                              negate=sign == "-")
            elif m.group("fval").strip():
                _apply_filter(filters, m.group("fkey").lower(), m.group("fval").strip())
            continue
        if word is None and quoted is None:
            continue
        if word is not None and sign == "-" and not weight and \
                word.lower().startswith("person:") and len(word) > 7:
            filters.not_people.append(word[7:])
            continue
        if word is not None and ":" in word and sign == "-" and not weight \
                and word.split(":", 1)[0].lower() in NEGATABLE_TEXT_KEYS:
            key, value = word.split(":", 1)
            _apply_filter(filters, key.lower(), value, negate=True)
            continue
        if word is not None and ":" in word and word.split(":", 1)[0].lower() in FILTER_KEYS \
                and not sign and not weight:
            key, value = word.split(":", 1)
            _apply_filter(filters, key.lower(), value)
            continue
        if word is not None and not weight and ":" in word:
            head, _, rest = word.partition(":")
            if rest and _NOT_A_WEIGHT.fullmatch(head):
                raise QueryError(f"weight '{head}' in '{word}' is not allowed; a weight is a "
                                 'plain number like 2 or 0.5 (e.g. 2:"sunset")')
        w = float(weight) if weight else 1.0
        if sign == "-":
            w = -w
        if quoted is not None:
            flush()
            if quoted.strip():
                terms.append(Term("text", quoted.strip(), w))
        elif word == "+" or word == "-":
            flush()
        elif _looks_like_image(word):
            flush()
            terms.append(Term("image", os.path.abspath(os.path.expanduser(word)), w))
        elif sign or weight:
            flush()
            terms.append(Term("text", word, w))
        else:
            phrase.append(word)
    flush()
    return Query(terms, filters)


def _looks_like_image(word: str) -> bool:
    return is_image_name(word) and os.path.isfile(os.path.expanduser(word))


def _apply_filter(filters: Filters, key: str, value: str, negate: bool = False) -> None:
    if key == "text":
        if value.strip():
            (filters.not_text if negate else filters.text).append(value.strip())
        return
    if key == "has":
        if value.lower() != "text":
            raise QueryError(f"has:{value} is not a filter; use has:text or -has:text")
        filters.has_text = not negate
        return
    if key in ("tag", "keyword"):
        filters.tags.append(value)
    elif key == "folder":
        filters.folder = os.path.abspath(os.path.expanduser(value))
    elif key == "after":
        filters.after = parse_date(value)
    elif key == "before":
        filters.before = parse_date(value)
    elif key == "type":
        filters.types = parse_types(value)
    elif key == "camera":
        filters.camera = value
    elif key == "person":
        filters.people.append(value)


def parse_date(value: str) -> float:
    """YYYY-MM-DD (or YYYY-MM, YYYY) as a wall-clock epoch at the start of that period."""
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise QueryError(f"'{value}' is not a date; use YYYY-MM-DD")


# File types users type, mapped to Pillow's format names as stored in the catalog.
_TYPE_ALIASES = {"jpg": "jpeg", "jpe": "jpeg", "jfif": "jpeg", "tif": "tiff", "heic": "heif",
                 "pnm": "ppm", "pbm": "ppm", "pgm": "ppm", "jp2": "jpeg2000"}


def parse_types(value: str) -> set[str]:
    out = set()
    for t in value.replace(" ", "").lower().split(","):
        if t:
            t = t.lstrip(".")
            out.add(_TYPE_ALIASES.get(t, t))
    return out
