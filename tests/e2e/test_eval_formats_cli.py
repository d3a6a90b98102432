"""`photosearch eval captions` on a Flickr8k token file: it runs and says how it read it."""

from __future__ import annotations

from ..conftest import make_image
from .cli_helpers import cli, cli_json


def test_eval_captions_reads_a_token_file_and_names_its_format(tmp_path, capsys):
    for name, col in (("r", (220, 20, 20)), ("g", (20, 200, 20)), ("b", (20, 20, 220))):
        make_image(tmp_path / "img" / f"{name}.jpg", col)
    token = tmp_path / "Flickr8k.token.txt"
    token.write_text("r.jpg#0\ta red thing\nr.jpg#1\tsomething red\ng.jpg#0\tgreen\n"
                     "b.jpg#0\tblue\n", "utf-8")
    code, out, err = cli(capsys, tmp_path / "lib", "eval", "captions", str(token),
                         str(tmp_path / "img"))
    assert code == 0, err
    assert "captions read as Flickr8k/30k token file 'image#n<TAB>caption'" in out
    assert "3 images, 4 captions" in out
    data = cli_json(capsys, tmp_path / "lib", "eval", "captions", str(token),
                    str(tmp_path / "img"))
    assert data["format"] == "flickr-token" and data["captions"] == 4
