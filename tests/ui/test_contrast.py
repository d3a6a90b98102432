"""Issue 17: every screen in light and dark, rendered and measured. Each visible label,
button and check box has text at a WCAG contrast ratio >= 3:1 against its own background
(sampled from the rendered pixels), and at 800x600 no visible control is clipped."""

from __future__ import annotations

import pytest

from tests.ui.conftest import index_now

MIN_RATIO = 3.0
SCREENS = ("photos", "people", "labels", "duplicates")


def _luminance(rgb: tuple[int, int, int]) -> float:
    def lin(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_contrast(image, rect) -> float:
    """Contrast of the text drawn in `rect` of `image`: the background is the region's most
    common colour, the text the colour of its strongest pixels (the third strongest, so a
    stray pixel of a border cannot pass a faint text)."""
    from collections import Counter

    counts: Counter = Counter()
    for y in range(max(rect.top(), 0), min(rect.bottom() + 1, image.height())):
        for x in range(max(rect.left(), 0), min(rect.right() + 1, image.width())):
            c = image.pixelColor(x, y)
            counts[(c.red(), c.green(), c.blue())] += 1
    if not counts:
        return 21.0
    bg = counts.most_common(1)[0][0]
    ratios = sorted((ratio(bg, c) for c in counts.elements()), reverse=True)
    return ratios[min(2, len(ratios) - 1)]


def _text_rect(w):
    """Where a widget draws its text, in its own coordinates."""
    from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton

    if isinstance(w, QCheckBox):
        opt = QStyleOptionButton()
        w.initStyleOption(opt)
        return w.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents, opt, w)
    return w.contentsRect().adjusted(2, 2, -2, -2)


def _texts(root):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    for w in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        if not w.isVisibleTo(root) or not w.isEnabled() or w.width() < 4 or w.height() < 4:
            continue
        if not w.text().strip() or w.visibleRegion().isEmpty():
            continue
        yield w


def low_contrast(root) -> list[str]:
    """Every visible text under `root` below MIN_RATIO, measured on a render of `root`."""
    image = root.grab().toImage()
    bad = []
    for w in _texts(root):
        rect = _text_rect(w).translated(w.mapTo(root, w.rect().topLeft()))
        r = text_contrast(image, rect)
        if r < MIN_RATIO:
            bad.append(f"{type(w).__name__} {w.text()[:40]!r}: {r:.2f}")
    return bad


def clipped(window) -> list[str]:
    """Visible controls outside the window, or shorter than they need (not inside a
    scrolled view, where being cut off at the edge is what scrolling is for)."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractScrollArea,
        QAbstractSpinBox,
        QComboBox,
        QLabel,
        QLineEdit,
    )

    out = []
    frame = QRect(0, 0, window.width(), window.height())
    kinds = (QLabel, QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)
    for w in window.findChildren(kinds[0]) + [x for k in kinds[1:]
                                               for x in window.findChildren(k)]:
        if not w.isVisibleTo(window) or w.width() == 0:
            continue
        if isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the text field inside a combo or date box: its box is checked
        parent, scrolled = w.parentWidget(), False
        while parent is not None and parent is not window:
            if isinstance(parent.parentWidget(), QAbstractScrollArea):
                scrolled = True
            parent = parent.parentWidget()
        if scrolled:
            continue
        name = f"{type(w).__name__} {getattr(w, 'text', lambda: '')()[:30]!r}"
        geo = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
        if not frame.contains(geo):
            out.append(f"{name} outside the window: {geo}")
        need = w.heightForWidth(w.width()) if w.hasHeightForWidth() else \
            w.minimumSizeHint().height()
        if w.height() < need:
            out.append(f"{name} is {w.height()} px high, needs {need}")
    return out


@pytest.fixture
def themed(qtbot):
    from PySide6.QtWidgets import QApplication

    from photosearch.ui import theme

    app = QApplication.instance()
    yield lambda name: theme.apply(app, name)
    theme.apply(app, "system")


def _settings_dialog(window):
    from photosearch.ui.settings_dialog import SettingsDialog

    return SettingsDialog(window.lib.settings, window)


@pytest.mark.parametrize("name", ["light", "dark"])
def test_every_screen_has_readable_text(qtbot, window, photos, themed, name):
    from photosearch.ui import icons

    index_now(qtbot, window, [photos[0].parent], timeout=180_000)
    themed(name)
    icons.decorate(window)
    window.resize(1400, 900)
    bad = {}
    for key in SCREENS:
        window.show_screen(key)
        qtbot.wait(300)  # first load of the screen
        found = low_contrast(window)
        if found:
            bad[key] = found
    dialog = _settings_dialog(window)
    dialog.show()
    qtbot.waitExposed(dialog)
    found = low_contrast(dialog)
    dialog.close()
    if found:
        bad["settings"] = found
    assert bad == {}


@pytest.mark.parametrize("name", ["light", "dark"])
def test_nothing_is_clipped_at_800x600(qtbot, window, photos, themed, name):
    index_now(qtbot, window, [photos[0].parent], timeout=180_000)
    themed(name)
    window.resize(800, 600)
    bad = {}
    for key in SCREENS:
        window.show_screen(key)
        # the resize is applied by the event loop (later on a loaded machine): wait for it;
        # a screen that really needs more room keeps the window larger and this fails
        try:
            qtbot.waitUntil(lambda: window.width() <= 800 and window.height() <= 600,
                            timeout=10_000)
        except Exception as exc:  # pytest-qt's TimeoutError
            raise AssertionError((key, window.size())) from exc
        found = clipped(window)
        if found:
            bad[key] = found
    dialog = _settings_dialog(window)  # the settings dialog fits the same screen
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.width() <= 800 and dialog.height() <= 600, timeout=10_000)
    found = clipped(dialog)
    body = dialog.sections_area.widget()  # its sections scroll up and down, never sideways
    if body.minimumSizeHint().width() > dialog.sections_area.viewport().width():
        found.append(f"settings sections need {body.minimumSizeHint().width()} px")
    dialog.close()
    if found:
        bad["settings"] = found
    assert bad == {}


def test_a_bad_palette_fails_the_check(qtbot, themed):
    """The check is not vacuous: grey text on a near-white window fails it, and a label
    pushed half outside its window counts as clipped."""
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QVBoxLayout, QWidget

    from photosearch.ui import style

    themed("light")
    app = QApplication.instance()
    faint = replace(style.LIGHT, text="#c8c8c8", muted="#d8d8d8")
    app.setPalette(style.qpalette(faint))
    app.setStyleSheet(style.stylesheet(faint))
    try:
        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addWidget(QLabel("A faint label nobody can read"))
        layout.addWidget(QCheckBox("A faint check box"))
        qtbot.addWidget(root)
        root.show()
        qtbot.waitExposed(root)
        bad = low_contrast(root)
        assert len(bad) == 2, bad
        assert ratio((200, 200, 200), (244, 245, 247)) < MIN_RATIO
        assert ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    finally:
        themed("light")
    root = QWidget()
    root.resize(200, 100)
    label = QLabel("cut off", root)
    label.setGeometry(150, 80, 120, 10)  # past the right edge, and too short
    qtbot.addWidget(root)
    root.show()
    assert len(clipped(root)) == 2
