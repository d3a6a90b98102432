"""The CLIP model: load, pick a device, encode image batches and text queries.

Importing this module imports torch (slow), so the rest of the engine imports it lazily,
only when embedding is really needed.
"""

from __future__ import annotations

import copy
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import open_clip
import torch

from . import weights as weights_mod

log = logging.getLogger(__name__)

_CONFIG_DIR = Path(__file__).with_name("model_configs")
open_clip.add_model_config(_CONFIG_DIR)

TEST_MODEL = "test-tiny"
RANDOM_SEED = 0  # random init is seeded so a "none" model gives the same embeddings every run


class DeviceUnavailable(RuntimeError):
    """The device the user asked for is not there; str() says what to use instead."""


def pick_device(requested: str = "auto") -> str:
    """CUDA, then Apple MPS, then CPU; an explicit request is honoured or refused clearly."""
    if requested and requested != "auto":
        if requested.startswith("cuda") and not torch.cuda.is_available():
            raise DeviceUnavailable(f"device '{requested}' was asked for but there is no CUDA "
                                    "GPU on this machine; use --device auto or --device cpu")
        if requested.startswith("cuda:") and int(requested[5:]) >= torch.cuda.device_count():
            raise DeviceUnavailable(f"device '{requested}' does not exist (this machine has "
                                    f"{torch.cuda.device_count()} CUDA GPUs, numbered from 0)")
        if requested == "mps" and not torch.backends.mps.is_available():
            raise DeviceUnavailable("device 'mps' was asked for but Apple MPS is not available "
                                    "here; use --device auto or --device cpu")
        return requested
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


@dataclass
class TruncationNotice:
    text: str
    tokens: int
    limit: int


class Embedder:
    """One loaded open_clip model on one device."""

    def __init__(self, spec: weights_mod.WeightsSpec, device: str = "auto"):
        self.spec = spec
        self.device = pick_device(device)
        self.fp16 = self.device.startswith("cuda")
        if spec.path is None:
            torch.manual_seed(RANDOM_SEED)
            log.warning("model %s has RANDOM weights (--pretrained none): search results are "
                        "meaningless; use it only for tests", spec.model)
        kwargs: dict = {}
        if spec.quick_gelu:
            kwargs["force_quick_gelu"] = True
        if spec.path is None:
            kwargs["pretrained_text"] = False  # random means random: no base text weights
        text_cfg = _local_text_cfg(spec)
        if text_cfg is not None:
            kwargs["text_cfg"] = text_cfg
        root = logging.getLogger()
        level = root.level
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root.setLevel(logging.ERROR)  # open_clip's own "randomly initialised" notice
            model, _, preprocess = open_clip.create_model_and_transforms(
                spec.model, pretrained=spec.path, device=self.device,
                precision="fp16" if self.fp16 else "fp32", **kwargs)
        root.setLevel(level)
        model.eval()
        self.model = model
        cfg = getattr(model.visual, "preprocess_cfg", {}) or {}
        size = cfg.get("size", getattr(model.visual, "image_size", 224))
        self.image_size = int(size[0] if isinstance(size, (tuple, list)) else size)
        mean = spec.mean or cfg.get("mean") or open_clip.OPENAI_DATASET_MEAN
        std = spec.std or cfg.get("std") or open_clip.OPENAI_DATASET_STD
        dtype = torch.float16 if self.fp16 else torch.float32
        self._mean = torch.tensor(mean, device=self.device, dtype=dtype).view(1, 3, 1, 1) * 255
        self._std = torch.tensor(std, device=self.device, dtype=dtype).view(1, 3, 1, 1) * 255
        self.tokenizer = (_local_tokenizer(text_cfg) if text_cfg is not None
                          and "hf_tokenizer_name" in dict(spec.text_files)
                          else open_clip.get_tokenizer(spec.model))
        self.context_length = int(getattr(self.tokenizer, "context_length", 77))
        self.dim = int(self.encode_text(["x"])[0].shape[0])
        self._text_cache: dict[str, np.ndarray] = {}
        self.onnx_export: Any = None  # the ONNX export load() ran (onnx_export.ExportJob)

    @property
    def model_id(self) -> str:
        return self.spec.model_id

    @property
    def random_weights(self) -> bool:
        return self.spec.path is None

    def default_batch_size(self) -> int:
        return 256 if self.device.startswith("cuda") else 32

    @torch.inference_mode()
    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) centre-cropped pixels -> L2-normalised float32 (N, D)."""
        pixels = np.ascontiguousarray(pixels)
        if not pixels.flags.writeable:  # e.g. decoded straight from a read-only buffer
            pixels = pixels.copy()
        t = torch.from_numpy(pixels)
        if self.device.startswith("cuda"):
            t = t.pin_memory().to(self.device, non_blocking=True)
        else:
            t = t.to(self.device)
        t = t.permute(0, 3, 1, 2).to(self._mean.dtype)
        t = (t - self._mean) / self._std
        feats = self.model.encode_image(t)
        feats = torch.nn.functional.normalize(feats.float(), dim=-1)
        return feats.cpu().numpy()

    @torch.inference_mode()
    def encode_text(self, texts: list[str]) -> np.ndarray:
        """Texts -> L2-normalised float32 (N, D); over-long texts are truncated by the tokenizer."""
        tokens = self.tokenizer(texts).to(self.device)
        feats = self.model.encode_text(tokens)
        return torch.nn.functional.normalize(feats.float(), dim=-1).cpu().numpy()

    def encode_query(self, text: str) -> np.ndarray:
        """One query, cached: the GUI re-runs the same text as the user types and pages."""
        vec = self._text_cache.get(text)
        if vec is None:
            vec = self.encode_text([text])[0]
            if len(self._text_cache) > 256:
                self._text_cache.pop(next(iter(self._text_cache)))
            self._text_cache[text] = vec
        return vec

    def truncation(self, text: str) -> TruncationNotice | None:
        """Tell whether a query is longer than the model's context (the tail is dropped)."""
        encode = getattr(self.tokenizer, "encode", None)
        if encode is None:
            return None
        n = len(encode(text)) + 2  # start and end tokens
        return TruncationNotice(text, n, self.context_length) if n > self.context_length else None


def _local_text_cfg(spec: weights_mod.WeightsSpec) -> dict | None:
    """The model's text config with its Hugging Face names replaced by the local folders
    they were fetched to (hf_text.fetch_text_files), so nothing is looked up online."""
    if not spec.text_files:
        return None
    cfg = copy.deepcopy((open_clip.get_model_config(spec.model) or {}).get("text_cfg") or {})
    cfg.update(dict(spec.text_files))
    # The text weights come with the CLIP checkpoint (or are random): never load the base
    # model's own weights (open_clip sets this on its copy of the config, not on ours).
    cfg["hf_model_pretrained"] = False
    return cfg


def _local_tokenizer(text_cfg: dict):
    """open_clip's HFTokenizer on a local folder (what get_tokenizer builds from a hub name)."""
    from open_clip.tokenizer import DEFAULT_CONTEXT_LENGTH, HFTokenizer

    return HFTokenizer(text_cfg["hf_tokenizer_name"],
                       context_length=text_cfg.get("context_length", DEFAULT_CONTEXT_LENGTH),
                       tokenizer_mode=text_cfg.get("tokenizer_mode"),
                       **(text_cfg.get("tokenizer_kwargs") or {}))


def load(model: str, pretrained: str, cache_dir: Path, device: str = "auto",
         download: bool = True, export_onnx: bool = True) -> Embedder:
    """Resolve weights (cache first) and load the model; raises WeightsUnavailable."""
    spec = weights_mod.resolve(model, pretrained, cache_dir, download=download)
    pick_device(device)  # an unavailable device is the user's to fix, not a weights problem
    try:
        embedder = Embedder(spec, device)
    except DeviceUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a bad weights file is a user mistake, not a bug
        if spec.path is None or not os.path.isfile(os.path.expanduser(pretrained)):
            raise
        raise weights_mod.WeightsUnavailable(
            f"weights file {spec.path} could not be loaded as model {model} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}); "
            f"give an open_clip checkpoint of {model}, or a pretrained tag") from exc
    if export_onnx:  # once per model: later queries then run without torch
        from .onnx_export import export_job

        embedder.onnx_export = export_job(embedder, cache_dir)
    return embedder
