"""Keywords (issue 14): what reading a photo's keywords costs at index time, and what one
sidecar write costs, through exiv2 (pyexiv2).

Set: N real flickr photos (../shared/data/flickr8k-1k), copied to a temp folder; half get
IPTC Keywords written into the copy, each gets a digiKam-style NAME.EXT.xmp sidecar. The
indexer's own per-file work (hashing, decoding, embedding) is not included: compare with
the "Indexing" section.

    python bench/bench_keywords.py [--n 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import write_section  # noqa: E402

from photosearch.core import keywords, xmp  # noqa: E402

FLICKR = Path(__file__).resolve().parents[2] / "shared" / "data" / "flickr8k-1k" / "Images"
SIDECAR = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           '02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.'
           'com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:digiKam="http://'
           'www.digikam.org/ns/1.0/" xmp:Rating="3"><digiKam:TagsList><rdf:Seq><rdf:li>People/'
           'Anna</rdf:li></rdf:Seq></digiKam:TagsList><dc:subject><rdf:Bag><rdf:li>Anna</rdf:li>'
           '</rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>')


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    import pyexiv2

    src = sorted(FLICKR.glob("*.jpg"))[:args.n]
    with tempfile.TemporaryDirectory() as tmp:
        photos = []
        for i, p in enumerate(src):
            dst = Path(tmp) / p.name
            shutil.copy(p, dst)
            if i % 2 == 0:
                with pyexiv2.Image(str(dst)) as img:
                    img.modify_iptc({"Iptc.Application2.Keywords": ["harbour", "boats"]})
            (Path(tmp) / (p.name + ".xmp")).write_text(SIDECAR, "utf-8")
            photos.append(str(dst))
        reads = []
        for p in photos:
            t = time.perf_counter()
            keywords.read_file_keywords(p)
            reads.append(time.perf_counter() - t)
        writes = []
        for p in photos:
            t = time.perf_counter()
            xmp.edit_keywords(p, ["dogs"], parent="photosearch")
            writes.append(time.perf_counter() - t)
    ms = lambda xs: 1000 * statistics.median(xs)  # noqa: E731
    p90 = lambda xs: 1000 * sorted(xs)[int(0.9 * len(xs))]  # noqa: E731
    body = (f"{len(photos)} Flickr8k JPEGs (44-257 KB, mean 136 KB), each with a digiKam-style "
            "sidecar, half with IPTC Keywords. The box was shared with other jobs (noisy); "
            "one run.\n\n"
            "| step | median ms/photo | p90 ms/photo |\n|---|---|---|\n"
            f"| read keywords (sidecar + embedded XMP + IPTC) | {ms(reads):.2f} | "
            f"{p90(reads):.2f} |\n"
            f"| merge one tag into the sidecar (3 fields, atomic write) | {ms(writes):.2f} | "
            f"{p90(writes):.2f} |\n")
    print(body)
    write_section("Keywords (XMP/IPTC via exiv2)", f"python bench/bench_keywords.py --n {args.n}",
                  body)


if __name__ == "__main__":
    main()
