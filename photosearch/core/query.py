"""Query syntax shared by the CLI, the search field and browsing.

    dog on a beach at sunset        one text phrase (adjacent bare words join)
    "beach" -"people"               weighted sum: +beach, -people
    2:"sunset" + photo.jpg          weights, and an image file as a term
    image:"/photos/my trip/a.jpg"   an image term (a quoted path is one too)
    cat tag:pets after:2023-01-01   filters (the FILTERS table below); any value may be
    folder:"/photos/my trip"        quoted, and -key:value excludes (tag, folder, camera,
    -tag:screenshots tag:cat,dog    person, text); tag:a,b is any of the tags
    person:"Anna Smith" -person:Bob people (faces)
    text:"booking code" -text:draft words read in the photo (OCR); has:text, -has:text

No silent fallback: an unknown `key:value` prefix, a weight on a filter, or a word that
looks like a path (contains `/`, starts with `~`, or ends in an image extension) but is no
image file is a QueryError that says what to write instead. Text that merely contains a
colon is kept as text when it is clearly not a filter: a time or ratio (`10:30`, `16:9`)
or a URL (`https://...`). Anything quoted without a key is text unless it is a path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .imaging import is_image_name

# Number-like words that are not the plain weights _WEIGHT accepts: nan, inf, 1e9, .5
_NOT_A_WEIGHT = re.compile(r"(?i)[+-]?(nan|inf(inity)?|\d*\.?\d+e[+-]?\d+|\.\d+|\d+\.)")
# One whitespace-separated chunk; a quoted stretch may hold spaces: folder:"/a b", "x y"
_CHUNK = re.compile(r'(?:[^\s"]|"[^"]*"?)+')
_WEIGHT = re.compile(r"(\d+(?:\.\d+)?):(.+)", re.S)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(.*)", re.S)
# 10:30, 10:30:15, 3:00pm, 16:9 - text, not a weight on a number
_TIME_OR_RATIO = re.compile(r"(?i)\d+(?::\d+)+(?:\s?[ap]\.?m\.?)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")  # C:\photos\a.jpg


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
    tags: list[str] = field(default_factory=list)  # photos with ALL of these
    people: list[str] = field(default_factory=list)  # photos showing all of these
    not_people: list[str] = field(default_factory=list)  # and none of these
    text: list[str] = field(default_factory=list)  # recognised text contains each of these
    not_text: list[str] = field(default_factory=list)  # ...and none of these
    has_text: bool | None = None  # any recognised text at all (the "Has text" chip)
    any_tags: list[list[str]] = field(default_factory=list)  # each group: ANY of its tags
    not_tags: list[str] = field(default_factory=list)  # none of these tags
    not_folders: list[str] = field(default_factory=list)  # no file under any of these
    not_cameras: list[str] = field(default_factory=list)  # camera contains none of these

    def active(self) -> bool:
        return any((self.folder, self.after is not None, self.before is not None, self.types,
                    self.camera, self.tags, self.people, self.not_people, self.text_active(),
                    self.tags_active(), self.not_folders, self.not_cameras))

    def text_active(self) -> bool:
        return bool(self.text or self.not_text or self.has_text is not None)

    def tags_active(self) -> bool:
        return bool(self.tags or self.any_tags or self.not_tags)

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
            has_text=other.has_text if other.has_text is not None else self.has_text,
            any_tags=[*self.any_tags, *other.any_tags],
            not_tags=[*self.not_tags, *other.not_tags],
            not_folders=[*self.not_folders, *other.not_folders],
            not_cameras=[*self.not_cameras, *other.not_cameras])


@dataclass
class Query:
    terms: list[Term]
    filters: Filters


class QueryError(ValueError):
    """A query the user has to fix; the message says how."""


# == the filter table ====================================================================
@dataclass(frozen=True)
class FilterSpec:
    """One `key:value` filter: how a value sets it, how `-key:value` excludes (None: it
    cannot be negated; the reason is `no_negation`), and an example for messages/docs."""

    key: str
    apply: Callable[[Filters, str], None]
    negate: Callable[[Filters, str], None] | None
    example: str
    no_negation: str = ""


def _path(value: str) -> str:
    return os.path.abspath(os.path.expanduser(value))


def _tag_names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",")]
    if not all(names):
        raise QueryError(f"tag:{value} has an empty tag name; write tag:a,b for any of a, b")
    return names


def _tag(f: Filters, value: str) -> None:
    names = _tag_names(value)
    if len(names) == 1:
        f.tags.append(names[0])
    else:
        f.any_tags.append(names)


def _has(f: Filters, value: str, present: bool) -> None:
    if value.lower() != "text":
        raise QueryError(f"has:{value} is not a filter; use has:text or -has:text")
    f.has_text = present


def _set(attr: str, convert: Callable[[str], object] = str) -> Callable[[Filters, str], None]:
    return lambda f, v: setattr(f, attr, convert(v))


def _add(attr: str, convert: Callable[[str], object] = str) -> Callable[[Filters, str], None]:
    return lambda f, v: getattr(f, attr).append(convert(v))


# Adding a filter is one entry here (plus its use in search/browse): key -> spec.
FILTERS: dict[str, FilterSpec] = {spec.key: spec for spec in (
    FilterSpec("tag", _tag, lambda f, v: f.not_tags.extend(_tag_names(v)),
               "tag:pets, tag:cat,dog (any), -tag:screenshots"),
    # keyword:NAME is tag:NAME: keywords read from sidecars/IPTC are tags of the photo
    FilterSpec("keyword", _tag, lambda f, v: f.not_tags.extend(_tag_names(v)),
               'keyword:"New York", -keyword:private'),
    FilterSpec("folder", _set("folder", _path), _add("not_folders", _path),
               'folder:"~/Pictures/my trip", -folder:~/Pictures/junk'),
    FilterSpec("camera", _set("camera"), _add("not_cameras"),
               'camera:pixel, camera:"EOS 5D", -camera:iphone'),
    FilterSpec("person", _add("people"), _add("not_people"),
               'person:"Anna Smith", -person:Bob'),
    FilterSpec("text", _add("text"), _add("not_text"), 'text:"booking code", -text:draft'),
    FilterSpec("has", lambda f, v: _has(f, v, True), lambda f, v: _has(f, v, False),
               "has:text, -has:text"),
    FilterSpec("after", _set("after", lambda v: parse_date(v)), None, "after:2023-01-01",
               "use before: for photos taken before a date"),
    FilterSpec("before", _set("before", lambda v: parse_date(v)), None, "before:2024-06",
               "use after: for photos taken on or after a date"),
    FilterSpec("type", _set("types", lambda v: parse_types(v)), None, "type:jpg,png",
               "list the types you want instead"),
)}
IMAGE_KEY = "image"  # image:"path" is a search term (find similar), not a filter
FILTER_KEYS = tuple(FILTERS)


def known_keys() -> str:
    return ", ".join(f"{k}:" for k in (*FILTERS, IMAGE_KEY))


# == parsing =============================================================================
def parse(text: str) -> Query:
    terms: list[Term] = []
    filters = Filters()
    phrase: list[str] = []

    def flush() -> None:
        if phrase:
            terms.append(Term("text", " ".join(phrase)))
            phrase.clear()

    for m in _CHUNK.finditer(text):
        raw = m.group(0)
        sign = raw[0] if raw[0] in "+-" and len(raw) > 1 else ""
        rest = raw[len(sign):]
        if rest in ("+", "-"):  # a lone sign separates terms: "a" + "b"
            flush()
            continue
        weight: str | None = None
        plain = _TIME_OR_RATIO.fullmatch(rest) or _URL.match(rest) or _DRIVE.match(rest)
        if not plain:
            head, colon, _ = rest.partition(":")
            if colon and _NOT_A_WEIGHT.fullmatch(head):
                raise QueryError(f"weight '{head}' in '{raw}' is not allowed; a weight is a "
                                 'plain number like 2 or 0.5 (e.g. 2:"sunset")')
            wm = _WEIGHT.fullmatch(rest)
            if wm:
                weight, rest = wm.group(1), wm.group(2)
        key: str | None = None
        km = None if plain or _DRIVE.match(rest) else _KEY.fullmatch(rest)
        if km and not _URL.match(rest):
            key, rest = km.group(1).lower(), km.group(2)
        quoted = rest.startswith('"')
        value = _unquote(rest)
        if key is not None and key != IMAGE_KEY:
            flush()
            _apply_filter(filters, key, value, raw, negate=sign == "-", weighted=bool(weight))
            continue
        w = float(weight) if weight else 1.0
        if sign == "-":
            w = -w
        if key == IMAGE_KEY:
            flush()
            if not value.strip():
                raise QueryError('image: needs a file, e.g. image:"~/Pictures/a photo.jpg"')
            terms.append(Term("image", _image_path(value.strip(), raw), w))
        elif (_looks_like_path_quoted if quoted else _looks_like_path)(value.strip()):
            flush()
            terms.append(Term("image", _image_path(value.strip(), raw, quoted=quoted), w))
        elif quoted:
            flush()
            if value.strip():
                terms.append(Term("text", value.strip(), w))
        elif sign or weight:
            flush()
            terms.append(Term("text", value, w))
        else:
            phrase.append(value)
    flush()
    return Query(terms, filters)


def _unquote(value: str) -> str:
    if value.startswith('"'):
        value = value[1:]
        return value[:-1] if value.endswith('"') else value
    return value


def _looks_like_path(word: str) -> bool:
    """A bare word that can only be meant as a file: a/b, ~/x, ./x, C:\\x, name.jpg."""
    return ("/" in word or "\\" in word or word.startswith("~") or bool(_DRIVE.match(word))
            or is_image_name(word)) and not _URL.match(word)


def _looks_like_path_quoted(value: str) -> bool:
    """Quoted text is a path when it starts like one or names an image file; "AC/DC" or
    "black/white photo" stay text."""
    return (value.startswith(("/", "~", "./", "../", "\\")) or bool(_DRIVE.match(value))
            or is_image_name(value))


def _image_path(value: str, raw: str, quoted: bool = False) -> str:
    path = os.path.abspath(os.path.expanduser(value))
    if os.path.isdir(path):
        raise QueryError(f"'{value}' is a folder, not an image; to search in it use "
                         f'folder:"{value}"')
    if not os.path.isfile(path):
        hint = "" if quoted else f' (to search for the words, quote them: "{value}")'
        raise QueryError(f"no such image file: {value}{hint}")
    if not is_image_name(path):
        raise QueryError(f"'{value}' is not an image file (an image term must be a photo "
                         "such as .jpg, .png, .heic)")
    return path


def _apply_filter(filters: Filters, key: str, value: str, raw: str, *, negate: bool = False,
                  weighted: bool = False) -> None:
    spec = FILTERS.get(key)
    if spec is None:
        raise QueryError(f"unknown filter '{key}:' in '{raw}'; known: {known_keys()} "
                         f'(to search for the words, quote them: "{raw.lstrip("+-")}")')
    if weighted:
        raise QueryError(f"'{raw}': a weight applies to search terms, not to the filter "
                         f"{key}:")
    value = value.strip()
    if not value:
        raise QueryError(f"{key}: needs a value, e.g. {spec.example.split(',')[0]}")
    if negate:
        if spec.negate is None:
            raise QueryError(f"-{key}: cannot exclude; {spec.no_negation}")
        spec.negate(filters, value)
    else:
        spec.apply(filters, value)


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
            if t == "raw":  # every camera RAW format (a RAW+JPEG pair has one)
                from .imaging import RAW_EXTENSIONS

                out |= {e.lstrip(".") for e in RAW_EXTENSIONS}
            else:
                out.add(_TYPE_ALIASES.get(t, t))
    return out
