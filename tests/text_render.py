"""Known words drawn onto real photos: ground truth for the OCR tests and bench/bench_text.py.

Fonts: Pillow's built-in scalable font (always there) plus the DejaVu faces when the system
has them (Debian's fonts-dejavu-core); sizes and angles vary per image. Everything is
deterministic: the same index gives the same image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SYSTEM_FONTS = ["DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono-Bold.ttf",
                "DejaVuSans.ttf"]
# Words that do not occur by chance in other photos' text; some with accents.
WORDS = ["BOOKING", "Hardware", "PIZZERIA", "Tuesday", "receipt", "Lighthouse", "VOUCHER",
         "Zanzibar", "Bakery", "MUSEUM", "Station", "Parking", "Café", "Harbour", "GARDEN",
         "Library", "Theatre", "Market", "Pharmacy", "Bicycle", "OCEAN", "Cinema", "Gallery",
         "Kitchen", "Airport", "Chocolate", "Festival", "Mountain", "Brûlée", "Sunrise"]
SIZES = [30, 40, 54]
ANGLES = [0, 0, 7, -10, 0, 15]


@dataclass
class Rendered:
    path: Path
    words: list[str]
    boxes: list[tuple[int, int, int, int]]  # drawn areas (x0, y0, x1, y1), oriented pixels


def fonts() -> list[tuple[str, object]]:
    """(name, factory(size)) of the fonts available here: Pillow's own, then DejaVu."""
    out: list[tuple[str, object]] = [("pillow-default", lambda s: ImageFont.load_default(s))]
    for name in SYSTEM_FONTS:
        if (DEJAVU / name).is_file():
            out.append((name, lambda s, p=DEJAVU / name: ImageFont.truetype(str(p), s)))
    return out


def draw_word(img: Image.Image, word: str, font, xy: tuple[int, int], angle: float,
              fill=(255, 255, 255), stroke=(0, 0, 0)) -> tuple[int, int, int, int]:
    """Draw `word` at xy (top-left), rotated by `angle` degrees, with a contrasting outline."""
    probe = ImageDraw.Draw(img)
    x0, y0, x1, y1 = probe.textbbox((0, 0), word, font=font, stroke_width=3)
    layer = Image.new("RGBA", (x1 - x0 + 16, y1 - y0 + 16), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((8 - x0, 8 - y0), word, font=font, fill=(*fill, 255),
                               stroke_width=3, stroke_fill=(*stroke, 255))
    if angle:
        layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x, y = xy
    x = max(0, min(x, img.width - layer.width))
    y = max(0, min(y, img.height - layer.height))
    img.paste(layer, (x, y), layer)
    return x, y, x + layer.width, y + layer.height


def render(photo: Path, out: Path, index: int, words: list[str] | None = None,
           scale: float = 1.0, size: int | None = None) -> Rendered:
    """Draw one or two known words onto a copy of `photo` (saved as JPEG at `out`)."""
    img = Image.open(photo).convert("RGB")
    if scale != 1.0:
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.BICUBIC)
    rng = np.random.default_rng(index)
    fs = fonts()
    chosen = words if words is not None else [WORDS[index % len(WORDS)]]
    boxes = []
    for k, word in enumerate(chosen):
        name, factory = fs[(index + k) % len(fs)]
        px = round((size or SIZES[(index + k) % len(SIZES)]) * scale)
        angle = ANGLES[(index + k) % len(ANGLES)]
        font = factory(px)
        x = int(rng.integers(10, max(11, img.width // 3)))
        y = int(img.height * (0.15 + 0.55 * k) + rng.integers(0, max(1, img.height // 8)))
        light = (index + k) % 2 == 0
        boxes.append(draw_word(img, word, font, (x, y), angle,
                               fill=(255, 255, 255) if light else (20, 20, 20),
                               stroke=(0, 0, 0) if light else (255, 255, 255)))
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, "JPEG", quality=90)
    return Rendered(out, chosen, boxes)
