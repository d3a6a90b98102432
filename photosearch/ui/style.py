"""The app's look in one place: a palette for light and dark (colours as named roles), a
type scale, spacing constants and the application stylesheet built from them.

Every colour and font size the ui uses lives here (tests/ui/test_style.py greps the rest of
the package for literals). `theme.apply` installs a palette; widgets ask `color(role)` at
paint time, so they follow a theme switch, and mark themselves with `set_kind` (primary,
danger) or `heading` for the stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

# -- spacing (px) and type scale (pt) ------------------------------------------------------
SPACE_S, SPACE_M, SPACE_L = 4, 8, 16
BASE_PT = 9  # body text: the platform's own size (9 pt on Linux), passed to stylesheet()
H2_STEP = 2  # section headings and card titles: base + 2 pt
H1_STEP = 5  # screen titles: base + 5 pt
RADIUS = 6


@dataclass(frozen=True)
class Palette:
    """Named colour roles (#rrggbb or #aarrggbb)."""

    name: str
    window: str  # the window's background
    surface: str  # lists, grids, text fields
    raised: str  # cards, buttons, alternate rows
    sidebar: str
    text: str
    muted: str  # secondary text (counts, hints)
    disabled: str
    border: str
    accent: str  # selection, primary actions
    on_accent: str  # text on accent
    danger: str  # destructive actions
    on_danger: str
    warn_bg: str
    warn_text: str
    error_bg: str
    error_text: str
    error_inline: str  # an error word in running text
    offline: str  # an unreachable folder in the sidebar
    keeper_bg: str  # the keeper's tile in a duplicate group
    marker: str  # the bar before the first weaker match
    placeholder: str  # a thumbnail on its way
    broken: str  # a thumbnail that cannot be made
    match_fill: str  # a word box that matches the query
    match_pen: str
    other_pen: str  # other word boxes
    face_pen: str  # a named person's face box
    face_unnamed_pen: str  # a face nobody named yet
    face_name_bg: str  # under a face's name
    viewer_bg: str
    tooltip_bg: str
    link: str


LIGHT = Palette(
    name="light", window="#f4f5f7", surface="#ffffff", raised="#e9ebef", sidebar="#eceef2",
    text="#1d1f23", muted="#5b616b", disabled="#8d939c", border="#c5cad2",
    accent="#1f63c6", on_accent="#ffffff", danger="#c62828", on_danger="#ffffff",
    warn_bg="#fbe3a1", warn_text="#3b2f00", error_bg="#f6c9c9", error_text="#4a0d0d",
    error_inline="#b3261e", offline="#6b7079", keeper_bg="#5a3ca050", marker="#e69628",
    placeholder="#28808080", broken="#3cc83c3c", match_fill="#5affd600",
    match_pen="#ffaa00", other_pen="#c850a0ff", face_pen="#28dc78",
    face_unnamed_pen="#c8ffffff", face_name_bg="#aa000000", viewer_bg="#000000",
    tooltip_bg="#ffffff",
    link="#1f63c6")

DARK = Palette(
    name="dark", window="#232428", surface="#1b1c1f", raised="#31333a", sidebar="#1e1f23",
    text="#e8e9ec", muted="#a6abb4", disabled="#7b8089", border="#4a4e57",
    accent="#2f6fce", on_accent="#ffffff", danger="#c9302c", on_danger="#ffffff",
    warn_bg="#5a4a12", warn_text="#fbe7a6", error_bg="#5c2323", error_text="#ffd6d6",
    error_inline="#ff8a80", offline="#8e939b", keeper_bg="#5a3ca050", marker="#e69628",
    placeholder="#28808080", broken="#3cc83c3c", match_fill="#5affd600",
    match_pen="#ffaa00", other_pen="#c850a0ff", face_pen="#28dc78",
    face_unnamed_pen="#c8ffffff", face_name_bg="#aa000000", viewer_bg="#000000",
    tooltip_bg="#31333a",
    link="#8ab4ff")

PALETTES = {"light": LIGHT, "dark": DARK}
_current: Palette = LIGHT


def current() -> Palette:
    return _current


def set_current(p: Palette) -> None:
    global _current
    _current = p


def color(role: str) -> QColor:
    """A role of the current palette as a QColor."""
    return QColor(getattr(_current, role))


TRANSPARENT = QColor(0, 0, 0, 0)


def for_palette(qp: QPalette) -> Palette:
    """The palette that matches a Qt palette (the system theme): dark when its window is."""
    return DARK if qp.window().color().lightness() < 128 else LIGHT


def qpalette(p: Palette) -> QPalette:
    """A Qt palette from the roles (Fusion draws with it)."""
    qp = QPalette()
    r = QPalette.ColorRole
    for role, value in {
        r.Window: p.window, r.WindowText: p.text, r.Base: p.surface,
        r.AlternateBase: p.raised, r.ToolTipBase: p.tooltip_bg, r.ToolTipText: p.text,
        r.Text: p.text, r.Button: p.raised, r.ButtonText: p.text, r.BrightText: p.danger,
        r.Highlight: p.accent, r.HighlightedText: p.on_accent, r.Link: p.link,
        r.Mid: p.border, r.PlaceholderText: p.muted,
    }.items():
        qp.setColor(role, QColor(value))
    for role in (r.Text, r.ButtonText, r.WindowText):
        qp.setColor(QPalette.ColorGroup.Disabled, role, QColor(p.disabled))
    return qp


def stylesheet(p: Palette, base_pt: int = BASE_PT) -> str:
    """The application stylesheet: chips, banners, sidebar, headings, buttons, cards."""
    base_pt = base_pt if base_pt > 0 else BASE_PT
    h1, h2 = base_pt + H1_STEP, base_pt + H2_STEP
    return f"""
QToolButton#chip {{ border: 1px solid {p.border}; border-radius: 10px; padding: 2px 8px; }}
QLabel#banner {{ padding: {SPACE_M - 2}px {SPACE_M + 2}px; border-radius: {RADIUS - 2}px;
                 background: {p.raised}; color: {p.text}; }}
QLabel#banner[level="warn"] {{ background: {p.warn_bg}; color: {p.warn_text}; }}
QLabel#banner[level="error"] {{ background: {p.error_bg}; color: {p.error_text}; }}
QLabel#weakDivider {{ color: {p.muted}; }}
QLineEdit[queryError="true"] {{ border: 2px solid {p.error_inline}; }}
QWidget#similarChip {{ border: 1px solid {p.accent}; border-radius: 14px;
                      background: {p.raised}; }}
QWidget#sidebar {{ background: {p.sidebar}; }}
QListWidget#nav, QListWidget#sidebarLabels, QTreeWidget#folderTree {{
    background: {p.sidebar}; border: 0; color: {p.text}; }}
QListWidget#nav::item, QListWidget#sidebarLabels::item {{
    padding: {SPACE_S}px {SPACE_M}px; border-radius: {RADIUS}px; }}
QListWidget#nav::item:selected, QListWidget#sidebarLabels::item:selected,
QTreeWidget#folderTree::item:selected {{ background: {p.accent}; color: {p.on_accent}; }}
QLabel[heading="1"] {{ font-size: {h1}pt; font-weight: 600; color: {p.text}; }}
QLabel[heading="2"] {{ font-size: {h2}pt; font-weight: 600; color: {p.text}; }}
QLabel[heading="section"] {{ font-size: {base_pt}pt; font-weight: 600; color: {p.muted};
                            padding-top: {SPACE_M}px; }}
QLabel[muted="true"] {{ color: {p.muted}; }}
QPushButton {{ padding: {SPACE_S - 1}px {SPACE_M - 2}px; border: 1px solid {p.border};
               border-radius: {RADIUS}px; background: {p.raised}; color: {p.text}; }}
QPushButton:hover {{ border-color: {p.accent}; }}
QPushButton:pressed {{ background: {p.border}; }}
QPushButton:disabled {{ color: {p.disabled}; border-color: {p.raised}; }}
QPushButton[kind="primary"] {{ background: {p.accent}; color: {p.on_accent};
                               border-color: {p.accent}; font-weight: 600; }}
QPushButton[kind="danger"] {{ background: {p.danger}; color: {p.on_danger};
                              border-color: {p.danger}; }}
QPushButton[kind="primary"]:disabled, QPushButton[kind="danger"]:disabled {{
    background: {p.raised}; color: {p.disabled}; border-color: {p.raised}; }}
QFrame[card="true"] {{ background: {p.surface}; border: 1px solid {p.border};
                       border-radius: {RADIUS + 2}px; }}
QFrame[card="section"] {{ background: {p.window}; border: 1px solid {p.border};
                          border-radius: {RADIUS + 2}px; }}
QGraphicsView#viewer {{ background: {p.viewer_bg}; border: 0; }}
QLabel#viewerCaption {{ padding: {SPACE_S}px {SPACE_M}px; }}
"""


def set_kind(widget: QWidget, kind: str) -> QWidget:
    """Mark a button primary or danger (a destructive action is never the default one)."""
    widget.setProperty("kind", kind)
    if kind == "danger" and hasattr(widget, "setAutoDefault"):
        widget.setAutoDefault(False)  # type: ignore[attr-defined]
        widget.setDefault(False)  # type: ignore[attr-defined]
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    return widget


def heading(text: str, level: str = "2") -> QLabel:
    """A heading label on the type scale: "1" screen title, "2" card title, "section"."""
    label = QLabel(text)
    label.setProperty("heading", level)
    return label


def card(*widgets: QWidget) -> QFrame:
    """A grouped section: the widgets stacked on a raised, rounded surface."""
    frame = QFrame()
    frame.setProperty("card", True)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(SPACE_M + 2, SPACE_M, SPACE_M + 2, SPACE_M)
    layout.setSpacing(SPACE_S)
    for w in widgets:
        layout.addWidget(w)
    return frame


def section(*widgets: QWidget) -> QFrame:
    """A card for a form (settings): outlined on the window's colour, so the text fields and
    combo boxes inside keep their own contrast."""
    frame = card(*widgets)
    frame.setProperty("card", "section")
    return frame


def muted(label: QLabel) -> QLabel:
    label.setProperty("muted", "true")
    return label


def error_html(text: str) -> str:
    """An error word in running rich text, in the palette's error colour."""
    return f"<span style='color:{_current.error_inline}'>{text}</span>"


def roles() -> list[str]:
    return [f.name for f in fields(Palette) if f.name != "name"]
