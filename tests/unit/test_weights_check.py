"""Picking a weights file: refused at once when it cannot be one."""

from __future__ import annotations

import json
import struct
import zipfile

from photosearch.core.weights_check import check_weights_file, looks_like_file


def _safetensors(path, data_len=16, actual=16):
    header = json.dumps({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, data_len]}})
    raw = header.encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * actual)
    return path


def test_good_and_bad_files(tmp_path):
    assert check_weights_file(str(_safetensors(tmp_path / "ok.safetensors"))) is None
    cut = check_weights_file(str(_safetensors(tmp_path / "cut.safetensors", 4096, 16)))
    assert cut and "truncated" in cut
    text = tmp_path / "notes.safetensors"
    text.write_text("hello " * 500)
    assert "not a valid safetensors" in check_weights_file(str(text))
    txt = tmp_path / "notes.bin"
    txt.write_text("hello " * 500)
    assert "not a weights file" in check_weights_file(str(txt))
    pt = tmp_path / "model.pt"
    with zipfile.ZipFile(pt, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02" + b"x" * 2000)
    assert check_weights_file(str(pt)) is None
    assert "does not exist" in check_weights_file(str(tmp_path / "missing.pt"))


def test_download_tags_are_not_files():
    assert not looks_like_file("openai") and not looks_like_file("laion2b_s34b_b79k")
    assert looks_like_file("/home/me/clip.safetensors") and looks_like_file("clip.pt")
