"""Keywords photos already carry (issue 14) in the app: a sidecar keyword shows in the
preview's Keywords row and `tag:NAME` in the search field finds the photo."""

from __future__ import annotations

from tests.ui.conftest import index_now, names, settle

SIDECAR = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           '02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/'
           'elements/1.1/"><dc:subject><rdf:Bag><rdf:li>harbour</rdf:li><rdf:li>Boats</rdf:li>'
           '</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>')


def test_sidecar_keywords_in_the_preview_and_tag_search(qtbot, window, photos):
    red = photos[0]
    (red.parent / (red.name + ".xmp")).write_text(SIDECAR, "utf-8")
    index_now(qtbot, window, [red.parent])
    window.search.set_query("tag:harbour")
    settle(qtbot, window)
    assert names(window) == ["red.jpg"]
    window.grid.setCurrentIndex(window.results.index(0))
    qtbot.waitUntil(lambda: window.preview.fields["Keywords"].text() == "Boats, harbour")
    assert window.preview.fields["Tags"].text() == "—"  # keywords are not labels
    window.search.set_query("keyword:boats")
    settle(qtbot, window)
    assert names(window) == ["red.jpg"]
