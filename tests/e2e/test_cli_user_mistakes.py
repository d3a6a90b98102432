"""User mistakes on the command line (issue 16): one line naming the bad value and what is
allowed; exit 2 for usage, 1 for a failure; never "please report it". And JSON output that
carries file names which are not valid UTF-8 losslessly."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from ..conftest import make_image
from .cli_helpers import cli, cli_json

TINY_MODEL = ["--model", "test-tiny"]


def _run(capsys, lib: Path, *args: str, tiny: bool = True) -> tuple[int, str, str]:
    """Like cli(), but without forcing --pretrained (some cases pass their own)."""
    from photosearch.cli import main

    capsys.readouterr()
    code = main(["--library", str(lib), *(TINY_MODEL if tiny else []), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("photosearch: error:")]
    assert len(lines) == 1, err
    assert "please report" not in err, err
    return lines[0]


@pytest.fixture
def indexed(tmp_path, capsys):
    photos = tmp_path / "photos"
    for i in range(3):
        make_image(photos / f"p{i}.jpg", color=(70 * i, 120, 60), fmt="JPEG")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0
    return lib, photos


def test_bad_device_is_a_usage_error(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "lib", "--device", "bogus", "status")
    line = _one_error(err)
    assert code == 2 and "'bogus'" in line and "auto, cpu, cuda, cuda:N or mps" in line


def test_a_gpu_that_is_not_there_is_a_one_line_failure(indexed, capsys):
    import torch

    lib, photos = indexed
    make_image(photos / "new.jpg", color=(1, 2, 250), fmt="JPEG")  # needs the model
    device = "cuda:99" if torch.cuda.is_available() else "cuda"
    code, _, err = cli(capsys, lib, "--device", device, "index")
    line = _one_error(err)
    assert code == 1 and f"'{device}'" in line and ("--device cpu" in line or
                                                    "does not exist" in line)


def test_unknown_model_lists_a_few_and_says_how_to_list_all(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "lib", "--model", "nosuch", "status", tiny=False)
    line = _one_error(err)
    assert code == 2 and "'nosuch'" in line and "ViT-B-32" in line
    assert "'photosearch models'" in line and len(line) < 300  # not ~200 names
    code, out, _ = _run(capsys, tmp_path / "lib", "models", tiny=False)
    assert code == 0 and {"ViT-B-32", "test-tiny"} <= set(out.split())


def test_typo_in_a_weights_path_never_exits_0(indexed, capsys):
    lib, photos = indexed
    make_image(photos / "new.jpg", color=(1, 250, 2), fmt="JPEG")
    code, _, err = _run(capsys, lib, "--pretrained", "~/Downloads/open_clip_modle.safetensors",
                        "index")
    line = _one_error(err)
    assert code == 2 and "no such file" in line and "open_clip_modle" in line


def test_garbage_weights_file_is_a_clear_failure(indexed, capsys, tmp_path):
    lib, photos = indexed
    junk = tmp_path / "weights.safetensors"
    junk.write_bytes(os.urandom(4096))
    make_image(photos / "new.jpg", color=(250, 1, 2), fmt="JPEG")
    code, out, err = _run(capsys, lib, "--pretrained", str(junk), "index")
    assert code == 1, (out, err)
    assert "could not be loaded as model test-tiny" in err and str(junk) in err
    assert "please report" not in err


def test_min_score_nan_and_a_nan_weight_are_refused(indexed, capsys):
    lib, _ = indexed
    code, _, err = cli(capsys, lib, "search", "dog", "--min-score", "nan")
    line = _one_error(err)
    assert code == 2 and "--min-score nan" in line and "from -1 to 1" in line
    code, _, err = cli(capsys, lib, "search", 'nan:"dog"')
    line = _one_error(err)
    assert code == 1 and "weight 'nan'" in line and "plain number" in line


def test_undo_with_a_file_that_is_no_undo_log_does_nothing_and_fails(indexed, capsys, tmp_path):
    lib, _ = indexed
    passwd = "/etc/passwd" if os.path.isfile("/etc/passwd") else None
    other = tmp_path / "notes.txt"
    other.write_text("root:x:0:0:root:/root:/bin/bash\n")
    for log in filter(None, (passwd, str(other))):
        code, out, err = cli(capsys, lib, "dupes", "undo", "--log", log)
        line = _one_error(err)
        assert code == 1 and "is not an undo log" in line and "restored" not in out


def test_eval_folders_survives_a_symlink_loop(tmp_path, capsys):
    root = tmp_path / "classes"
    make_image(root / "red" / "a.jpg", color=(250, 0, 0), fmt="JPEG")
    make_image(root / "blue" / "b.jpg", color=(0, 0, 250), fmt="JPEG")
    os.symlink("selfloop", root / "selfloop")  # ELOOP on stat
    os.symlink(root, root / "blue" / "back")  # a loop inside a class
    code, out, err = cli(capsys, tmp_path / "lib", "eval", "folders", str(root))
    assert code == 0, err


def test_json_paths_that_are_not_utf8_are_lossless(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    raw = os.path.join(os.fsencode(photos), b"caf\xe9 \xff.jpg")
    good = make_image(photos / "tmp.jpg", color=(200, 200, 20), fmt="JPEG")
    os.rename(good, raw)
    broken = os.path.join(os.fsencode(photos), b"bad\xfe.jpg")
    with open(broken, "wb") as f:
        f.write(b"not an image")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0

    code, out, err = cli(capsys, lib, "search", "anything", "--json")
    assert code == 0, err
    out.encode("utf-8")  # valid UTF-8 text
    [row] = json.loads(out)
    assert row["path"].endswith("caf\ufffd \ufffd.jpg") and "\\x" not in row["path"]
    assert base64.b64decode(row["path_bytes"]) == raw and os.path.exists(
        base64.b64decode(row["path_bytes"]))
    assert [base64.b64decode(p) for p in row["paths_bytes"]] == [raw]

    [problem] = cli_json(capsys, lib, "problems")
    assert problem["path"].endswith("bad\ufffd.jpg")
    assert base64.b64decode(problem["path_bytes"]) == broken


def test_an_image_term_obeys_the_librarys_pixel_limit(indexed, capsys, tmp_path):
    from PIL import Image

    from photosearch.core import imaging

    lib, _ = indexed
    settings = json.loads((lib / "settings.json").read_text("utf-8")) \
        if (lib / "settings.json").exists() else {}
    settings["max_pixels"] = 5_000_000
    (lib / "settings.json").write_text(json.dumps(settings), "utf-8")
    query = tmp_path / "query.png"
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(query)  # 6 MP
    try:
        code, _, err = cli(capsys, lib, "search", str(query))
    finally:
        imaging.setup_decoders()  # the process-wide guard back to the default
    line = _one_error(err)
    assert code == 1 and "limit is 5 megapixels" in line and "max_pixels" in line
