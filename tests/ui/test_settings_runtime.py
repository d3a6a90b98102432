"""The settings dialog's CPU indexing runtime (torch / onnx-int8, core/int8_runtime.py)."""

from __future__ import annotations

from dataclasses import replace


def test_the_runtime_combo_round_trips_and_needs_a_restart(qtbot):
    from photosearch.core.config import Settings
    from photosearch.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(replace(Settings(), runtime="onnx-int8"))
    qtbot.addWidget(dialog)
    assert dialog.runtime.currentData() == "onnx-int8"
    assert dialog.result_settings().runtime == "onnx-int8"
    assert not SettingsDialog.needs_restart(dialog.original, dialog.result_settings())
    dialog.runtime.setCurrentIndex(dialog.runtime.findData("torch"))
    new = dialog.result_settings()
    assert new.runtime == "torch" and Settings.from_dict(new.to_dict()).runtime == "torch"
    assert SettingsDialog.needs_restart(dialog.original, new)
