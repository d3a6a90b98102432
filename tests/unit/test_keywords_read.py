"""Keywords photos already carry (issue 14): embedded IPTC and XMP, sidecars NAME.EXT.xmp and
NAME.xmp are read at index time, found by tag:/keyword:, shown in the preview details, and
read again when the watcher sees a sidecar change (nothing re-embedded)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyexiv2
import pytest

from photosearch.core import keywords
from photosearch.core.keywords_store import KeywordStore
from photosearch.core.results import photo_details

from ..conftest import FLICKR, make_image
from ..e2e.cli_helpers import cli, cli_json
from .test_watcher import Counters, Live, wait_for

REAL = sorted((FLICKR / "Images").glob("*.jpg"))


def sidecar(*subjects: str, hierarchical: tuple[str, ...] = ()) -> str:
    lis = "".join(f"<rdf:li>{s}</rdf:li>" for s in subjects)
    his = "".join(f"<rdf:li>{s}</rdf:li>" for s in hierarchical)
    return ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
            '22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/'
            'elements/1.1/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/">'
            f"<dc:subject><rdf:Bag>{lis}</rdf:Bag></dc:subject>"
            + (f"<lr:hierarchicalSubject><rdf:Bag>{his}</rdf:Bag></lr:hierarchicalSubject>"
               if his else "")
            + "</rdf:Description></rdf:RDF></x:xmpmeta>")


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture
def photos(tmp_path):
    """Real Flickr8k photos (copies): one with IPTC Keywords and one with embedded XMP
    written here with pyexiv2; one synthetic photo with a Lightroom-style NAME.xmp
    sidecar; one with nothing."""
    d = tmp_path / "photos"
    d.mkdir()
    iptc, embedded = d / "harbour.jpg", d / "morning.jpg"
    shutil.copy(REAL[0], iptc)
    shutil.copy(REAL[1], embedded)
    with pyexiv2.Image(str(iptc)) as img:
        img.modify_iptc({"Iptc.Application2.Keywords": ["Harbour", "boats"]})
    with pyexiv2.Image(str(embedded)) as img:
        img.modify_xmp({"Xmp.dc.subject": ["sunrise"]})
    make_image(d / "coast.jpg", (30, 60, 200), fmt="JPEG")
    (d / "coast.xmp").write_text(sidecar("lighthouse", hierarchical=("Places|Cornwall",)))
    make_image(d / "plain.jpg", (200, 200, 30), fmt="JPEG")
    return d


def _found(capsys, lib, query: str) -> set[str]:
    return {Path(r["path"]).name
            for r in cli_json(capsys, lib, "search", query, "--limit", "50")}


def test_embedded_iptc_xmp_and_sidecar_keywords_are_found_by_tag(photos, tmp_path, capsys):
    before = {p.name: _digest(p) for p in photos.iterdir()}
    lib = tmp_path / "lib"
    code, _, err = cli(capsys, lib, "index", str(photos))
    assert code == 0, err
    assert {p.name: _digest(p) for p in photos.iterdir()} == before  # read-only

    assert _found(capsys, lib, "anything tag:harbour") == {"harbour.jpg"}  # IPTC, any case
    assert _found(capsys, lib, "anything tag:boats") == {"harbour.jpg"}
    assert _found(capsys, lib, "anything keyword:sunrise") == {"morning.jpg"}  # embedded XMP
    assert _found(capsys, lib, "anything tag:lighthouse") == {"coast.jpg"}  # NAME.xmp
    assert _found(capsys, lib, "anything tag:Cornwall") == {"coast.jpg"}  # hierarchy leaf
    assert _found(capsys, lib, "tag:boats") == {"harbour.jpg"}  # browse (no text term)
    code, _, err = cli(capsys, lib, "search", "x", "--tag", "nosuch")
    assert code != 0 and "nosuch" in err  # neither a label nor a keyword: still an error


def test_preview_details_list_the_keywords(photos, library):
    from photosearch.core.indexer import Indexer

    Indexer(library).run([str(photos)])
    cat = library.catalog
    path = str(photos / "coast.jpg")
    d = photo_details(cat, path, cat.hash_of(path))
    assert d.keywords == ["Cornwall", "lighthouse"]
    path = str(photos / "harbour.jpg")
    assert photo_details(cat, path, cat.hash_of(path)).keywords == ["boats", "Harbour"]
    path = str(photos / "plain.jpg")
    assert photo_details(cat, path, cat.hash_of(path)).keywords == []


def test_unreadable_sidecar_and_odd_files_give_no_keywords_and_never_stop(tmp_path):
    photo = make_image(tmp_path / "a.jpg", fmt="JPEG")
    (tmp_path / "a.jpg.xmp").write_text("<not xml")
    assert keywords.read_file_keywords(str(photo)) == []
    not_image = tmp_path / "b.jpg"
    not_image.write_bytes(b"\x00" * 100)
    assert keywords.read_file_keywords(str(not_image)) == []


@pytest.fixture
def live(library, tmp_path):
    made = []

    def make() -> Live:
        lv = Live(library, [tmp_path / "watched"])
        made.append(lv)
        return lv

    yield make
    for lv in made:
        lv.stop()


def test_editing_a_sidecar_while_watching_updates_the_keyword(live, monkeypatch):
    counters = Counters(monkeypatch)
    lv = live()
    root = lv.roots[0]
    photo = make_image(root / "a.jpg", (10, 120, 40), fmt="JPEG")
    lv.start()
    wait_for(lambda: str(photo) in lv.files(), "photo indexed")
    assert lv.w.wait_idle(30, quiet=0.6)
    store = KeywordStore(lv.ro)

    def kws() -> list[str]:
        return [k for k, _ in store.keywords_of_paths([str(photo)])]

    counters.reset()
    side = root / "a.jpg.xmp"
    side.write_text(sidecar("first"))
    wait_for(lambda: kws() == ["first"], "new sidecar read")
    tmp = root / ".a.jpg.xmp.tmp"  # how editors save: a temp file renamed over it
    tmp.write_text(sidecar("second"))
    tmp.replace(side)
    wait_for(lambda: kws() == ["second"], "edited sidecar read again")
    side.unlink()
    wait_for(lambda: kws() == [], "deleted sidecar: keywords gone")
    assert lv.w.wait_idle(30, quiet=0.6)
    assert counters.decodes == 0 and counters.hashes == 0  # nothing re-embedded
