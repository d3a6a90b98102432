"""Versioned, validated settings: upgrades, one-line errors naming key and file, and keys
this version does not know are kept."""

from __future__ import annotations

import json

import pytest

from photosearch.core.config import SETTINGS_VERSION, ConfigError, Settings


def write(path, data) -> None:
    path.write_text(json.dumps(data), "utf-8")


def test_a_missing_file_gives_the_defaults(tmp_path):
    assert Settings.load(tmp_path / "none.json") == Settings()


def test_an_old_file_without_version_is_upgraded_and_keeps_every_value(tmp_path):
    p = tmp_path / "settings.json"
    write(p, {"theme": "dark", "strong_match": 0.25, "exclude": ["*.tmp", "/x/private"]})
    s = Settings.load(p)
    assert (s.theme, s.strong_match, s.exclude) == ("dark", 0.25, ["*.tmp", "/x/private"])
    s.save(p)
    saved = json.loads(p.read_text("utf-8"))
    assert saved["version"] == SETTINGS_VERSION and saved["theme"] == "dark"


def test_unknown_keys_are_kept_and_written_back(tmp_path):
    p = tmp_path / "settings.json"
    write(p, {"version": 1, "theme": "light", "future_feature": {"on": True}})
    s = Settings.load(p)
    s.theme = "dark"
    s.save(p)
    saved = json.loads(p.read_text("utf-8"))
    assert saved["future_feature"] == {"on": True} and saved["theme"] == "dark"


@pytest.mark.parametrize("data, key", [
    ({"theme": "pink"}, "theme"),
    ({"batch_size": -1}, "batch_size"),
    ({"batch_size": "8"}, "batch_size"),
    ({"max_pixels": 0}, "max_pixels"),
    ({"strong_match": 2}, "strong_match"),
    ({"orphan_grace_days": float("nan")}, "orphan_grace_days"),
    ({"device": "bogus"}, "device"),
    ({"exclude": "*.tmp"}, "exclude"),
    ({"workers": True}, "workers"),
    ({"version": "one"}, "version"),
])
def test_a_bad_value_is_one_line_naming_the_key_and_the_file(tmp_path, data, key):
    p = tmp_path / "settings.json"
    p.write_text(json.dumps(data).replace("NaN", "NaN"), "utf-8")
    with pytest.raises(ConfigError) as err:
        Settings.load(p)
    msg = str(err.value)
    assert f"'{key}'" in msg and str(p) in msg and "\n" not in msg


@pytest.mark.parametrize("text", ["[1, 2, 3]", "\"dark\"", "null"])
def test_a_file_that_is_not_an_object_is_a_clear_error(tmp_path, text):
    p = tmp_path / "settings.json"
    p.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match="must hold a JSON object"):
        Settings.load(p)


def test_a_file_from_a_newer_release_is_refused_not_overwritten(tmp_path):
    p = tmp_path / "settings.json"
    write(p, {"version": SETTINGS_VERSION + 1, "theme": "dark"})
    with pytest.raises(ConfigError, match="newer photosearch"):
        Settings.load(p)


def test_overrides_are_validated_like_saved_values():
    assert Settings().with_overrides(device="cpu", model=None).device == "cpu"
    with pytest.raises(ConfigError, match="command line: 'device'"):
        Settings().with_overrides(device="bogus")
