"""The app icon's identity: one name (photosearch) used by the .desktop entry, the AppStream
metainfo, the hicolor files the .deb installs, the installers and the running window."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from photosearch.ui.app_icon import ICON_NAME, icon_dirs

REPO = Path(__file__).resolve().parents[2]
RES = REPO / "resources"


def test_desktop_and_metainfo_name_the_icon_files_that_exist():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(RES / "photosearch.desktop", encoding="utf-8")
    name = parser["Desktop Entry"]["Icon"]
    assert name == ICON_NAME
    meta = ET.parse(RES / "io.github.photosearch.metainfo.xml").getroot()
    assert meta.findtext("icon") == name
    assert (RES / "icons" / f"{name}.svg").is_file()  # hicolor/scalable
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = RES / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{name}.png"
        with Image.open(png) as im:
            assert im.size == (size, size)
    # the .deb installs exactly these names into the hicolor tree
    build = (REPO / "installer" / "build_linux.sh").read_text(encoding="utf-8")
    assert f"resources/icons/hicolor/*/apps/{name}.png" in build
    assert f"resources/icons/{name}.svg" in build


def test_installers_point_at_the_ico_and_icns():
    spec = (REPO / "installer" / "photosearch.spec").read_text(encoding="utf-8")
    iss = (REPO / "installer" / "windows" / "photosearch.iss").read_text(encoding="utf-8")
    assert "photosearch.icns" in spec and "photosearch.ico" in iss
    with Image.open(RES / "icons" / "photosearch.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(RES / "icons" / "photosearch.icns") as icns:
        assert icns.size == (512, 512) or max(icns.info.get("sizes", [(0, 0, 0)]))[0] >= 256


def test_the_source_tree_icons_are_found_first_without_a_bundle():
    assert icon_dirs()[-1] == RES / "icons"


def test_the_committed_icons_are_renders_of_the_svg(tmp_path, monkeypatch):
    """Re-render the SVG (Qt's renderer when rsvg-convert is absent) and compare with the
    committed PNGs: an edited SVG without re-rendered files fails here."""
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("render_icons",
                                                  RES / "icons" / "render_icons.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # the Qt path, here too
    mod.render(tmp_path)
    for size in (32, 128):
        with Image.open(mod.png_path(size, tmp_path)) as new, \
                Image.open(mod.png_path(size)) as old:
            assert new.size == old.size == (size, size)
            a, b = new.convert("RGBA").tobytes(), old.convert("RGBA").tobytes()
            mean = sum(abs(x - y) for x, y in zip(a, b)) / len(a)
            assert mean < 8, (size, mean)  # two renderers: small anti-aliasing differences
    with Image.open(tmp_path / "photosearch.ico") as ico:
        assert (256, 256) in ico.info["sizes"]
