"""What the app tells users about models: download size and a one-line trade-off note.

Sizes are the published weight files (fp32), rounded; notes describe the models' known
trade-offs in general terms. Nothing here was measured on this project's data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelChoice:
    model: str
    pretrained: str
    download_mb: int | None
    note: str


CHOICES = [
    ModelChoice("ViT-B-32", "laion2b_s34b_b79k", 600,
                "Default. Fast on CPU and GPU, good general quality. English queries."),
    ModelChoice("ViT-B-16", "laion2b_s34b_b88k", 600,
                "Same download, about 3x slower to index; usually better on small details."),
    ModelChoice("ViT-L-14", "laion2b_s32b_b82k", 1700,
                "Much slower (GPU recommended); usually the best quality of these."),
    ModelChoice("xlm-roberta-base-ViT-B-32", "laion5b_s13b_b90k", 1500,
                "Multilingual: queries in many languages. Needs the 'multilingual' extra "
                "(pip install 'photosearch[multilingual]': transformers, sentencepiece)."),
]
TEST_CHOICE = ModelChoice("test-tiny", "none", 0,
                          "Tiny random model for tests: no download, results are meaningless.")


def describe(model: str, pretrained: str) -> str:
    """One paragraph for the first-run screen and settings."""
    if pretrained.lower() == "none":
        return (f"{model} with random weights (no download). Search results are meaningless: "
                "this is for tests only.")
    if os.path.isfile(os.path.expanduser(pretrained)):
        return f"{model} with weights from the local file {pretrained} (no download)."
    for c in CHOICES:
        if (c.model, c.pretrained) == (model, pretrained):
            return (f"{model} ({pretrained}): about {c.download_mb:,} MB, downloaded once on "
                    f"first use and then used offline. {c.note}")
    return f"{model} ({pretrained}): downloaded once on first use (size depends on the model)."


def download_mb(model: str, pretrained: str) -> int | None:
    """The known download size of a model's weights, or None."""
    for c in CHOICES:
        if (c.model, c.pretrained) == (model, pretrained):
            return c.download_mb
    return None
