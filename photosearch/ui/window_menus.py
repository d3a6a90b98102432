"""The window's menus and keyboard shortcuts, in one table.

Every action is a `QAction` with its shortcut; the photo actions live on the grid (so
Space, Return, Ctrl+C and Ctrl+V act on photos only while the grid has focus, and the
search field keeps its own copy/paste), the rest on the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from .dialogs import WindowDialogs
from .folders import FoldersCoordinator
from .photo_actions import PhotoActions
from .search_flow import SearchFlow

SCREENS = ("photos", "people", "labels", "duplicates")  # Ctrl+1 ... Ctrl+4


class WindowMenus:
    """Builds the Library and Photo menus and the screen shortcuts on `window`.

    The actions call the controllers given here; `select_screen(key)` picks a screen in
    the sidebar (which then shows it)."""

    def __init__(self, window: QMainWindow, grid: QWidget, *, search: SearchFlow,
                 photos: PhotoActions, folders: FoldersCoordinator, dialogs: WindowDialogs,
                 select_screen: Callable[[str], None]) -> None:
        self.window = window

        def act(text: str, shortcut: str | None, slot: Callable[..., object],
                context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QAction:
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.setShortcutContext(context)
            a.triggered.connect(slot)
            window.addAction(a)
            return a

        wc = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.act_find = act("Search", "Ctrl+F", search.focus_search)
        self.act_view = act("View full size", "Space", photos.view_current, wc)
        self.act_open = act("Open", "Return", photos.open_current, wc)
        self.act_copy = act("Copy path", "Ctrl+C", photos.copy_selected, wc)
        self.act_similar = act("Find similar", "Ctrl+Shift+F", search.similar_to_current)
        self.act_paste = act("Find similar to pasted image", "Ctrl+V", search.paste_image, wc)
        self.act_delete = act("Move to trash…", "Delete", photos.delete_selected, wc)
        self.act_tag = act("Add tag…", "Ctrl+T", lambda: photos.ask_tag(True), wc)
        self.act_undo = act("Undo move to trash", "Ctrl+Z", photos.undo_delete)
        for a in (self.act_view, self.act_open, self.act_copy, self.act_paste, self.act_delete,
                  self.act_tag):
            window.removeAction(a)
            grid.addAction(a)
        zoom = getattr(grid, "zoom", None)
        if zoom is not None:
            self.act_bigger = act("Larger thumbnails", "Ctrl++", lambda: zoom(1))
            self.act_bigger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
            self.act_smaller = act("Smaller thumbnails", "Ctrl+-", lambda: zoom(-1))
        self.act_add = act("Add folder…", "Ctrl+O", folders.add_folder_dialog)
        self.act_index = act("Index now", "F5", folders.start_indexing)
        self.act_settings = act("Settings…", "Ctrl+,", dialogs.open_settings)
        from .catalog_restore import request_restore

        self.act_restore = act("Restore catalog from backup…", None,
                               lambda: request_restore(window))
        self.act_quit = act("Quit", "Ctrl+Q", window.close)
        for i, key in enumerate(SCREENS, start=1):
            act(f"Show {key}", f"Ctrl+{i}", lambda _c=False, k=key: select_screen(k))
        menu = window.menuBar()
        file_menu = menu.addMenu("&Library")
        for a in (self.act_add, self.act_index, self.act_settings, self.act_restore,
                  self.act_quit):
            file_menu.addAction(a)
        if zoom is not None:
            view_menu = menu.addMenu("&View")
            view_menu.addAction(self.act_bigger)
            view_menu.addAction(self.act_smaller)
            from .grid import view_actions

            view_menu.addSeparator()
            self.act_square, self.act_names = view_actions(grid, window)  # type: ignore[arg-type]
            view_menu.addAction(self.act_square)
            view_menu.addAction(self.act_names)
        photo_menu = menu.addMenu("&Photo")
        for a in (self.act_find, self.act_view, self.act_open, self.act_copy, self.act_similar,
                  self.act_paste, self.act_tag, self.act_delete, self.act_undo):
            photo_menu.addAction(a)

        from .help_menu import HelpMenu

        self.help = HelpMenu(window, getattr(window, "lib", None))

    def set_read_only(self) -> None:
        """Another process indexes this library: nothing here may add folders or index."""
        for a in (self.act_add, self.act_index, self.act_restore):
            a.setEnabled(False)
