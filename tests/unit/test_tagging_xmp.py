"""XMP sidecars: valid XMP with dc:subject keywords, merged into existing sidecars without
losing their data, broken sidecars left alone, photos never opened for writing."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import pytest

from photosearch.core import xmp
from photosearch.core.indexer import Indexer
from photosearch.core.tagging import LabelStore, Tagger, tag_keywords

from ..conftest import make_image

EXISTING = b"""<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
     xmlns:digiKam="http://www.digikam.org/ns/1.0/" xmp:Rating="3">
   <digiKam:TagsList><rdf:Seq><rdf:li>People/Anna</rdf:li></rdf:Seq></digiKam:TagsList>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"""


def test_new_sidecar_is_valid_xmp_with_keywords():
    data = xmp.new_xmp(["beach", "sunset & sea", "café"])
    root = ET.fromstring(data)
    assert root.tag == xmp.q("x", "xmpmeta")
    bag = root.find(f"{xmp.q('rdf', 'RDF')}/{xmp.q('rdf', 'Description')}/"
                    f"{xmp.q('dc', 'subject')}/{xmp.q('rdf', 'Bag')}")
    assert [li.text for li in bag] == ["beach", "sunset & sea", "café"]
    assert data.startswith(b"<?xpacket begin=")
    assert data.rstrip().endswith(b'<?xpacket end="w"?>')


def test_merge_keeps_other_metadata_and_adds_a_subject():
    data, added = xmp.merge_xmp(EXISTING, ["beach"])
    assert added == ["beach"]
    props = xmp.read_properties(data)
    assert props["Xmp.xmp.Rating"] == "3"
    # all three keyword fields (digiKam reads its own list first), the user's kept
    assert props[xmp.DK] == ["People/Anna", "beach"]
    assert props[xmp.LR] == ["beach"] and props[xmp.DC] == ["beach"]
    parented, _ = xmp.merge_xmp(EXISTING, ["beach"], parent="photosearch")
    assert xmp.read_keywords(parented, xmp.DK) == ["People/Anna", "photosearch/beach"]
    assert xmp.read_keywords(parented, xmp.LR) == ["photosearch|beach"]
    assert b"<rdf:Bag>" in parented  # dc:subject and lr:hierarchicalSubject are bags


def test_merge_is_case_insensitive_and_idempotent():
    first, _ = xmp.merge_xmp(xmp.new_xmp(["Beach"]), ["beach", "dogs"])
    assert xmp.read_keywords(first) == ["Beach", "dogs"]
    again, added = xmp.merge_xmp(first, ["dogs", "BEACH"])
    assert added == [] and xmp.read_keywords(again) == ["Beach", "dogs"]


def test_broken_or_foreign_sidecars_are_refused():
    with pytest.raises(xmp.XmpError, match="not valid XML"):
        xmp.merge_xmp(b"<x:xmpmeta", ["a"])
    with pytest.raises(xmp.XmpError, match="no rdf:RDF"):
        xmp.merge_xmp(b"<html><body/></html>", ["a"])


def test_write_sidecar_creates_updates_and_leaves_photo_alone(tmp_path):
    photo = make_image(tmp_path / "a.jpg", fmt="JPEG")
    before = hashlib.sha256(photo.read_bytes()).hexdigest(), photo.stat().st_mtime_ns
    assert xmp.write_sidecar(str(photo), ["beach"]) == "created"
    assert xmp.write_sidecar(str(photo), ["beach"]) == "unchanged"
    assert xmp.write_sidecar(str(photo), ["beach", "dog"]) == "updated"
    side = tmp_path / "a.jpg.xmp"
    assert xmp.read_keywords(side.read_bytes()) == ["beach", "dog"]
    assert (hashlib.sha256(photo.read_bytes()).hexdigest(), photo.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "a.jpg.xmp"]  # no temp left


def test_export_reports_failures_and_continues(tmp_path):
    good = make_image(tmp_path / "ok" / "a.png")
    locked = make_image(tmp_path / "bad" / "b.png")
    (tmp_path / "bad" / "b.png.xmp").write_bytes(b"garbage")
    report = xmp.export([(str(locked), ["x"]), (str(good), ["x"])])
    assert report.created == 1 and [p for p, _ in report.errors] == [str(locked)]
    dry = xmp.export([(str(good), ["y"])], dry_run=True)
    assert dry.planned == [(str(good), ["y"])]
    assert xmp.read_keywords((tmp_path / "ok" / "a.png.xmp").read_bytes()) == ["x"]


def test_tag_keywords_lists_every_path_of_tagged_photos(fake_library, tmp_path):
    a = make_image(tmp_path / "p" / "a.png", (200, 20, 20))
    copy = tmp_path / "p" / "sub" / "a-copy.png"
    copy.parent.mkdir()
    copy.write_bytes(a.read_bytes())
    make_image(tmp_path / "p" / "b.png", (20, 20, 200))
    Indexer(fake_library).run([str(tmp_path / "p")])
    store = LabelStore(fake_library.catalog)
    store.add("zeta", threshold=0.99)
    store.add("Alpha", threshold=0.99)
    h = fake_library.catalog.hash_of(str(a))
    tagger = Tagger(fake_library)
    tagger.review("zeta", [h], accept=True)
    tagger.review("Alpha", [h], accept=True)
    assert tag_keywords(fake_library.catalog) == [(str(a), ["Alpha", "zeta"]),
                                                  (str(copy), ["Alpha", "zeta"])]
    assert tag_keywords(fake_library.catalog, str(tmp_path / "p" / "sub")) == \
        [(str(copy), ["Alpha", "zeta"])]
