"""Hostile sidecars and label names (issue 16), each built here: a FIFO and a /dev/zero
symlink where a sidecar should be, a third-party sidecar with comments and its own
prefixes, modes, crashed-export temp files, control characters in a label name."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from photosearch.core import xmp

from ..conftest import REPO, make_image
from .cli_helpers import TINY, cli

THIRD_PARTY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!-- written by digiKam: keep me -->\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:mwg-rs="http://www.metadataworkinggroup.com/'
    'schemas/regions/" xmlns:acme="http://example.com/acme/1.0/" xmp:Rating="4" '
    'acme:Flag="yes"><!-- face regions: Alice -->'
    '<mwg-rs:Regions><rdf:Bag><rdf:li>Alice</rdf:li></rdf:Bag></mwg-rs:Regions>'
    '<dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject></rdf:Description>'
    '</rdf:RDF></x:xmpmeta>')


@pytest.fixture
def tagged(tmp_path, capsys):
    """Three photos, all confirmed for the label 'beach'."""
    photos = tmp_path / "photos"
    for i, col in enumerate([(220, 30, 30), (30, 200, 40), (30, 40, 220)]):
        make_image(photos / f"p{i}.jpg", col, fmt="JPEG")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0
    assert cli(capsys, lib, "labels", "add", "beach", "--threshold", "0.98", "--no-apply")[0] == 0
    paths = [str(photos / f"p{i}.jpg") for i in range(3)]
    assert cli(capsys, lib, "review", "beach", "--accept", *paths, "--no-apply")[0] == 0
    return lib, photos


def _export_in_child(lib: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """export-xmp in a child process with a memory cap: a hang or a runaway read fails the
    test (TimeoutExpired / non-zero) instead of blocking the suite or the machine."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "photosearch", "--library", str(lib), *TINY,
                           "export-xmp"], capture_output=True, text=True, env=env,
                          timeout=timeout, preexec_fn=cap)


def test_fifo_and_dev_zero_sidecars_are_refused_and_the_rest_exported(tagged):
    lib, photos = tagged
    os.mkfifo(photos / "p0.jpg.xmp")
    os.symlink("/dev/zero", photos / "p1.jpg.xmp")
    proc = _export_in_child(lib)
    assert proc.returncode == 1, proc.stderr  # problems reported, nothing hangs
    assert "p0.jpg" in proc.stderr and "not a regular file" in proc.stderr
    assert "p1.jpg" in proc.stderr and "symbolic link" in proc.stderr
    assert "1 created" in proc.stdout
    assert stat.S_ISFIFO(os.lstat(photos / "p0.jpg.xmp").st_mode)  # left as they were
    assert os.readlink(photos / "p1.jpg.xmp") == "/dev/zero"
    assert xmp.read_keywords((photos / "p2.jpg.xmp").read_bytes()) == ["beach"]


def test_oversized_sidecar_is_refused_without_reading_it(tmp_path):
    side = tmp_path / "a.jpg.xmp"
    with open(side, "wb") as f:
        f.truncate(xmp.MAX_SIDECAR_BYTES + 1)  # sparse
    with pytest.raises(xmp.XmpError, match="too large"):
        xmp.write_sidecar(str(tmp_path / "a.jpg"), ["x"])


def test_merge_keeps_mode_comments_prefixes_and_third_party_data(tagged, capsys):
    lib, photos = tagged
    side = photos / "p0.jpg.xmp"
    side.write_text(THIRD_PARTY, "utf-8")
    os.chmod(side, 0o644)
    old_umask = os.umask(0o077)  # a new file would be 0600 under this umask...
    try:
        code, out, err = cli(capsys, lib, "export-xmp")
    finally:
        os.umask(old_umask)
    assert code == 0, err
    assert stat.S_IMODE(side.stat().st_mode) == 0o644  # ...the merged one keeps its 0644
    assert stat.S_IMODE((photos / "p1.jpg.xmp").stat().st_mode) == 0o600  # new: the umask
    data = side.read_bytes()
    ET.fromstring(data)  # valid XML
    assert b"<!-- written by digiKam: keep me -->" in data
    # Comments INSIDE the XMP tree are not XMP data: exiv2 (the one writer since issue 14,
    # as in digiKam) does not keep them; the data they sat beside is all kept.
    assert b"<!-- face regions: Alice -->" not in data
    assert b"acme:Flag" in data and b"mwg-rs:Regions" in data and b"ns0:" not in data
    assert b'xmp:Rating="4"' in data and b"Alice" in data
    assert xmp.read_keywords(data) == ["holiday", "beach"]


def test_new_sidecar_follows_the_usual_umask(tmp_path):
    old_umask = os.umask(0o022)
    try:
        assert xmp.write_sidecar(str(tmp_path / "a.jpg"), ["x"]) == "created"
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "a.jpg.xmp").stat().st_mode) == 0o644


def test_stale_temp_files_of_our_prefix_are_cleaned_and_nothing_else(tmp_path):
    stale = tmp_path / ".photosearch-abc123.xmp.tmp"
    fresh = tmp_path / ".photosearch-def456.xmp.tmp"  # maybe another export right now
    other = tmp_path / ".darktable-abc.xmp.tmp"
    for f in (stale, fresh, other):
        f.write_bytes(b"half a sidecar")
    old = time.time() - 2 * xmp.STALE_TMP_S
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    xmp.write_sidecar(str(tmp_path / "a.jpg"), ["x"])
    assert not stale.exists() and fresh.exists() and other.exists()


def test_control_characters_in_a_label_name_are_refused_at_the_door(tagged, capsys):
    lib, photos = tagged
    for bad in ("ctl\x01\x1bchar", "bad\udcff", "tab\there", "x" * 65):
        code, out, err = cli(capsys, lib, "labels", "add", bad)
        assert code == 1, (bad, err)
        assert err.count("\n") == 1 and "please report" not in err, err
        assert "label name" in err
    assert "U+0001" in cli(capsys, lib, "labels", "add", "ctl\x01")[2]
    assert "UTF-8" in cli(capsys, lib, "labels", "add", "bad\udcff")[2]
    # and an existing third-party sidecar is never made unreadable
    side = photos / "p0.jpg.xmp"
    side.write_text(THIRD_PARTY, "utf-8")
    assert cli(capsys, lib, "export-xmp")[0] == 0
    ET.fromstring(side.read_bytes())


def test_a_keyword_xml_cannot_hold_is_refused_not_written(tmp_path):
    side = tmp_path / "a.jpg.xmp"
    side.write_text(THIRD_PARTY, "utf-8")
    before = side.read_bytes()
    with pytest.raises(xmp.XmpError, match="control or invalid characters"):
        xmp.write_sidecar(str(tmp_path / "a.jpg"), ["ok", "ctl\x01\x1bchar"])
    assert side.read_bytes() == before


def test_label_store_rejects_bad_names_for_the_app_too(library):
    from photosearch.core.tagging_store import LabelStore, TaggingError

    store = LabelStore(library.catalog)
    with pytest.raises(TaggingError, match="control character U\\+001B"):
        store.add("esc\x1b")
    label = store.add("fine")
    with pytest.raises(TaggingError, match="control character"):
        store.update(label, name="re\x07named")
    assert [lab.name for lab in store.all()] == ["fine"]


def test_face_regions_never_read_a_fifo_sidecar(tmp_path):
    """people's MWG reader/writer goes through the same safe sidecar read (child process:
    a regression hangs the child, not the suite)."""
    photo = make_image(tmp_path / "a.jpg", fmt="JPEG")
    os.mkfifo(tmp_path / "a.jpg.xmp")
    code = (
        "import sys\n"
        "from photosearch.core.people.xmp_regions import Region, sidecar_regions, "
        "write_regions\n"
        "from photosearch.core.xmp import XmpError\n"
        "assert sidecar_regions(sys.argv[1]) == []\n"
        "try:\n"
        "    write_regions(sys.argv[1], [Region('Alice', .5, .5, .2, .2)], (96, 64))\n"
        "except XmpError as exc:\n"
        "    print('refused:', exc)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(photo)], capture_output=True,
                          text=True, timeout=60, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stderr
    assert "refused: existing sidecar is not a regular file" in proc.stdout
    assert stat.S_ISFIFO(os.lstat(tmp_path / "a.jpg.xmp").st_mode)
