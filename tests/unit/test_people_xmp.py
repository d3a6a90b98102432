"""Named people as MWG face regions in XMP sidecars: round trip, merge with what is there,
rotated photos refused, photos never written."""

from __future__ import annotations

import pytest
from PIL import Image

from photosearch.core import xmp
from photosearch.core.people.xmp_regions import (
    Region,
    merge_regions,
    read_regions,
    region_for,
    write_regions,
)


def test_regions_round_trip_and_merge_keeps_other_metadata():
    data = merge_regions(None, [Region("Anna", 0.5, 0.25, 0.1, 0.2)], (400, 300))
    assert read_regions(data) == [Region("Anna", 0.5, 0.25, 0.1, 0.2)]
    tagged, _ = xmp.merge_xmp(data, ["beach"])  # keywords beside the regions
    both = merge_regions(tagged, [Region("Bob", 0.2, 0.2, 0.1, 0.1),
                                  Region("anna", 0.6, 0.3, 0.1, 0.2)], (400, 300))
    assert sorted(r.name for r in read_regions(both)) == ["Bob", "anna"]  # Anna replaced
    assert xmp.read_keywords(both) == ["beach"]
    assert b"mwg-rs:Regions" in both and b'stDim:w="400"' in both
    with pytest.raises(xmp.XmpError):
        merge_regions(b"<not xml", [], (1, 1))


def test_region_is_the_box_as_fractions_of_the_image():
    r = region_for("A", (100, 50, 200, 150), (400, 200))
    assert (r.x, r.y, r.w, r.h) == (0.375, 0.5, 0.25, 0.5)


def test_rotated_photos_are_refused(tmp_path):
    photo = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (40, 30)).save(photo, exif=exif)
    with pytest.raises(xmp.XmpError, match="rotated"):
        write_regions(str(photo), [Region("A", 0.5, 0.5, 0.1, 0.1)], (30, 40))
    assert not (tmp_path / "rotated.jpg.xmp").exists()



def test_sidecar_regions_match_detected_faces_by_overlap():
    from photosearch.core.people.xmp_regions import match_regions

    size = (400, 200)
    boxes = [(100, 50, 200, 150), (300, 20, 340, 60)]
    regions = [region_for("Anna", (105, 55, 195, 150), size),  # on face 0
               region_for("Bob", (0, 0, 20, 20), size),  # on no face
               region_for("Cleo", (290, 20, 335, 62), size)]  # on face 1
    assert match_regions(regions, boxes, size) == {0: "Anna", 1: "Cleo"}
    assert match_regions([regions[0]], [boxes[1]], size) == {}
