"""Models whose text side comes from Hugging Face: multilingual CLIP (xlm-roberta-base-ViT-B-32)
and the SigLIP tokenizers (ViT-B-16-SigLIP2, ViT-B-16-SigLIP-i18n-256).

They need `transformers` and `sentencepiece` (the `multilingual` install extra) and, besides
the CLIP weights, a few small files from a Hugging Face repository: the tokenizer (vocabulary,
sentencepiece model) and the text model's config.json. Those are fetched together with the
weights on first use into the same cache, and read from there ever after (offline). A model
config may also name local folders directly (the tests' tiny multilingual model does).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from .weights import WeightsUnavailable

EXTRA = "multilingual"
EXTRA_PACKAGES = ("transformers", "sentencepiece")
INSTALL_HINT = "pip install 'photosearch[multilingual]'"
# Keys of an open_clip text config that name a Hugging Face repository (or a local folder).
HF_KEYS = ("hf_model_name", "hf_tokenizer_name")
# What a text tower needs from its repository: config and tokenizer files, never weights
# (the text weights are part of the CLIP checkpoint).
TEXT_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json",
              "special_tokens_map.json", "added_tokens.json", "*.model", "vocab.json",
              "vocab.txt", "merges.txt"]


class MissingExtra(WeightsUnavailable):
    """The model needs packages of an install extra that is not installed."""


def text_config(model: str) -> dict[str, Any]:
    """The open_clip text config of a model name ({} for an unknown model)."""
    import open_clip

    cfg = open_clip.get_model_config(model) or {}
    return dict(cfg.get("text_cfg") or {})


def needs_hf(model: str) -> bool:
    """Whether the model's text side comes from transformers (tokenizer or text tower)."""
    cfg = text_config(model)
    return any(cfg.get(k) for k in HF_KEYS)


def missing_packages() -> list[str]:
    return [name for name in EXTRA_PACKAGES if importlib.util.find_spec(name) is None]


def require_extra(model: str) -> None:
    """Raise MissingExtra (one line: what to install) when the model needs it and it is absent."""
    if not needs_hf(model):
        return
    missing = missing_packages()
    if missing:
        raise MissingExtra(f"model {model} needs {' and '.join(missing)} (the '{EXTRA}' "
                           f"extra): install it with {INSTALL_HINT}")


def fetch_text_files(model: str, cache_dir: Path, download: bool = True
                     ) -> tuple[tuple[str, str], ...]:
    """(key, local folder) for each Hugging Face name in the model's text config.

    A name that already is a local folder stays as it is. Otherwise its config and
    tokenizer files are looked up in the cache (no network) and fetched once when allowed;
    raises WeightsUnavailable with what to do when they are not available."""
    cfg = text_config(model)
    out: dict[str, str] = {}
    for key in HF_KEYS:
        name = cfg.get(key)
        if not name:
            continue
        if os.path.isdir(os.path.expanduser(name)):
            out[key] = os.path.abspath(os.path.expanduser(name))
        else:
            out[key] = _snapshot(name, cache_dir, download)
    return tuple(sorted(out.items()))


def _snapshot(repo_id: str, cache_dir: Path, download: bool) -> str:
    from huggingface_hub import snapshot_download

    from .weights import _reachable

    cache_dir.mkdir(parents=True, exist_ok=True)
    for local_only in ((True, False) if download else (True,)):
        if not local_only and not _reachable("huggingface.co"):
            break
        try:
            return str(snapshot_download(repo_id, cache_dir=str(cache_dir),
                                         allow_patterns=TEXT_FILES,
                                         local_files_only=local_only))
        except Exception:  # not cached / network errors: all mean "not available"
            continue
    why = "are not on disk" if not download else "could not be downloaded (offline?)"
    raise WeightsUnavailable(
        f"the tokenizer and text config files of {repo_id} {why}; connect once so they "
        f"are fetched with the weights (then they are used offline), or copy a Hugging Face "
        f"cache that holds https://huggingface.co/{repo_id} into {cache_dir}")
