"""Keywords both ways (issue 14) through the CLI: tags go into the three keyword fields of a
digiKam-style sidecar with everything else kept, and come out again - exactly the values
photosearch wrote - when the tag goes away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from photosearch.core import xmp

from ..conftest import make_image
from .cli_helpers import cli

# What digiKam writes: its tag tree, Lightroom's hierarchy, flat keywords, a rating, a face
# region, a caption (lang-alt) and an XML comment before the root.
DIGIKAM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- digiKam sidecar: keep me -->
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:acdsee="http://ns.acdsee.com/iptc/1.0/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
   xmp:Rating="4"
   acdsee:categories="Family">
   <digiKam:TagsList><rdf:Seq>
     <rdf:li>People/Anna</rdf:li><rdf:li>Places/Paris</rdf:li></rdf:Seq></digiKam:TagsList>
   <lr:hierarchicalSubject><rdf:Bag>
     <rdf:li>People|Anna</rdf:li><rdf:li>Places|Paris</rdf:li></rdf:Bag></lr:hierarchicalSubject>
   <dc:subject><rdf:Bag><rdf:li>Anna</rdf:li><rdf:li>Paris</rdf:li></rdf:Bag></dc:subject>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Anna at the river</rdf:li></rdf:Alt>
   </dc:description>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="96" stDim:h="64" stDim:unit="pixel"/>
    <mwg-rs:RegionList><rdf:Bag><rdf:li rdf:parseType="Resource">
      <mwg-rs:Area stArea:x="0.5" stArea:y="0.4" stArea:w="0.2" stArea:h="0.3"
       stArea:unit="normalized"/>
      <mwg-rs:Name>Anna</mwg-rs:Name><mwg-rs:Type>Face</mwg-rs:Type>
    </rdf:li></rdf:Bag></mwg-rs:RegionList>
   </mwg-rs:Regions>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""

FIELDS = (xmp.DC, xmp.LR, xmp.DK)


@pytest.fixture
def tagged(tmp_path, capsys):
    """Three indexed photos; p0 has a digiKam sidecar; p0 and p1 are confirmed 'dogs'."""
    photos = tmp_path / "photos"
    for i, col in enumerate([(220, 30, 30), (30, 200, 40), (30, 40, 220)]):
        make_image(photos / f"p{i}.jpg", col, fmt="JPEG")
    (photos / "p0.jpg.xmp").write_text(DIGIKAM, "utf-8")
    lib = tmp_path / "lib"
    assert cli(capsys, lib, "index", str(photos))[0] == 0
    assert cli(capsys, lib, "labels", "add", "dogs", "--threshold", "0.99", "--no-apply")[0] == 0
    code, _, err = cli(capsys, lib, "review", "dogs", "--accept", str(photos / "p0.jpg"),
                       str(photos / "p1.jpg"), "--no-apply")
    assert code == 0, err
    return lib, photos


def _props(path: Path) -> dict:
    return xmp.read_properties(path.read_bytes())


def _without(props: dict, keys=FIELDS) -> dict:
    return {k: v for k, v in props.items() if k not in keys}


def test_digikam_sidecar_round_trips_and_labels_remove_takes_back_only_ours(tagged, capsys):
    lib, photos = tagged
    side = photos / "p0.jpg.xmp"
    before = _props(side)
    photo_bytes = (photos / "p0.jpg").read_bytes()

    code, out, err = cli(capsys, lib, "export-xmp")
    assert code == 0, err
    assert "1 created, 1 updated" in out
    after = _props(side)
    # all three keyword fields carry the new tag, after the user's own
    assert after[xmp.DC] == ["Anna", "Paris", "dogs"]
    assert after[xmp.LR] == ["People|Anna", "Places|Paris", "photosearch|dogs"]
    assert after[xmp.DK] == ["People/Anna", "Places/Paris", "photosearch/dogs"]
    # everything else is unchanged: rating, caption, face region, foreign namespace
    assert _without(after) == _without(before)
    assert after["Xmp.xmp.Rating"] == "4" and after["Xmp.acdsee.categories"] == "Family"
    assert any(k.endswith("mwg-rs:Name") and v == "Anna" for k, v in after.items())
    data = side.read_bytes()
    assert b"<!-- digiKam sidecar: keep me -->" in data
    assert data.count(b"<rdf:Bag>") >= 3  # dc:subject, lr:hierarchicalSubject, regions
    assert (photos / "p0.jpg").read_bytes() == photo_bytes  # the photo is never written
    # the new sidecar of p1 has the tag in all three fields too
    p1 = _props(photos / "p1.jpg.xmp")
    assert [p1[k] for k in FIELDS] == [["dogs"], ["photosearch|dogs"], ["photosearch/dogs"]]
    # a second export changes nothing
    assert "0 created, 0 updated, 2 unchanged" in cli(capsys, lib, "export-xmp")[1]

    code, out, err = cli(capsys, lib, "labels", "remove", "dogs")
    assert code == 0, err
    assert "keyword(s) taken back" in out
    gone = _props(side)
    assert gone == before  # the tag is gone from all three, the user's keywords stay
    assert not any(k in _props(photos / "p1.jpg.xmp") for k in FIELDS)  # emptied, kept
    assert not (photos / "p2.jpg.xmp").exists()  # never tagged: never touched


def test_a_keyword_the_user_already_had_is_never_taken_back(tagged, capsys):
    lib, photos = tagged
    side = photos / "p0.jpg.xmp"
    side.write_text(DIGIKAM.replace("<rdf:li>Paris</rdf:li>", "<rdf:li>Dogs</rdf:li>"), "utf-8")
    assert cli(capsys, lib, "export-xmp")[0] == 0
    assert _props(side)[xmp.DC] == ["Anna", "Dogs"]  # already there (any case): not added
    assert _props(side)[xmp.LR][-1] == "photosearch|dogs"
    code, _, err = cli(capsys, lib, "review", "dogs", "--reject", str(photos / "p0.jpg"),
                       "--no-apply")
    assert code == 0, err
    after = _props(side)
    assert after[xmp.DC] == ["Anna", "Dogs"]  # the user's "Dogs" stays
    assert after[xmp.LR] == ["People|Anna", "Places|Paris"]  # ours went, review rejected
    assert after[xmp.DK] == ["People/Anna", "Places/Paris"]
    # p1 is still tagged: its keywords stay
    assert _props(photos / "p1.jpg.xmp")[xmp.DC] == ["dogs"]


def test_the_hierarchy_parent_is_a_setting(tagged, capsys):
    lib, photos = tagged
    settings_file = lib / "settings.json"
    settings = json.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}
    settings["keywords"] = {"parent": "auto-tags"}
    settings_file.write_text(json.dumps(settings), "utf-8")
    assert cli(capsys, lib, "export-xmp")[0] == 0
    p1 = _props(photos / "p1.jpg.xmp")
    assert p1[xmp.LR] == ["auto-tags|dogs"] and p1[xmp.DK] == ["auto-tags/dogs"]
    settings["keywords"] = {"parent": "a|b"}
    settings_file.write_text(json.dumps(settings), "utf-8")
    code, _, err = cli(capsys, lib, "export-xmp")
    assert code != 0 and "keywords.parent" in err
