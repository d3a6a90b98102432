"""Render the app icon (photosearch.svg) to the PNG sizes, .ico and .icns the installers use.

Run after editing the SVG:  python resources/icons/render_icons.py
Needs rsvg-convert (Debian: librsvg2-bin) for the SVG and Pillow for .ico/.icns. The outputs
are committed, so building an installer never needs either tool.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
SVG = HERE / "photosearch.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    """hicolor theme layout: hicolor/<N>x<N>/apps/photosearch.png."""
    return HERE / "hicolor" / f"{size}x{size}" / "apps" / "photosearch.png"


def render() -> None:
    tool = shutil.which("rsvg-convert")
    if not tool:
        sys.exit("rsvg-convert not found: apt-get install librsvg2-bin")
    for size in SIZES:
        out = png_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([tool, "-w", str(size), "-h", str(size), str(SVG), "-o", str(out)],
                       check=True)
    big = Image.open(png_path(512)).convert("RGBA")
    big.save(HERE / "photosearch.ico", sizes=[(s, s) for s in ICO_SIZES])
    big.save(HERE / "photosearch.icns")


if __name__ == "__main__":
    render()
