"""Issue 17: the Labels, Duplicates and People screens say what is missing when empty (an
icon, a title, a hint) and offer the action that fills them, and the action works. The
Labels screen's status line is laid out under its buttons, not squeezed beside them."""

from __future__ import annotations

import shutil

from tests.ui.conftest import index_now


def _empty_shown(view) -> None:
    """The screen's empty state is the page on show, with its icon and words."""
    empty = view.empty
    assert view.pages.currentWidget() is empty and empty.isVisible()
    assert not empty.icon.pixmap().isNull() and empty.icon.pixmap().width() >= 32
    assert empty.title.text() and empty.title.isVisible()
    assert len(empty.hint.text()) > 20 and empty.hint.isVisible()


def test_labels_empty_state_creates_a_label(qtbot, window):
    window.show_screen("labels")
    view = window.screen_pages["labels"]
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.empty, timeout=30_000)
    _empty_shown(view)
    assert view.empty.title.text() == "No labels yet" and "tag:" in view.empty.hint.text()
    assert view.empty.button.isVisible() and view.empty.button.text() == "New label…"
    assert view.empty.button.property("kind") == "primary"
    view.empty.button.click()
    dialog = view.label_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()
    with qtbot.waitSignal(view.labels_changed, timeout=60_000):
        view.add_label("pets", ["a pet"])
    qtbot.waitUntil(lambda: view.pages.currentIndex() == 0, timeout=30_000)
    assert not view.empty.isVisible() and view.tabs.isVisible()


def test_duplicates_empty_state_looks_again(qtbot, window, photos):
    window.show_screen("duplicates")
    view = window.screen_pages["duplicates"]
    qtbot.waitUntil(lambda: view.find_btn.isEnabled(), timeout=30_000)
    _empty_shown(view)  # nothing indexed: no groups
    assert view.empty.title.text() == "No duplicates found"
    assert view.empty.button.text() == "Look again" and view.empty.button.isVisible()
    assert not view.trash_btn.isVisible() and view.undo_btn.isVisible()
    shutil.copy2(photos[0], photos[0].parent / "copy_of_red.jpg")
    index_now(qtbot, window, [photos[0].parent])
    with qtbot.waitSignal(view.groups_loaded, timeout=30_000) as loaded:
        view.empty.button.click()
    assert loaded.args[0] >= 1
    assert view.pages.currentIndex() == 0 and view.list.count() >= 1
    assert view.trash_btn.isVisible()


def test_people_empty_state_opens_settings(qtbot, window):
    window.show_screen("people")
    view = window.screen_pages["people"]
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.empty, timeout=30_000)
    _empty_shown(view)  # people is off by default
    assert view.empty.title.text() == "No people yet" and "Settings" in view.empty.hint.text()
    assert view.empty.button.isVisible() and view.empty.button.text() == "Open Settings…"
    view.empty.button.click()
    qtbot.waitUntil(lambda: getattr(window.dialogs, "settings_dialog", None) is not None
                    and window.dialogs.settings_dialog.isVisible(), timeout=30_000)
    dialog = window.dialogs.settings_dialog
    assert dialog.people.isVisible()  # where People is turned on
    dialog.reject()


def test_people_empty_state_when_on_has_no_button(qtbot, window, library):
    library.settings.people = {"enabled": True}
    window.show_screen("people")
    view = window.screen_pages["people"]
    qtbot.waitUntil(lambda: view.pages.currentWidget() is view.empty, timeout=30_000)
    _empty_shown(view)
    assert "after photos are indexed" in view.empty.hint.text()
    assert not view.empty.button.isVisible()


def test_labels_status_wraps_under_the_buttons_at_800x600(qtbot, window):
    window.resize(800, 600)
    window.show_screen("labels")
    view = window.screen_pages["labels"]
    with qtbot.waitSignal(view.labels_changed, timeout=60_000):
        view.add_label("pets", ["a pet"])
    qtbot.waitUntil(lambda: view.pages.currentIndex() == 0, timeout=30_000)
    view.status.setText("Tagged: pets 1,234, receipts 56, screenshots 789, mountains 12, "
                        "beaches 345 — every photo was scored for every label.")
    qtbot.wait(50)
    status, yes = view.status, view.yes_btn
    assert window.width() <= 800 and status.isVisible()
    assert status.width() >= view.width() / 2, (status.width(), view.width())
    assert status.height() >= status.heightForWidth(status.width())  # every line shows
    below = status.mapTo(view, status.rect().topLeft()).y()
    assert below >= yes.mapTo(view, yes.rect().bottomLeft()).y()  # under the buttons
