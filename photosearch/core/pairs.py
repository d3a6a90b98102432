"""RAW+JPEG pairs: one shot saved by the camera as a RAW file and a JPEG (or HEIC) twin.

A pair is a RAW file and a JPEG/HEIC file in the same folder with the same stem, ignoring
case (`IMG_0001.CR2` + `IMG_0001.JPG`). Search and browse show a pair as one item: the
JPEG/HEIC half is what is displayed (its thumbnail, its metadata), the RAW is the original,
and the item carries both files. The two halves stay two photos in the catalog (different
content, each embedded), so label review views keep listing them one by one.

When a folder holds several files of one stem (`IMG_1.CR2`, `IMG_1.JPG`, `IMG_1.HEIC`), the
pair is the first RAW by name with the first viewable twin (JPEG before HEIC); any other file
of the stem stays a photo of its own.

Lookups are by exact path (the `files` primary key): for each path, its stem as written, in
lower case and in upper case, with each pair extension in lower and upper case. Every
`collapse` runs one batch of such lookups, so a page of results costs a few queries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .catalog import Catalog
from .imaging import RAW_EXTENSIONS

# The displayed half of a pair, best first: a JPEG, else a HEIC.
VIEW_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".jpe", ".heic", ".heif")
_RAW_SORTED = tuple(sorted(RAW_EXTENSIONS))
# The catalog's `format` of each half (a RAW's is its extension, Pillow's name otherwise).
RAW_FORMATS = frozenset(e.lstrip(".") for e in RAW_EXTENSIONS)
VIEW_FORMATS = frozenset({"jpeg", "heif", "mpo"})
_HEIC = (".heic", ".heif")


@dataclass(frozen=True)
class Pair:
    raw_path: str
    raw_hash: str
    view_path: str
    view_hash: str

    @property
    def label(self) -> str:
        """What the item says: "RAW+JPEG" (or "RAW+HEIC")."""
        ext = os.path.splitext(self.view_path)[1].lower()
        return "RAW+HEIC" if ext in (".heic", ".heif") else "RAW+JPEG"

    @property
    def files(self) -> list[str]:
        return [self.raw_path, self.view_path]

    @property
    def hashes(self) -> list[str]:
        return [self.raw_hash, self.view_hash]


def _ext(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def is_pair_member_name(path: str) -> bool:
    ext = _ext(path)
    return ext in RAW_EXTENSIONS or ext in VIEW_EXTENSIONS


def family_key(path: str) -> tuple[str, str]:
    """(folder, stem in lower case): the files of one shot share it."""
    folder, name = os.path.split(path)
    return folder, os.path.splitext(name)[0].lower()


def _candidates(path: str) -> set[str]:
    folder, name = os.path.split(path)
    stem = os.path.splitext(name)[0]
    out = set()
    for s in {stem, stem.lower(), stem.upper()}:
        for ext in (*_RAW_SORTED, *VIEW_EXTENSIONS):
            out.add(os.path.join(folder, s + ext))
            out.add(os.path.join(folder, s + ext.upper()))
    return out


def pair_in(members: Iterable[tuple[str, str]]) -> Pair | None:
    """The pair among the (path, hash) files of one family (same folder and stem), if any."""
    raws = sorted((p, h) for p, h in members if _ext(p) in RAW_EXTENSIONS)
    views = sorted(((p, h) for p, h in members if _ext(p) in VIEW_EXTENSIONS),
                   key=lambda ph: (_ext(ph[0]) in _HEIC, ph[0]))
    if not raws or not views or raws[0][1] == views[0][1]:
        return None
    return Pair(raws[0][0], raws[0][1], views[0][0], views[0][1])


def pairs_for_paths(catalog: Catalog, paths: Iterable[str]) -> dict[str, Pair]:
    """path -> the pair it belongs to, for those of `paths` that are half of a pair."""
    wanted = [p for p in dict.fromkeys(paths) if is_pair_member_name(p)]
    if not wanted:
        return {}
    cands: set[str] = set()
    for p in wanted:
        cands |= _candidates(p)
    found = catalog.file_states_for(sorted(cands))
    families: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for p, state in found.items():
        families.setdefault(family_key(p), []).append((p, state.hash))
    out: dict[str, Pair] = {}
    for p in wanted:
        pair = pair_in(families.get(family_key(p), []))
        if pair is not None and p in (pair.raw_path, pair.view_path):
            out[p] = pair
    return out


def pairs_of_hashes(catalog: Catalog, hashes: Sequence[str]) -> dict[str, Pair]:
    """hash -> its pair, for photos with a file that is half of a pair (first by path)."""
    paths = catalog.paths_of(list(hashes))
    by_path = pairs_for_paths(catalog, (p for h in hashes for p in paths.get(h, [])))
    out: dict[str, Pair] = {}
    for h in hashes:
        for p in paths.get(h, []):
            pair = by_path.get(p)
            if pair is not None and h in pair.hashes:
                out[h] = pair
                break
    return out


def twins_of(catalog: Catalog, hashes: Sequence[str]) -> dict[str, tuple[str, str]]:
    """hash -> (its format, its pair twin's hash) for those of these photos that have a twin
    (one query per 500, in SQL: `twin_sql`)."""
    out: dict[str, tuple[str, str]] = {}
    uniq = list(dict.fromkeys(hashes))
    for i in range(0, len(uniq), 500):
        chunk = uniq[i:i + 500]
        for h, fmt, twin in catalog.conn.execute(
                f"SELECT p.hash, p.format, {twin_sql('p')} FROM photos p "
                f"WHERE p.hash IN ({','.join('?' * len(chunk))})", chunk):
            if twin is not None:
                out[h] = (fmt, twin)
    return out


def collapse(catalog: Catalog, hashes: Sequence[str],
             scores: Sequence[float | None] | None = None, *,
             check: Iterable[str] | None = None
             ) -> tuple[list[str], list[float | None], dict[str, Pair]]:
    """Ranked photos -> ranked items: the two halves of a pair become one item, at the place
    of the first half met, shown by the JPEG/HEIC half (its hash), with the best score of the
    halves present. `check`: only these hashes can be pair halves (default: all). Returns
    (item hashes, item scores, item hash -> pair)."""
    sc = list(scores) if scores is not None else [None] * len(hashes)
    twins = twins_of(catalog, list(check) if check is not None else list(hashes))
    out_h: list[str] = []
    out_s: list[float | None] = []
    at: dict[str, int] = {}
    for h, s in zip(hashes, sc, strict=True):
        fmt_twin = twins.get(h)
        key = fmt_twin[1] if fmt_twin is not None and fmt_twin[0] in RAW_FORMATS else h
        if key in at:
            i = at[key]
            old = out_s[i]
            if s is not None and (old is None or s > old):
                out_s[i] = s
            continue
        at[key] = len(out_h)
        out_h.append(key)
        out_s.append(s)
    paired = {k for k in out_h if k in twins} | \
        {twin for fmt, twin in twins.values() if fmt in RAW_FORMATS}
    pairs = pairs_of_hashes(catalog, [k for k in out_h if k in paired])
    return out_h, out_s, {k: p for k, p in pairs.items() if p.view_hash == k}


def with_partners(catalog: Catalog, hashes: Sequence[str]) -> list[str]:
    """These photos plus the other half of each pair among them (tagging a pair tags both)."""
    pairs = pairs_of_hashes(catalog, hashes)
    out = list(hashes)
    for h in hashes:
        if h in pairs:
            out += pairs[h].hashes
    return list(dict.fromkeys(out))


def pair_hash_links(files: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """(raw hash, view hash) of every pair among these (path, hash) files: the duplicate
    finder never groups the halves of a pair (a pair is one photo, not a duplicate)."""
    families: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for p, h in files:
        if is_pair_member_name(p):
            families.setdefault(family_key(p), []).append((p, h))
    out = set()
    for members in families.values():
        pair = pair_in(members)
        if pair is not None:
            out.add((pair.raw_hash, pair.view_hash))
    return out


def _sql_list(exts: Iterable[str]) -> str:
    return ",".join(f"'{e.lstrip('.')}'" for e in sorted(exts))


def twin_sql(photo: str = "p", kinds: frozenset[str] | None = None) -> str:
    """An SQL expression, for a row of `photos` aliased `photo`: the hash of its pair twin (a
    RAW's JPEG/HEIC, a JPEG/HEIC's RAW), else NULL. Browse computes it for every row it reads,
    in SQLite: each probe is a range on the `files` primary key (the stem as written, in lower
    and in upper case, like `pairs_for_paths`). `kinds`: the formats to look up (default: RAW
    and JPEG/HEIC). Which twin is *the* pair when a stem has several is decided by `pair_in`
    for the rows shown."""
    assert all(len(e) == 4 for e in RAW_EXTENSIONS)  # ".xyz": the probes below rely on it
    n = ("CASE WHEN substr(r.path, -4, 1) = '.' THEN 3 "
         "WHEN substr(r.path, -5, 1) = '.' THEN 4 END")
    stem = f"substr(r.path, 1, length(r.path) - ({n}) - 1)"  # "folder/IMG_0001"
    raw, view = _sql_list(RAW_EXTENSIONS), _sql_list(VIEW_EXTENSIONS)
    want = (f"CASE WHEN {photo}.format IN ({_sql_list(RAW_FORMATS)}) "
            f"THEN lower(substr(v.path, length(r.path) - ({n}) + 1)) IN ({view}) "
            f"ELSE lower(substr(v.path, length(r.path) - ({n}) + 1)) IN ({raw}) END")
    probes = []
    # the folder: up to the last separator ('/', or '\' on Windows)
    folder = "rtrim(r.path, replace(replace(r.path, '/', ''), '\\', ''))"
    name = f"substr({stem}, length({folder}) + 1)"
    for case in ("{}", "lower({})", "upper({})"):
        s = stem if case == "{}" else f"{folder} || {case.format(name)}"
        probes.append(
            f"(SELECT v.hash FROM files r JOIN files v ON v.path >= {s} || '.' "
            f"AND v.path < {s} || '/' WHERE r.hash = {photo}.hash AND v.hash != r.hash "
            f"AND ({want}) ORDER BY lower(substr(v.path, length(r.path) - ({n}) + 1)) "
            f"IN ('heic', 'heif'), v.path LIMIT 1)")  # a JPEG twin before a HEIC
    only = _sql_list(kinds if kinds is not None else RAW_FORMATS | VIEW_FORMATS)
    return f"(CASE WHEN {photo}.format IN ({only}) THEN COALESCE({', '.join(probes)}) END)"
