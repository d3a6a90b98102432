"""Evaluation harness: retrieval Recall@K on captioned images, zero-shot accuracy on folders.

With real CLIP weights these give the published kind of numbers (e.g. Flickr retrieval,
ImageNet-style zero-shot); with the random test model they must sit at chance level, which
is printed beside every number so the two are never confused.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import imaging, prompts

KS = (1, 5, 10)

log = logging.getLogger(__name__)


# -- metrics -------------------------------------------------------------------------------
def recall_at_k(sim: np.ndarray, relevant: list[set[int]], ks=KS) -> dict[int, float]:
    """Fraction of queries (rows of `sim`, higher = more similar) with at least one relevant
    item among their top k. Ties are broken by item index, deterministically."""
    sim = np.asarray(sim, np.float64)
    if sim.shape[0] != len(relevant):
        raise ValueError("one set of relevant items per query is needed")
    order = np.argsort(-sim, axis=1, kind="stable")
    out = {}
    for k in ks:
        top = order[:, :k]
        hits = [bool(rel.intersection(row.tolist())) for row, rel in zip(top, relevant)]
        out[k] = float(np.mean(hits)) if hits else 0.0
    return out


def topk_accuracy(sim: np.ndarray, truth: np.ndarray, ks=(1, 5)) -> dict[int, float]:
    """Zero-shot accuracy: rows are images, columns classes, truth the class index."""
    return recall_at_k(sim, [{int(t)} for t in truth], ks)


def chance_recall(n_items: int, n_relevant: float, k: int) -> float:
    """Expected Recall@k of a random ranking with n_relevant of n_items relevant."""
    if k >= n_items:
        return 1.0
    r = max(1, round(n_relevant))
    return 1.0 - math.comb(n_items - r, k) / math.comb(n_items, k)


# -- data ----------------------------------------------------------------------------------
# The caption files people have, each with the name `eval captions` prints on detecting it.
CAPTION_FORMATS = {
    "csv": "CSV 'image,caption' (Flickr8k/30k on Kaggle)",
    "flickr-token": "Flickr8k/30k token file 'image#n<TAB>caption'",
    "pipe": "Flickr30k CSV 'image_name| comment_number| comment'",
    "coco": "COCO captions JSON (images + annotations)",
    "karpathy": "Karpathy split JSON (images with sentences)",
}


@dataclass(frozen=True)
class CaptionFile:
    format: str  # a key of CAPTION_FORMATS
    rows: list[tuple[str, str]]  # (image file name relative to the images folder, caption)

    @property
    def format_name(self) -> str:
        return CAPTION_FORMATS[self.format]


def load_captions(path: str) -> CaptionFile:
    """Read a captions file in any of CAPTION_FORMATS, detected from its content."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path} is not a UTF-8 text file ({exc.reason})") from exc
    fmt = _detect(text)
    rows = {"csv": _csv_rows, "flickr-token": _token_rows, "pipe": _pipe_rows,
            "coco": _json_rows, "karpathy": _json_rows}[fmt](text)
    rows = [(img.strip(), cap.strip()) for img, cap in rows if img.strip() and cap.strip()]
    if not rows:
        raise EvalError(f"{path} has no captions (read as {CAPTION_FORMATS[fmt]}); "
                        f"supported: {'; '.join(CAPTION_FORMATS.values())}")
    return CaptionFile(fmt, rows)


def read_captions(path: str) -> list[tuple[str, str]]:
    """(image file name, caption) rows of a captions file in any supported format."""
    return load_captions(path).rows


def _detect(text: str) -> str:
    head = text.lstrip()
    if head[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise EvalError(f"captions file looks like JSON but is not valid JSON ({exc})") \
                from exc
        if isinstance(data, dict) and "annotations" in data:
            return "coco"
        if isinstance(data, dict) and isinstance(data.get("images"), list):
            return "karpathy"
        raise EvalError("JSON captions file is neither COCO captions (images + annotations) "
                        "nor a Karpathy split (images with sentences)")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "\t" in first and re.match(r"^[^\t]+#\d+\t", first):
        return "flickr-token"
    if "|" in first and len(first.split("|")) >= 3:
        return "pipe"
    return "csv"


def _csv_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if len(row) < 2:
            continue
        image, caption = row[0].strip(), ",".join(row[1:]).strip()
        if i == 0 and image.lower() in ("image", "image_name", "filename", "file_name"):
            continue
        rows.append((image, caption))
    return rows


def _token_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        key, tab, caption = line.partition("\t")
        if tab:
            rows.append((re.sub(r"#\d+$", "", key.strip()), caption))
    return rows


def _pipe_rows(text: str) -> list[tuple[str, str]]:
    rows = []
    for i, line in enumerate(text.splitlines()):
        parts = line.split("|", 2)
        if len(parts) < 3:
            continue
        if i == 0 and parts[0].strip().lower() in ("image_name", "image"):
            continue
        rows.append((parts[0], parts[2]))
    return rows


def _json_rows(text: str) -> list[tuple[str, str]]:
    data = json.loads(text)
    images = data.get("images") or []
    if "annotations" in data:  # COCO: captions point at images by id
        names = {img.get("id"): img.get("file_name") or img.get("filename")
                 for img in images if isinstance(img, dict)}
        return [(str(names.get(a.get("image_id")) or ""), str(a.get("caption") or ""))
                for a in data["annotations"] if isinstance(a, dict)]
    rows = []
    for img in images:  # Karpathy: each image lists its sentences
        if not isinstance(img, dict):
            continue
        name = os.path.join(img.get("filepath") or "", img.get("filename") or "")
        for sent in img.get("sentences") or []:
            raw = sent.get("raw") if isinstance(sent, dict) else sent
            rows.append((name, str(raw or "")))
    return rows


class EvalError(Exception):
    """Evaluation input the user has to fix."""


@dataclass
class EvalReport:
    kind: str
    model_id: str
    random_weights: bool
    counts: dict[str, int]
    metrics: dict[str, dict[str, float]]
    chance: dict[str, dict[str, float]]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    source_format: str | None = None  # captions: how the file was read (CAPTION_FORMATS)

    def to_json(self) -> dict:
        extra = {"format": self.source_format} if self.source_format else {}
        return {"kind": self.kind, "model": self.model_id, "random_weights": self.random_weights,
                **extra, **self.counts, "metrics": self.metrics, "chance": self.chance,
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped]}


# -- embedding helpers --------------------------------------------------------------------------
def embed_images(embedder, paths: list[str], batch: int = 64,
                 progress: Callable[[int, int], None] | None = None
                 ) -> tuple[np.ndarray, list[int], list[tuple[str, str]]]:
    """Unit vectors of the readable images; returns (vectors, kept indices, skipped)."""
    vecs, kept, skipped, pixels = [], [], [], []
    for i, path in enumerate(paths):
        try:
            pixels.append(imaging.decode_file(path, embedder.image_size).pixels)
            kept.append(i)
        except (OSError, imaging.ImageError) as exc:
            skipped.append((path, str(exc)))
        if len(pixels) >= batch or (i == len(paths) - 1 and pixels):
            vecs.append(np.asarray(embedder.encode_images(np.stack(pixels)), np.float32))
            pixels = []
        if progress:
            progress(i + 1, len(paths))
    dim = embedder.dim
    return (np.concatenate(vecs) if vecs else np.zeros((0, dim), np.float32)), kept, skipped


def embed_texts(embedder, texts: list[str], batch: int = 256) -> np.ndarray:
    out = [np.asarray(embedder.encode_text(texts[i:i + batch]), np.float32)
           for i in range(0, len(texts), batch)]
    return np.concatenate(out) if out else np.zeros((0, embedder.dim), np.float32)


def class_vectors(embedder, names: list[str], templates: tuple[str, ...]) -> np.ndarray:
    """One unit vector per class: the mean over templates, renormalised (prompt ensemble)."""
    rows = []
    for name in names:
        v = embed_texts(embedder, [t.format(name) for t in templates]).mean(axis=0)
        rows.append(v / np.linalg.norm(v))
    return np.stack(rows)


# -- the two evaluations ----------------------------------------------------------------------
def evaluate_captions(embedder, captions_file: str, images_dir: str, limit: int | None = None,
                      progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Text->image and image->text Recall@1/5/10."""
    source = load_captions(captions_file)
    rows = source.rows
    images = list(dict.fromkeys(img for img, _ in rows))
    if limit:
        images = images[:limit]
    paths = [os.path.join(images_dir, name) for name in images]
    vecs, kept, skipped = embed_images(embedder, paths, progress=progress)
    images = [images[i] for i in kept]
    if not images:
        raise EvalError(f"none of the images listed in {captions_file} could be read "
                        f"from {images_dir}")
    index = {name: i for i, name in enumerate(images)}
    caps = [(index[img], cap) for img, cap in rows if img in index]
    text = embed_texts(embedder, [c for _, c in caps])
    sim = text @ vecs.T  # (captions, images)
    t2i = recall_at_k(sim, [{img} for img, _ in caps])
    by_image: list[set[int]] = [set() for _ in images]
    for j, (img, _) in enumerate(caps):
        by_image[img].add(j)
    i2t = recall_at_k(sim.T, by_image)
    per_image = len(caps) / len(images)
    chance = {"text_to_image": {f"R@{k}": chance_recall(len(images), 1, k) for k in KS},
              "image_to_text": {f"R@{k}": chance_recall(len(caps), per_image, k) for k in KS}}
    return EvalReport(
        "captions", embedder.model_id, bool(getattr(embedder, "random_weights", False)),
        {"images": len(images), "captions": len(caps)},
        {"text_to_image": {f"R@{k}": v for k, v in t2i.items()},
         "image_to_text": {f"R@{k}": v for k, v in i2t.items()}}, chance, skipped,
        source.format)


def folder_classes(root: str, limit_per_class: int | None = None) -> dict[str, list[str]]:
    """Sub-folder name -> image files in it (recursively); folders without images dropped."""
    out = {}
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        try:  # a symlink loop or a dangling link is skipped, not fatal
            if not entry.is_dir() or entry.name.startswith("."):
                continue
        except OSError as exc:
            log.warning("skipping %s: %s", entry.path, exc.strerror or exc)
            continue
        # os.walk does not follow directory links, so loops inside a class end too
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(entry.path) for f in fs
                       if imaging.is_image_name(f))
        if files:
            out[entry.name] = files[:limit_per_class] if limit_per_class else files
    if len(out) < 2:
        raise EvalError(f"{root} needs at least two sub-folders with images (one per class)")
    return out


def class_name(folder: str) -> str:
    return folder.replace("_", " ").replace("-", " ").strip()


def evaluate_folders(embedder, root: str, limit_per_class: int | None = None,
                     progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Zero-shot top-1/top-5 accuracy, sub-folder = class, with and without templates."""
    classes = folder_classes(root, limit_per_class)
    names = list(classes)
    paths, truth = [], []
    for c, name in enumerate(names):
        paths += classes[name]
        truth += [c] * len(classes[name])
    vecs, kept, skipped = embed_images(embedder, paths, progress=progress)
    truth_ids = np.array(truth)[kept]
    labels = [class_name(n) for n in names]
    variants = {
        "class_name_only": ("{}",),
        "single_template": (prompts.SINGLE_TEMPLATE,),
        "template_ensemble": prompts.TEMPLATES,
    }
    ks = (1, 5)
    metrics = {}
    for key, templates in variants.items():
        acc = topk_accuracy(vecs @ class_vectors(embedder, labels, templates).T, truth_ids, ks)
        metrics[key] = {f"top{k}": v for k, v in acc.items()}
    n = len(names)
    chance = {"any": {f"top{k}": min(k, n) / n for k in ks}}
    return EvalReport("folders", embedder.model_id,
                      bool(getattr(embedder, "random_weights", False)),
                      {"images": int(len(truth)), "classes": n,
                       "templates": len(prompts.TEMPLATES)}, metrics, chance, skipped)
