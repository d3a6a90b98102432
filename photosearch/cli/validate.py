"""User mistakes in global options, caught at the door: one line naming the bad value and
what is allowed, exit 2 (usage). Also `photosearch models`, the full list of model names.

Model names are read from open_clip's config files without importing torch, so checking
`--model` costs nothing on commands that never load a model."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from . import UsageError

SUPPORTED_MODELS = ("ViT-B-32", "ViT-B-16", "ViT-L-14", "ViT-H-14", "ViT-SO400M-14-SigLIP")
REMOTE_PREFIXES = ("hf-hub:", "local-dir:")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
DEVICES = "auto, cpu, cuda, cuda:N or mps"


def register(sub) -> None:
    p = sub.add_parser("models", help="list every model name --model accepts")
    p.set_defaults(func=models)


def models(args) -> int:
    for name in sorted(model_names(), key=str.lower):
        print(name)
    return 0


def model_names() -> set[str]:
    """Every open_clip model config name, plus photosearch's own (test-tiny)."""
    dirs = [Path(__file__).resolve().parent.parent / "core" / "model_configs"]
    spec = importlib.util.find_spec("open_clip")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        dirs.append(Path(loc) / "model_configs")
    names: set[str] = set()
    for d in dirs:
        try:
            names.update(f.stem for f in d.glob("*.json"))
        except OSError:
            continue
    return names


def check_global_options(args) -> None:
    """Raise UsageError for a bad --device, --model or --pretrained."""
    device = getattr(args, "device", None)
    if device is not None and not _is_device(device):
        raise UsageError(f"--device {device!r} is not a device; use {DEVICES}")
    model = getattr(args, "model", None)
    if model is not None and not model.startswith(REMOTE_PREFIXES):
        known = model_names()
        if known and model not in known:
            close = sorted(n for n in known if n.lower() == model.lower())
            hint = f"did you mean {close[0]}? " if close else ""
            raise UsageError(f"--model {model!r} is not a known model; {hint}supported: "
                             f"{', '.join(SUPPORTED_MODELS)} (all {len(known)}: "
                             "'photosearch models')")
    pretrained = getattr(args, "pretrained", None)
    if pretrained is not None and looks_like_path(pretrained):
        path = os.path.expanduser(pretrained)
        if not os.path.exists(path):
            raise UsageError(f"--pretrained {pretrained!r}: no such file; give an existing "
                             "weights file, a pretrained tag (e.g. laion2b_s34b_b79k) or "
                             "'none'")
        if not os.path.isfile(path):
            raise UsageError(f"--pretrained {pretrained!r} is not a file; give a weights file")


def _is_device(v: str) -> bool:
    return v in ("auto", "cpu", "cuda", "mps") or (v.startswith("cuda:") and v[5:].isdigit())


def looks_like_path(value: str) -> bool:
    return (os.sep in value or value.startswith(("~", ".")) or
            value.lower().endswith(WEIGHT_SUFFIXES))
