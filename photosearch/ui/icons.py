"""Icons from one maintained set: Phosphor (MIT licence), bundled with qtawesome (MIT).

Every icon is tinted from the style palette (`style.color`), so it follows light and dark.
`decorate(root)` gives each known action, button and menu entry under `root` its icon by
its text (one table here instead of icon calls spread over every screen); call it again
after a theme change to re-tint.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QAbstractButton, QListWidget, QMenu, QStatusBar, QWidget

from . import style

os.environ.setdefault("QT_API", "pyside6")  # qtawesome's binding (qtpy): ours, never PyQt

NAMES = {
    "photos": "ph.image-square", "people": "ph.users", "labels": "ph.tag",
    "duplicates": "ph.copy", "folder": "ph.folder", "offline": "ph.hard-drives",
    "add_folder": "ph.folder-plus", "remove_folder": "ph.folder-minus",
    "exclude": "ph.prohibit", "index": "ph.arrows-clockwise", "search": "ph.magnifying-glass",
    "settings": "ph.gear", "trash": "ph.trash", "undo": "ph.arrow-counter-clockwise",
    "open": "ph.arrow-square-out", "reveal": "ph.folder-open", "copy": "ph.clipboard-text",
    "similar": "ph.squares-four", "paste": "ph.clipboard", "tag": "ph.tag-simple",
    "untag": "ph.x-circle", "view": "ph.eye", "warning": "ph.warning", "help": "ph.question",
    "about": "ph.info", "keyboard": "ph.keyboard", "log": "ph.file-text", "quit": "ph.sign-out",
    "pause": "ph.pause", "resume": "ph.play", "stop": "ph.stop", "yes": "ph.check",
    "no": "ph.x", "new": "ph.plus", "edit": "ph.pencil-simple",
    "bigger": "ph.magnifying-glass-plus",
    "smaller": "ph.magnifying-glass-minus", "text": "ph.text-t", "restore": "ph.database",
    "keep": "ph.push-pin", "find": "ph.magnifying-glass", "apply": "ph.lightning",
    "empty": "ph.image-square",
}

# what an action, button or menu entry says -> its icon
BY_TEXT = {
    "Search": "search", "View full size": "view", "Open": "open", "Copy path": "copy",
    "Find similar": "similar", "Find similar to pasted image": "paste",
    "Move to trash…": "trash", "Move checked to trash…": "trash", "Add tag…": "tag",
    "Remove tag…": "untag", "Undo move to trash": "undo", "Undo last cleanup": "undo",
    "Larger thumbnails": "bigger", "Smaller thumbnails": "smaller", "Add folder…": "add_folder",
    "Add…": "add_folder", "Remove": "remove_folder", "Exclude…": "exclude",
    "Index now": "index", "Settings…": "settings", "Restore catalog from backup…": "restore",
    "Quit": "quit", "Keyboard shortcuts": "keyboard", "Open log folder": "log",
    "About photosearch": "about", "Show in folder": "reveal", "Show in search": "search",
    "Show duplicates of this photo": "duplicates", "Pause": "pause", "Resume": "resume",
    "Stop": "stop", "New label…": "new", "Edit…": "edit", "Tag library": "apply",
    "Keep this one instead": "keep", "Not duplicates": "no", "Find duplicates": "find",
    "Copy text": "text", "Show photos": "photos",
}
NAV = {"photos": "photos", "people": "people", "labels": "labels", "duplicates": "duplicates"}

_cache: dict[tuple[str, str, str], QIcon] = {}


def icon(key: str, role: str = "text") -> QIcon:
    """The icon `key` tinted with palette role `role` (greyed when disabled, and in the
    accent's text colour when selected)."""
    pal = style.current()
    cache_key = (key, role, pal.name)
    found = _cache.get(cache_key)
    if found is None:
        import qtawesome as qta

        found = qta.icon(NAMES[key], color=style.color(role),
                         color_disabled=style.color("disabled"),
                         color_active=style.color(role),
                         color_selected=style.color("on_accent"))
        _cache[cache_key] = found
    return found


def for_text(text: str) -> str | None:
    """The icon key for an entry's text (ampersands and a trailing count ignored)."""
    clean = text.replace("&", "").strip()
    if clean in BY_TEXT:
        return BY_TEXT[clean]
    if clean.startswith(("Yes, it is", "Yes")):
        return "yes"
    if clean.startswith(("No, it is not", "No ")):
        return "no"
    if "problem" in clean:
        return "warning"
    return None


def _role_of(button: QAbstractButton) -> str:
    kind = button.property("kind")
    return {"primary": "on_accent", "danger": "on_danger"}.get(kind or "", "text")


def _has_icon_place(button: QAbstractButton) -> bool:
    """Buttons a person scans (the sidebar's, the status bar's) carry icons; the rows of
    text buttons on the screens stay text-only, so the window still fits 800 px."""
    parent = button.parentWidget()
    while parent is not None:
        if isinstance(parent, QStatusBar) or parent.objectName() == "sidebar":
            return True
        parent = parent.parentWidget()
    return False


def decorate_menu(menu: QMenu) -> QMenu:
    for action in menu.actions():
        key = for_text(action.text())
        if key:
            action.setIcon(icon(key))
    return menu


def decorate(root: QWidget) -> None:
    """Icons on every known action, button and menu entry under `root` (and its own)."""
    for action in root.findChildren(QAction):
        key = for_text(action.text())
        if key:
            action.setIcon(icon(key))
    for button in root.findChildren(QAbstractButton):
        key = for_text(button.text())
        if key and _has_icon_place(button):
            button.setIcon(icon(key, _role_of(button)))
    for menu in root.findChildren(QMenu):
        decorate_menu(menu)
    for nav in root.findChildren(QListWidget, "nav"):
        for i in range(nav.count()):
            item = nav.item(i)
            key = NAV.get(item.data(Qt.ItemDataRole.UserRole))
            if key:
                item.setIcon(icon(key))
