"""The sidebar's other screens (people, labels, duplicates), built on first use."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def make_screen(key: str, window) -> QWidget:
    """The screen for a sidebar key; a key with no screen is a bug (KeyError)."""
    if key == "people":
        return _people(window)
    if key == "labels":
        from .labels_view import LabelsView

        return LabelsView(window)
    if key == "duplicates":
        from .duplicates_view import DuplicatesView

        return DuplicatesView(window)
    raise KeyError(f"no screen named {key!r}")


def _people(window) -> QWidget:
    """People: its catalog work runs on the window's db thread; "Show photos" searches
    `person:NAME` on the Photos screen."""
    from .people_view import PeopleView

    def call(fn, on_done) -> None:
        window.runner.submit("db", fn, on_done=on_done)

    view = PeopleView(window.lib, call=call)

    def show_photos(query: str) -> None:
        window.show_screen("photos")
        window.search_flow.widgets.search.set_query(query, emit=False)
        window.search_flow.set_query(query)

    view.search_requested.connect(show_photos)
    view.settings_requested.connect(window.dialogs.open_settings)  # the empty state's action
    window.dialogs.people_switched.connect(lambda _on: view.refresh())  # its hint follows
    view.changed.connect(window.person_names.refresh)  # names for the person chip
    view.refresh()
    return view
