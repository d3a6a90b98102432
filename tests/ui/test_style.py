"""Issue 17: the look lives in ui/style.py. No colour or font-size literal anywhere else in
the ui package (the icon module tints from the palette too), and every palette role is a
valid colour in both themes."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import photosearch

UI = Path(photosearch.__file__).parent / "ui"
ALLOWED = {"style.py"}

HEX = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?\b|#[0-9a-fA-F]{3}\b")
IN_STRINGS = [HEX, re.compile(r"\brgba?\("), re.compile(r"font-size|font:\s*\d"),
              re.compile(r"\b(color|background)\s*:\s*[a-z]+\b(?!\()")]
IN_CODE = [re.compile(r"QColor\(\s*(\d|\"|')"), re.compile(r"Qt\.GlobalColor\."),
           re.compile(r"\bQt\.(white|black|red|green|blue|gray|darkRed|yellow)\b"),
           re.compile(r"set(Point|Pixel)Size(F)?\(\s*\d"), re.compile(r"QFont\([^)]*,\s*\d")]


def literals_in(source: str) -> list[str]:
    """Colour and font-size literals in Python source: in its strings, and in its code."""
    found = []
    code_only = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            text = tok.string
            if text.startswith(('"""', "'''")):  # docstrings may talk about colours
                continue
            found += [f"{tok.start[0]}: {text}" for p in IN_STRINGS if p.search(text)]
        elif tok.type not in (tokenize.COMMENT,):
            code_only.append((tok.start[0], tok.string))
    code = "".join(s if s != "\n" else "\n" for _l, s in code_only)
    for p in IN_CODE:
        found += [f"code: {m.group(0)}" for m in p.finditer(code)]
    return found


def test_the_scanner_finds_planted_literals():
    bad = ('QColor(230, 150, 40)\nx = "#d04040"\nQt.GlobalColor.darkRed\n'
           'w.setStyleSheet("background: black")\nf.setPointSize(14)\n'
           's = "<span style=\'color:red\'>"\n')
    assert len(literals_in(bad)) >= 6
    assert literals_in('"""A #fff docstring."""\n# a #123456 comment\nx = style.color("text")\n') \
        == []


def test_no_colour_or_font_literal_outside_the_style_module():
    found = {p.name: literals_in(p.read_text("utf-8")) for p in sorted(UI.glob("*.py"))
             if p.name not in ALLOWED}
    assert {k: v for k, v in found.items() if v} == {}


def test_palettes_have_every_role_as_a_colour():
    from PySide6.QtGui import QColor

    from photosearch.ui import style

    for pal in (style.LIGHT, style.DARK):
        for role in style.roles():
            assert QColor(getattr(pal, role)).isValid(), (pal.name, role)
    css = style.stylesheet(style.DARK, 9)
    assert "font-size: 14pt" in css and "font-size: 11pt" in css  # the two headings
    assert {style.SPACE_S, style.SPACE_M, style.SPACE_L} == {4, 8, 16}
