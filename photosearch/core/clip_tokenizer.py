"""open_clip's CLIP BPE tokenizer without torch.

A faithful re-implementation of ``open_clip.tokenizer.SimpleTokenizer`` (itself copied from
OpenAI's CLIP, MIT licence) with the default ``clean='lower'`` and truncation: ftfy fix,
html unescape twice, whitespace collapse, lower case, the same regex pre-tokeniser and the
same merges file (``bpe_simple_vocab_16e6.txt.gz``, read from open_clip's package directory
without importing open_clip, which would import torch). It returns numpy int64 ids; the
unit tests check them against ``open_clip.tokenize`` on an adversarial corpus.
"""

from __future__ import annotations

import html
import importlib.util
import os
import sys
import threading
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

VOCAB_NAME = "bpe_simple_vocab_16e6.txt.gz"
DEFAULT_CONTEXT_LENGTH = 77
SPECIAL_TOKENS = ("<start_of_text>", "<end_of_text>")


N_MERGES = 49152 - 256 - 2  # the merges CLIP uses: the file holds ~262k, the rest unused
_NOT_A_MERGE = float("inf")


def _head_lines(path: Path, n: int) -> list[str]:
    """The first `n` lines of a gzipped text file, decompressing only as far as needed
    (the CLIP vocabulary's used part is a fifth of it: a cold query saves ~0.1 s)."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    parts: list[bytes] = []
    newlines = 0
    with open(path, "rb") as fh:
        while newlines < n:
            chunk = fh.read(1 << 16)
            if not chunk:
                parts.append(inflate.flush())
                break
            data = inflate.decompress(chunk)
            parts.append(data)
            newlines += data.count(b"\n")
    return [line.decode("utf-8") for line in b"".join(parts).split(b"\n", n)[:n]]


class TokenizerUnavailable(RuntimeError):
    """The BPE vocabulary file cannot be found (open_clip not installed / not bundled)."""


def vocab_path() -> Path:
    """open_clip's merges file, located without importing open_clip (it imports torch)."""
    candidates: list[Path] = []
    spec = importlib.util.find_spec("open_clip")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / VOCAB_NAME for p in spec.submodule_search_locations]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:  # PyInstaller bundle: package data lies under the bundle's open_clip/
        candidates.append(Path(meipass) / "open_clip" / VOCAB_NAME)
    for path in candidates:
        if path.is_file():
            return path
    raise TokenizerUnavailable(f"{VOCAB_NAME} not found (is open_clip_torch installed?)")


@lru_cache
def bytes_to_unicode() -> dict[int, str]:
    """The reversible byte -> printable unicode table of GPT-2/CLIP BPE."""
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs], strict=True))


def _pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in zip(word, word[1:], strict=False)}


def clean(text: str) -> str:
    """open_clip's 'lower' cleaning: ftfy, html unescape x2, collapse whitespace, lower.

    Printable ASCII without '&' is a fixed point of ftfy.fix_text and html.unescape (a
    unit test checks it on random strings), so the common query skips importing ftfy
    (~0.1-0.5 s)."""
    if not (text.isascii() and text.isprintable() and "&" not in text):
        import ftfy

        text = ftfy.fix_text(text)
        text = html.unescape(html.unescape(text))
    text = text.strip()
    return " ".join(text.split()).strip().lower()


class ClipTokenizer:
    """Callable like open_clip's tokenizer: texts -> int64 array (N, context_length)."""

    def __init__(self, bpe_path: str | os.PathLike | None = None,
                 context_length: int = DEFAULT_CONTEXT_LENGTH):
        import regex

        path = Path(bpe_path) if bpe_path else vocab_path()
        merges = _head_lines(path, N_MERGES + 1)[1:N_MERGES + 1]
        byte_chars = list(bytes_to_unicode().values())
        vocab = byte_chars + [v + "</w>" for v in byte_chars]
        # Every merge "a b" makes the token "ab" (vocab id = 2 * 256 + its rank). When each
        # line is one pair and no token repeats (true of CLIP's file; checked here), a pair's
        # rank is its joined token's id if that id's merge is this pair: no pair dict of
        # 49k tuples to build (~0.1 s of a cold query, fighting onnxruntime for the GIL).
        simple = all(m.count(" ") == 1 for m in merges)
        vocab += [m.replace(" ", "") if simple else "".join(m.split()) for m in merges]
        vocab += list(SPECIAL_TOKENS)
        self.encoder: dict[str, int] = dict(zip(vocab, range(len(vocab)), strict=True))
        self._merges = merges
        self._base = 2 * len(byte_chars)
        self._ranks: dict[tuple[str, ...], int] | None = None
        if not simple or len(self.encoder) != len(vocab):  # another file: the plain way
            self._ranks = {tuple(m.split()): i for i, m in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self._cache: dict[str, str] = {t: t for t in SPECIAL_TOKENS}
        self._lock = threading.Lock()
        self.pat = regex.compile(
            "|".join(SPECIAL_TOKENS)
            + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE)
        self.sot_token_id = self.encoder[SPECIAL_TOKENS[0]]
        self.eot_token_id = self.encoder[SPECIAL_TOKENS[1]]
        self.vocab_size = len(self.encoder)
        self.context_length = context_length

    def rank(self, pair: tuple[str, ...]) -> float:
        """The merge priority of a pair of symbols (lower first); inf when no merge."""
        if self._ranks is not None:
            return self._ranks.get(pair, _NOT_A_MERGE)
        first, second = pair
        i = self.encoder.get(first + second, -1) - self._base
        if 0 <= i < len(self._merges) and self._merges[i] == f"{first} {second}":
            return i
        return _NOT_A_MERGE

    def bpe(self, token: str) -> str:
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        word: tuple[str, ...] = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = _pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            rank, bigram = min((self.rank(p), p) for p in pairs)
            if rank == _NOT_A_MERGE:
                break
            first, second = bigram
            new_word: list[str] = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        out = " ".join(word)
        with self._lock:
            if len(self._cache) > 100_000:
                self._cache = {t: t for t in SPECIAL_TOKENS}
            self._cache[token] = out
        return out

    def encode(self, text: str) -> list[int]:
        """Token ids of one text, without start/end tokens and without truncation."""
        ids: list[int] = []
        for token in self.pat.findall(clean(text)):
            token = "".join(self.byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(token).split(" "))
        return ids

    def __call__(self, texts: str | list[str], context_length: int | None = None) -> np.ndarray:
        if isinstance(texts, str):
            texts = [texts]
        n_ctx = context_length or self.context_length
        out = np.zeros((len(texts), n_ctx), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = [self.sot_token_id, *self.encode(text), self.eot_token_id]
            if len(ids) > n_ctx:
                ids = ids[:n_ctx]
                ids[-1] = self.eot_token_id
            out[row, :len(ids)] = ids
        return out


_shared: dict[int, ClipTokenizer] = {}
_shared_lock = threading.Lock()


def get(context_length: int = DEFAULT_CONTEXT_LENGTH) -> ClipTokenizer:
    """One tokenizer per context length per process (building it reads a 1.3 MB file)."""
    with _shared_lock:
        tok = _shared.get(context_length)
        if tok is None:
            tok = _shared[context_length] = ClipTokenizer(context_length=context_length)
        return tok
