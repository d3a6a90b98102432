"""Among identical copies, the keeper is the original-looking name, not 'copy of ...'."""

import pytest

from photosearch.core.keeper import DEFAULT_RULES, Item, build_rules, choose_keeper, looks_like_copy


@pytest.mark.parametrize("name", ["copy of first.jpg", "IMG_0002 (1).jpg", "beach - Copy.jpg",
                                  "beach_copy.jpg", "beach copy 2.jpg", "Strand - Kopie.jpg",
                                  "Copy (2) of beach.jpg"])
def test_copy_names_are_recognised(name):
    assert looks_like_copy(f"/p/{name}")


@pytest.mark.parametrize("name", ["IMG_0002.jpg", "DSC-0042.JPG", "copycat.jpg",
                                  "2023-07-01 12.00.00.jpg", "photocopy.png"])
def test_camera_names_are_not_copies(name):
    assert not looks_like_copy(f"/p/{name}")


def test_identical_copies_keep_the_original_name_even_if_younger():
    copy = Item("/a/copy of first.jpg", "h", 10, mtime_ns=1)  # older, shorter path
    orig = Item("/photos/2023/first.jpg", "h", 10, mtime_ns=2)
    keeper, why = choose_keeper([copy, orig], build_rules(DEFAULT_RULES))
    assert keeper is orig and "original name" in why


def test_real_rules_still_come_first():
    small_orig = Item("/p/first.jpg", "a", 10, 1, width=100, height=100)
    big_copy = Item("/p/first (1).jpg", "b", 10, 1, width=400, height=300)
    keeper, why = choose_keeper([small_orig, big_copy], build_rules(DEFAULT_RULES))
    assert keeper is big_copy and "resolution" in why
