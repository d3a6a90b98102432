"""People (faces): detection, grouping quality, faces-pass speed and re-cluster time.

Data: ../shared/data/faces (56 public photos of 9 people, labels.csv, sources in
SOURCE.txt). Five photos show more than one person and only the folder's person is
labelled, so each photo contributes ONE labelled face: photos with a single detected face
first give each identity its anchors; in a photo with several faces the labelled one is the
face with the smallest mean distance to its identity's anchors (the largest face agrees in
the count given in the report). Every other detected face still takes part in clustering
(as an unlabelled distractor) but is not scored.

Speed: the faces pass on ~800 px copies of Flickr photos in which HOG finds a face
(../shared/data/flickr8k-1k), and re-clustering 10,000 descriptors synthesised from the
real ones (each real descriptor + Gaussian noise, sigma given in the report).

    .venv/bin/python bench/bench_faces.py [--no-write] [--speed-photos 40]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

from photosearch.core.people import cluster  # noqa: E402
from photosearch.core.people.analyze import FaceAnalyzer  # noqa: E402
from photosearch.core.people.assign import JOIN_DISTANCE  # noqa: E402
from photosearch.core.people.detect import DetectorConfig  # noqa: E402

FACES = ROOT.parent / "shared" / "data" / "faces"
FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"


def labelled_faces(analyzer: FaceAnalyzer):
    """(descriptors of every face, identity per face or None, detections summary)."""
    rows = list(csv.DictReader(open(FACES / "labels.csv", encoding="utf-8")))
    per_photo = []
    for r in rows:
        faces = analyzer.analyze(FACES / r["file"])
        per_photo.append((r["file"], r["identity"], faces))
    anchors = defaultdict(list)
    for _, ident, faces in per_photo:
        if len(faces) == 1:
            anchors[ident].append(faces[0].descriptor)
    descs, truth, info = [], [], {"photos": len(rows), "no_face": [], "multi": 0,
                                  "largest_agrees": 0}
    for name, ident, faces in per_photo:
        if not faces:
            info["no_face"].append(name)
            continue
        pick = 0
        if len(faces) > 1:
            info["multi"] += 1
            ref = np.array(anchors[ident])
            dists = [float(np.linalg.norm(ref - f.descriptor, axis=1).mean()) for f in faces]
            pick = int(np.argmin(dists))
            areas = [(f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) for f in faces]
            info["largest_agrees"] += int(int(np.argmax(areas)) == pick)
        for i, f in enumerate(faces):
            descs.append(f.descriptor)
            truth.append(ident if i == pick else None)
    return np.array(descs, np.float32), truth, info


def quality(descs, truth) -> list[tuple[str, float, dict]]:
    keep = np.array([t is not None for t in truth])
    t = np.array([x for x in truth if x is not None])
    out = []
    for name, fn in cluster.METHODS.items():
        for thr in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            labels = fn(descs, thr)
            out.append((name, thr, cluster.scores(t, labels[keep])))
    return out


def distances(descs, truth) -> dict:
    keep = [i for i, t in enumerate(truth) if t is not None]
    x = descs[keep]
    t = np.array([truth[i] for i in keep])
    d = cluster.pairwise(x)
    same = (t[:, None] == t[None, :]) & ~np.eye(len(t), dtype=bool)
    diff = t[:, None] != t[None, :]
    return {"same_mean": float(d[same].mean()), "diff_mean": float(d[diff].mean()),
            "same_lt_06": float((d[same] < 0.6).mean()),
            "diff_ge_06": float((d[diff] >= 0.6).mean()), "diff_min": float(d[diff].min()),
            "nn_correct": float(np.mean([t[np.argsort(d[i])[1]] == t[i] for i in range(len(t))]))}


def join_quality(descs, truth) -> list[tuple[float, int, int, int]]:
    """Leave-one-out incremental matching: each labelled face against every other labelled
    face grouped by its true person. (join cut, joined right, joined wrong, not joined)."""
    from photosearch.core.people.assign import decide

    keep = [i for i, t in enumerate(truth) if t is not None]
    x = descs[keep]
    t = [truth[i] for i in keep]
    names = sorted(set(t))
    d = cluster.pairwise(x)
    out = []
    for join in (0.4, 0.45, 0.5, 0.55, 0.6):
        right = wrong = none = 0
        for i in range(len(t)):
            per: dict[int, list[float]] = defaultdict(list)
            for j in range(len(t)):
                if j != i:
                    per[names.index(t[j])].append(float(d[i, j]))
            got = decide(per, join=join)
            if got is None:
                none += 1
            elif names[got] == t[i]:
                right += 1
            else:
                wrong += 1
        out.append((join, right, wrong, none))
    return out


def speed(n_photos: int, workers: int) -> dict:
    """Faces pass on ~800 px copies of Flickr photos with at least one HOG face."""
    from PIL import Image

    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.people import faces_pass

    tmp = Path(tempfile.mkdtemp(prefix="bench_faces_"))
    photos = tmp / "photos"
    photos.mkdir()
    finder = FaceAnalyzer()
    picked = 0
    for src in sorted(FLICKR.glob("*.jpg")):
        img = Image.open(src).convert("RGB")
        scale = 800 / max(img.size)  # Flickr8k photos are ~500 px: scaled up to 800 px
        img = img.resize((round(img.width * scale), round(img.height * scale)),
                         Image.Resampling.BICUBIC)
        arr = np.asarray(img)
        if not finder.detector.detect(arr):
            continue
        img.save(photos / src.name, quality=90)
        picked += 1
        if picked >= n_photos:
            break
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    lib = Library.open(resolve_library(tmp / "lib"), model="test-tiny", pretrained="none")
    Indexer(lib, embed=False).run([str(photos)])
    import resource

    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    report = faces_pass.run(lib, workers=workers)
    secs = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, joined
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
           + me1.ru_utime + me1.ru_stime - me0.ru_utime - me0.ru_stime)
    lib.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return {"photos": report.photos, "faces": report.faces, "seconds": secs,
            "per_s": report.photos / secs, "workers": workers, "cpu": cpu,
            "cpu_per_photo": cpu / max(report.photos, 1),
            "load": (load_before, os.getloadavg()[0])}


def recluster_time(descs: np.ndarray, n: int = 10_000, sigma: float = 0.03) -> dict:
    rng = np.random.default_rng(0)
    base = descs[rng.integers(0, len(descs), n)]
    x = (base + rng.normal(0, sigma, base.shape)).astype(np.float32)
    t0 = time.perf_counter()
    labels = cluster.average_link(x, cluster.DEFAULT_THRESHOLD)
    secs = time.perf_counter() - t0
    return {"n": n, "sigma": sigma, "seconds": secs, "clusters": int(labels.max() + 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--speed-photos", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    analyzer = FaceAnalyzer(DetectorConfig())
    t0 = time.perf_counter()
    descs, truth, info = labelled_faces(analyzer)
    print(f"extracted {len(descs)} faces in {time.perf_counter() - t0:.1f}s; {info}")
    dist = distances(descs, truth)
    print(dist)
    table = quality(descs, truth)
    for name, thr, s in table:
        print(f"{name:18} {thr:.2f} P={s['pairwise_precision']:.3f} "
              f"R={s['pairwise_recall']:.3f} B3F1={s['bcubed_f1']:.3f} k={s['clusters']:.0f}")
    joins = join_quality(descs, truth)
    print(joins)
    rc = recluster_time(descs)
    print(rc)
    sp = speed(args.speed_photos, args.workers)
    print(sp)
    if args.no_write:
        return
    lines = [
        f"Data: ../shared/data/faces, {info['photos']} photos of 9 people (public web photos; "
        "sources and licences in its SOURCE.txt). Detector: "
        f"`{analyzer.detector_id}` (HOG, working copy <= 1000 px, one 2x upsample when the "
        f"copy is under 700 px, score >= {analyzer.config.min_score}, box >= "
        f"{analyzer.config.min_size} px). {len(descs)} faces found; photos without a face: "
        f"{len(info['no_face'])} {info['no_face']}; photos with several faces: "
        f"{info['multi']} (the labelled face was picked as the one nearest its identity's "
        "single-face photos; the largest face is the same one in "
        f"{info['largest_agrees']} of {info['multi']}). Only labelled faces are scored; the "
        "others are clustered too, as distractors.",
        "",
        f"Descriptor distances (labelled faces): same person mean {dist['same_mean']:.3f}, "
        f"different people mean {dist['diff_mean']:.3f}; same-person pairs < 0.6: "
        f"{dist['same_lt_06']:.1%}; different-person pairs >= 0.6: {dist['diff_ge_06']:.1%} "
        f"(closest different-person pair {dist['diff_min']:.3f}); "
        f"nearest neighbour is the same person: {dist['nn_correct']:.1%}.",
        "",
        "| method | cut | pairwise precision | pairwise recall | B-cubed F1 "
        "| clusters (9 people) |",
        "|---|---|---|---|---|---|",
    ]
    for name, thr, s in table:
        bold = "**" if name == "average-link" and thr == cluster.DEFAULT_THRESHOLD else ""
        lines.append(f"| {bold}{name}{bold} | {thr:.2f} | {s['pairwise_precision']:.3f} | "
                     f"{s['pairwise_recall']:.3f} | {s['bcubed_f1']:.3f} | "
                     f"{s['clusters']:.0f} |")
    lines += [
        "",
        f"Default: average-link at {cluster.DEFAULT_THRESHOLD} (bold). The set is small (56 "
        "faces): one wrong pair moves pairwise precision by several points, so read the "
        "table as a ranking of the methods, not as a promise for other photos. Average link "
        "stays pure up to 0.70 here, where single link and Chinese Whispers already merge "
        "people; that is why it was chosen. The cut is NOT tuned for recall on this set: it "
        "sits below the closest different-person pair seen here (0.615) with margin, because "
        "with more people in a library different-person pairs come closer (the feasibility "
        "run on 34 LFW people in issue 13 saw Chinese Whispers at 0.6 merge identities). "
        "There is no held-out labelled set in this environment, so these numbers come from "
        "the same photos the cut was checked on.",
        "",
        "Incremental matching (a new face joins a person when the mean of its 3 nearest "
        "distances to that person is <= the cut and the next person is >= 0.1 further), "
        "leave-one-out over the labelled faces, every other face already in its true "
        "person:",
        "",
        "| join cut | joined the right person | joined a wrong person | left unassigned |",
        "|---|---|---|---|",
        *[f"| {'**' if j == JOIN_DISTANCE else ''}{j:.2f}{'**' if j == JOIN_DISTANCE else ''} "
          f"| {r} | {w} | {n} |" for j, r, w, n in joins],
        "",
        "| speed | value |",
        "|---|---|",
        f"| faces pass, {sp['photos']} Flickr photos with faces, scaled to 800 px "
        f"(HOG default settings, {sp['workers']} worker processes) | {sp['per_s']:.2f} photos/s "
        f"({sp['faces']} faces, {sp['seconds']:.1f} s wall; target >= 8) |",
        f"| CPU time of that pass (workers + coordinator, incl. process start-up) | "
        f"{sp['cpu']:.1f} s = {sp['cpu_per_photo'] * 1000:.0f} ms per photo, i.e. about "
        f"{2 / sp['cpu_per_photo']:.1f} photos/s if both cores were free (estimate) |",
        f"| machine load (1-min load average before / after; 2 cores, shared) | "
        f"{sp['load'][0]:.1f} / {sp['load'][1]:.1f} |",
        f"| re-cluster {rc['n']:,} faces (average-link, cut {cluster.DEFAULT_THRESHOLD}) | "
        f"{rc['seconds']:.2f} s, {rc['clusters']} clusters (target <= 10 s) |",
        "",
        f"The 10k descriptors are synthesised: each is one of the {len(descs)} real "
        f"descriptors plus Gaussian noise (sigma {rc['sigma']} per dimension). The machine is "
        "a shared 2-core box (other jobs running), so absolute times are noisy: single run. "
        "The faces pass runs its workers at nice 10 on purpose (search and the CLIP pass come "
        "first), so on a busy machine its wall time mostly measures the other jobs; the CPU "
        "time per photo is the stable number. Not measured yet: whether a concurrent faces "
        "pass slows the CLIP pass (the CLI runs them one after the other).",
    ]
    write_section("People (faces)", "python bench/bench_faces.py", "\n".join(lines))


if __name__ == "__main__":
    main()
