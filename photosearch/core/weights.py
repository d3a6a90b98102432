"""Finding CLIP weights on disk, downloading them once when allowed.

Resolution is cache-first so that, once weights are on disk, loading a model never touches
the network (offline by default). Downloads go through open_clip's / huggingface_hub's own
downloaders, which show a progress bar on stderr.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RANDOM_INIT = "none"


class WeightsUnavailable(Exception):
    """Weights are not on disk and could not be downloaded; the message says what to do."""


@dataclass(frozen=True)
class WeightsSpec:
    """Where a model's weights come from, and the preprocessing they were trained with."""

    model: str
    tag: str  # pretrained tag, "none", or file_tag(path)
    path: str | None  # local weights file; None for random init
    quick_gelu: bool = False
    mean: tuple[float, float, float] | None = None
    std: tuple[float, float, float] | None = None
    # Local folders for the Hugging Face text config/tokenizer (hf_text.py), by config key.
    text_files: tuple[tuple[str, str], ...] = ()

    @property
    def model_id(self) -> str:
        """Embeddings from different model ids never mix."""
        return f"{self.model}/{self.tag}"


def model_id(model: str, pretrained: str) -> str:
    """The id embeddings are stored under, computed without loading anything heavy.

    Must equal WeightsSpec.model_id for the same settings."""
    if pretrained.lower() == RANDOM_INIT:
        return f"{model}/{RANDOM_INIT}"
    path = os.path.expanduser(pretrained)
    if os.path.isfile(path):
        return f"{model}/{file_tag(path)}"
    return f"{model}/{pretrained}"


def file_tag(path: str) -> str:
    """'file:<name>:<fingerprint>' for a local weights file. The fingerprint (size plus a
    hash of the first and last MiB) keeps two different files that share the standard name
    (open_clip_model.safetensors) from mixing their embeddings."""
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    tag = _FILE_TAGS.get(key)
    if tag is None:  # model_id is read per indexed file: hash the weights once
        tag = _FILE_TAGS[key] = _fingerprint(path, st.st_size)
    return tag


_FILE_TAGS: dict[tuple[str, int, int], str] = {}


def _fingerprint(path: str, size: int) -> str:
    import hashlib

    h = hashlib.blake2b(str(size).encode(), digest_size=6)
    with open(path, "rb") as f:
        h.update(f.read(1 << 20))
        if size > 2 << 20:
            f.seek(-(1 << 20), os.SEEK_END)
            h.update(f.read(1 << 20))
    return f"file:{os.path.basename(path)}:{h.hexdigest()}"


def resolve(model: str, pretrained: str, cache_dir: Path, *, download: bool = True) -> WeightsSpec:
    """Turn (model, pretrained tag or file) into a local weights file, plus the local
    tokenizer/config files of models whose text side comes from Hugging Face."""
    from dataclasses import replace

    from . import hf_text

    hf_text.require_extra(model)  # one line naming the extra, before anything is fetched
    spec = _resolve_weights(model, pretrained, cache_dir, download)
    text_files = hf_text.fetch_text_files(model, cache_dir, download)
    return replace(spec, text_files=text_files) if text_files else spec


def _resolve_weights(model: str, pretrained: str, cache_dir: Path, download: bool
                     ) -> WeightsSpec:
    from open_clip import pretrained as oc_pretrained

    if pretrained.lower() == RANDOM_INIT:
        return WeightsSpec(model, RANDOM_INIT, None)
    if os.path.isfile(os.path.expanduser(pretrained)):
        path = os.path.abspath(os.path.expanduser(pretrained))
        return WeightsSpec(model, file_tag(path), path)
    cfg = oc_pretrained.get_pretrained_cfg(model, pretrained)
    if not cfg:
        tags = ", ".join(oc_pretrained.list_pretrained_tags_by_model(model)) or "none known"
        raise WeightsUnavailable(
            f"unknown pretrained weights '{pretrained}' for model {model} (known: {tags}); "
            "or pass the path of a local weights file")
    path = bundled_weights(model, pretrained) or _cached_or_download(cfg, cache_dir, download)
    return WeightsSpec(model, pretrained, path, bool(cfg.get("quick_gelu")),
                       tuple(cfg["mean"]) if "mean" in cfg else None,
                       tuple(cfg["std"]) if "std" in cfg else None)


# --- weights shipped inside an offline installer ----------------------------------------
# An installer built with --bundle-model carries one weights file in a models/ dir of the
# bundle, named bundled_file_name(model, tag, suffix). It is read in place (the install dir
# may be read-only) and needs no network. $PHOTOSEARCH_BUNDLED_MODELS adds a dir to search.
BUNDLED_MODELS_ENV = "PHOTOSEARCH_BUNDLED_MODELS"
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def bundled_file_name(model: str, tag: str, suffix: str) -> str:
    """File name of a bundled weights file: <model>--<tag><suffix>, unsafe chars as '_'."""
    import re

    def safe(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]", "_", s)

    return f"{safe(model)}--{safe(tag)}{suffix}"


def bundled_model_dirs() -> list[Path]:
    """Where bundled weights may be: $PHOTOSEARCH_BUNDLED_MODELS, then (in a frozen build)
    models/ inside the bundle's data dir and models/ next to the executable."""
    import sys

    dirs = []
    if os.environ.get(BUNDLED_MODELS_ENV):
        dirs.append(Path(os.environ[BUNDLED_MODELS_ENV]).expanduser())
    if getattr(sys, "frozen", False):
        bundle_dir = getattr(sys, "_MEIPASS", None)  # PyInstaller's unpacked bundle
        if bundle_dir:
            dirs.append(Path(bundle_dir) / "models")
        dirs.append(Path(sys.executable).resolve().parent / "models")
    return dirs


def bundled_weights(model: str, tag: str) -> str | None:
    """The bundled weights file for (model, tag), or None."""
    for directory in bundled_model_dirs():
        for suffix in _WEIGHT_SUFFIXES:
            path = directory / bundled_file_name(model, tag, suffix)
            if path.is_file():
                return str(path)
    return None


def _cached_or_download(cfg: dict, cache_dir: Path, download: bool) -> str:
    cache_dir.mkdir(parents=True, exist_ok=True)
    hub = cfg.get("hf_hub", "")
    url = cfg.get("url", "")
    source = hub or url
    try:
        if hub:
            return _from_hub(hub, cache_dir, download)
        if url:
            return _from_url(url, cache_dir, download)
    except WeightsUnavailable:
        raise
    except Exception as exc:  # network errors come in many types; all mean "not available"
        raise WeightsUnavailable(_how_to_supply(source, f"download failed: {exc}")) from exc
    raise WeightsUnavailable(_how_to_supply("(no source known)", "no download source"))


def _from_hub(hub: str, cache_dir: Path, download: bool) -> str:
    from huggingface_hub import hf_hub_download

    repo, filename = hub.rstrip("/").split("/", 2)[:2], hub.rstrip("/").split("/", 2)[2:]
    repo_id = "/".join(repo)
    names = filename or ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"]
    for local_only in ((True, False) if download else (True,)):
        if not local_only and not _reachable("huggingface.co"):
            break  # offline: fail in a second instead of after the hub's minute of retries
        for name in names:
            try:
                return hf_hub_download(repo_id, name, cache_dir=str(cache_dir),
                                       local_files_only=local_only)
            except Exception:
                continue
    raise WeightsUnavailable(_how_to_supply(
        f"https://huggingface.co/{repo_id}",
        "not on disk" if not download else "could not be downloaded (offline?)"))


def _from_url(url: str, cache_dir: Path, download: bool) -> str:
    from open_clip.pretrained import download_pretrained_from_url

    target = cache_dir / os.path.basename(url)
    if target.is_file():
        return str(target)
    if not download or not _reachable(url.split("/")[2]):
        raise WeightsUnavailable(_how_to_supply(url, "not on disk" if not download
                                                else "could not be downloaded (offline?)"))
    return download_pretrained_from_url(url, cache_dir=str(cache_dir))


def _reachable(host: str, timeout: float = 3.0) -> bool:
    import socket

    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _how_to_supply(source: str, why: str) -> str:
    return (f"CLIP weights {why}. Download them on a connected machine from {source} and "
            "pass the file with --pretrained /path/to/weights (or set it in Settings); "
            "browsing, exact/perceptual duplicates and folder watching work without weights")
