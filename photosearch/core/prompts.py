"""Prompt templates, the generic background prompts used for calibration, and starter labels.

Templates follow the CLIP paper's prompt-ensembling recipe (a subset of its ImageNet
templates suited to personal photos): a label's prompt is written into every template and
the text embeddings are averaged, which is more robust than any single phrasing.

The background fillers are deliberately generic nouns written into the *same* templates, so
that whatever a template adds on its own ("a photo of ...") appears on both sides of the
calibration and cancels out (see tagging.py).
"""

from __future__ import annotations

# Eight templates: most of the ensembling gain in the CLIP paper comes from the first few
# prompts, and each template costs one text encoding per prompt (slow on a CPU).
TEMPLATES: tuple[str, ...] = (
    "a photo of {}.",
    "a close-up photo of {}.",
    "a bright photo of {}.",
    "a dark photo of {}.",
    "a cropped photo of {}.",
    "a photo of a large {}.",
    "a photo of a small {}.",
    "a low resolution photo of {}.",
)

# The single template used as the "no ensemble" baseline in evaluation (the CLIP default).
SINGLE_TEMPLATE = "a photo of a {}."

BACKGROUND_FILLERS: tuple[str, ...] = (
    "something",
    "an object",
    "a scene",
    "a place",
    "a thing",
    "an everyday moment",
)

# Starter label sets: name -> {label: [prompts]}. Users enable a set, then edit its labels
# like their own. Several prompts per label cover the common ways the thing looks.
STARTER_SETS: dict[str, dict[str, list[str]]] = {
    "documents": {
        "screenshots": ["a screenshot of a phone", "a screenshot of a computer screen"],
        "documents": ["a scanned document", "a page of printed text", "a form"],
        "receipts": ["a receipt", "a shopping receipt", "an invoice"],
        "whiteboards": ["a whiteboard with writing", "a whiteboard"],
        "memes": ["a meme with text", "an image with a caption in large letters"],
    },
    "life": {
        "food": ["food", "a plate of food", "a meal"],
        "pets": ["a pet", "a dog", "a cat"],
        "people": ["people", "a person", "a group of people"],
    },
    "outdoors": {
        "landscapes": ["a landscape", "mountains", "a countryside view"],
        "night": ["a night scene", "a city at night"],
        "snow": ["snow", "a snowy landscape"],
        "beach": ["a beach", "the sea shore", "sand and sea"],
    },
    "things": {
        "vehicles": ["a car", "a vehicle", "a bicycle", "a motorbike"],
    },
}


def expand(prompt: str, use_templates: bool = True) -> list[str]:
    """The texts a prompt is encoded as: every template, or the prompt verbatim."""
    if not use_templates:
        return [prompt]
    return [t.format(prompt) for t in TEMPLATES]


def starter_labels(set_name: str) -> dict[str, list[str]]:
    """Labels of one starter set ('all' for every set); KeyError names the known sets."""
    if set_name == "all":
        return {k: v for s in STARTER_SETS.values() for k, v in s.items()}
    if set_name not in STARTER_SETS:
        raise KeyError(f"no starter set '{set_name}'; known: all, {', '.join(STARTER_SETS)}")
    return dict(STARTER_SETS[set_name])
