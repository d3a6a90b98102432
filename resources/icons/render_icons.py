"""Render the app icon (photosearch.svg) to the PNG sizes, .ico and .icns the installers use.

Run after editing the SVG:  python resources/icons/render_icons.py [OUT_DIR]
The SVG is rasterised by rsvg-convert (Debian: librsvg2-bin) when it is installed, else by
Qt's SVG renderer (PySide6, already in the project's environment); Pillow writes the .ico
and .icns. The outputs are committed, so building an installer never needs either tool.
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


def png_path(size: int, out: Path = HERE) -> Path:
    """hicolor theme layout: hicolor/<N>x<N>/apps/photosearch.png."""
    return out / "hicolor" / f"{size}x{size}" / "apps" / "photosearch.png"


def _rsvg(tool: str, size: int, target: Path) -> None:
    subprocess.run([tool, "-w", str(size), "-h", str(size), str(SVG), "-o", str(target)],
                   check=True)


def _qt(size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["render_icons", "-platform",
                                                         "offscreen"])
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(target), "PNG"):
        raise OSError(f"could not write {target}")


def render(out: Path = HERE) -> None:
    tool = shutil.which("rsvg-convert")
    for size in SIZES:
        target = png_path(size, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        if tool:
            _rsvg(tool, size, target)
        else:
            _qt(size, target)
    big = Image.open(png_path(512, out)).convert("RGBA")
    big.save(out / "photosearch.ico", sizes=[(s, s) for s in ICO_SIZES])
    big.save(out / "photosearch.icns")


if __name__ == "__main__":
    render(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
