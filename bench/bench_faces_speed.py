"""People (faces): where the faces pass spends its time on 800 px photos, the cheap wins
(a smaller HOG copy, upsampling 0 vs 1, decoding once, grayscale HOG, batched descriptors)
with the detection recall each keeps, the whole pass with 1 and 2 worker processes (cold:
processes started by the pass; warm: kept from an earlier pass), and whether the CLIP pass
slows down while the faces pass runs beside it (one worker while a CLIP pass runs, the
shipped policy, against two).

Data: ../shared/data/faces (56 labelled photos of 9 people, SOURCE.txt), each scaled to
800 px on the longer side for the recall column; ~800 px copies of Flickr8k photos in
which the default detector finds a face for the speed columns; the first 1000 Flickr8k photos
for the CLIP-pass runs. CPU time (user+sys, this process and its children) is the
load-independent number; wall times on the shared 2-core box depend on the other jobs, so
the 1-minute load average is printed beside them.

    .venv/bin/python bench/bench_faces_speed.py [--no-write] [--photos 30] [--clip-photos 1000]
        [--pass-copies 3] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import write_section  # noqa: E402

from photosearch.core.people.analyze import FaceAnalyzer  # noqa: E402
from photosearch.core.people.detect import DetectorConfig  # noqa: E402

FACES = ROOT.parent / "shared" / "data" / "faces"
FLICKR = ROOT.parent / "shared" / "data" / "flickr8k-1k" / "Images"

CONFIGS = {  # name -> detector config, applied to 800 px photos
    "shipped: 800 px copy (max 1000), upsample 0": DetectorConfig(),
    "640 px copy, upsample 0": DetectorConfig(max_side=640, upsample_below=0),
    "800 px copy, upsample 1": DetectorConfig(upsample_below=10_000),
    "640 px copy, upsample 1": DetectorConfig(max_side=640, upsample_below=10_000),
}


def cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def proc_cpu(pids: list[int]) -> float:
    """User+system CPU seconds of running processes (Linux /proc; children still alive are
    not in RUSAGE_CHILDREN)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def scaled(src: Path, side: int = 800) -> Image.Image:
    img = Image.open(src).convert("RGB")
    s = side / max(img.size)
    return img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.BICUBIC)


def make_sets(tmp: Path, n_photos: int) -> tuple[list[Path], list[Path]]:
    faces = tmp / "faces800"
    faces.mkdir()
    labelled = []
    for f in sorted(FACES.glob("*/*.jpg")):
        out = faces / f"{f.parent.name}-{f.name}"
        scaled(f).save(out, quality=92)
        labelled.append(out)
    speed = tmp / "speed"
    speed.mkdir()
    finder = FaceAnalyzer()
    picked: list[Path] = []
    for src in sorted(FLICKR.glob("*.jpg")):
        img = scaled(src)
        if not finder.detector.detect(np.asarray(img)):
            continue
        img.save(speed / src.name, quality=90)
        picked.append(speed / src.name)
        if len(picked) >= n_photos:
            break
    return labelled, picked


def stage_costs(config: DetectorConfig, labelled: list[Path], speed: list[Path]) -> dict:
    """Recall on the labelled set; per-photo CPU of decode vs detect+describe on `speed`."""
    an = FaceAnalyzer(config)
    found = sum(1 for p in labelled if an.analyze(p))
    t_dec = t_rest = 0.0
    faces = 0
    arrays = []
    for p in speed:
        t0 = time.process_time()
        arr = an.working_copy(p)
        t1 = time.process_time()
        faces += len(an.analyze_array(*arr))
        t_rest += time.process_time() - t1
        t_dec += t1 - t0
        arrays.append(arr)
    t0 = time.process_time()  # decode once: the same photos from pixels already in memory
    for arr in arrays:
        an.analyze_array(*arr)
    reuse = time.process_time() - t0
    n = len(speed)
    return {"recall": found / len(labelled), "found": found, "n_labelled": len(labelled),
            "decode_ms": 1000 * t_dec / n, "analyse_ms": 1000 * t_rest / n,
            "reuse_ms": 1000 * reuse / n, "faces": faces}


def candidate_wins(labelled: list[Path], speed: list[Path]) -> dict:
    """CPU per photo/face (process_time) of the variants the brief asked about, on the
    shipped working copies, with what each finds and how far its descriptors move."""
    import dlib

    an = FaceAnalyzer()
    hog, shape, net = an.detector._hog, an.describer._shape, an.describer._net
    arrays = [an.working_copy(p)[0] for p in speed]
    grays = [np.ascontiguousarray(np.asarray(Image.fromarray(a).convert("L"))) for a in arrays]
    cfg = an.config

    def hog_faces(imgs):
        t0 = time.process_time()
        found = [[r for r, sc in zip(*hog.run(a, 0, cfg.min_score)[:2], strict=True)
                  if sc >= cfg.min_score and min(r.width(), r.height()) >= cfg.min_size]
                 for a in imgs]
        return found, 1000 * (time.process_time() - t0) / len(imgs)

    rgb_found, rgb_ms = hog_faces(arrays)
    gray_found, gray_ms = hog_faces(grays)
    lab_rgb = [an.working_copy(p)[0] for p in labelled]
    lab_gray = [np.ascontiguousarray(np.asarray(Image.fromarray(a).convert("L")))
                for a in lab_rgb]
    recall_rgb = sum(1 for f in hog_faces(lab_rgb)[0] if f)
    recall_gray = sum(1 for f in hog_faces(lab_gray)[0] if f)
    t0 = time.process_time()
    shapes = []
    for a, rects in zip(arrays, rgb_found, strict=True):
        s = dlib.full_object_detections()
        for r in rects:
            s.append(shape(a, r))
        shapes.append(s)
    n_faces = sum(len(s) for s in shapes)
    landmarks_ms = 1000 * (time.process_time() - t0) / len(arrays)
    with_faces = [(a, s) for a, s in zip(arrays, shapes, strict=True) if len(s)]

    def timed(fn):
        t0 = time.process_time()
        vecs = np.array(fn(), dtype=np.float64)
        return vecs, 1000 * (time.process_time() - t0) / n_faces

    shipped, shipped_ms = timed(lambda: [v for a, s in with_faces
                                         for v in net.compute_face_descriptor(a, s)])
    per_face, per_face_ms = timed(lambda: [net.compute_face_descriptor(a, f)
                                           for a, s in with_faces for f in s])
    across, across_ms = timed(lambda: [v for vs in net.compute_face_descriptor(
        [a for a, _ in with_faces], [s for _, s in with_faces]) for v in vs])
    t0 = time.process_time()
    chips = [c for a, s in with_faces for c in dlib.get_face_chips(a, s, size=150)]
    chip_ms = 1000 * (time.process_time() - t0) / n_faces
    on_chips, on_chips_ms = timed(lambda: list(net.compute_face_descriptor(chips)))
    return {
        "hog": [("RGB (shipped)", rgb_ms, sum(map(len, rgb_found)), recall_rgb),
                ("grayscale", gray_ms, sum(map(len, gray_found)), recall_gray)],
        "n_labelled": len(labelled), "landmarks_ms": landmarks_ms, "faces": n_faces,
        "desc": [("one call per photo, its faces batched (shipped)", shipped_ms, 0.0),
                 ("one call per face", per_face_ms, float(abs(per_face - shipped).max())),
                 ("one call for all photos (batch of images)", across_ms,
                  float(abs(across - shipped).max())),
                 (f"get_face_chips ({chip_ms:.1f} ms/face) then one call on all chips",
                  chip_ms + on_chips_ms, float(abs(on_chips - shipped).max()))],
    }


def startup_cost(workers: int) -> dict:
    """Wall and CPU to start `workers` spawned worker processes that load the models."""
    from photosearch.core.people import faces_pass
    from photosearch.core.people.models import model_files

    pool = faces_pass.WorkerPool()
    c0, t0 = cpu(), time.perf_counter()
    ex = pool.executor(workers, DetectorConfig(), model_files())
    for f in [ex.submit(faces_pass._work, []) for _ in range(workers)]:
        f.result()
    pool.close()
    return {"workers": workers, "seconds": time.perf_counter() - t0,
            "cpu_s": cpu() - c0}


def pass_set(speed: list[Path], folder: Path, copies: int) -> Path:
    """`copies` distinct re-encodings of the speed set (so no photo is a duplicate)."""
    folder.mkdir()
    for k in range(copies):
        for p in speed:
            Image.open(p).save(folder / f"{k}-{p.name}", quality=90 - k)
    return folder


def full_pass(folder: Path, tmp: Path, workers: int, warm: bool, tag: str) -> dict:
    """A fresh library over `folder`, then one faces pass as the app runs it. warm: the
    worker processes are started (models loaded) before the clock starts, as the app's
    background worker keeps them between passes; cold: the pass starts its own."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.people import faces_pass
    from photosearch.core.people.models import model_files

    lib = Library.open(resolve_library(tmp / f"lib-pass-{tag}"), model="test-tiny",
                       pretrained="none")
    Indexer(lib, embed=False).run([str(folder)])
    pool = None
    pids: list[int] = []
    if warm:
        pool = faces_pass.WorkerPool()
        ex = pool.executor(workers, faces_pass.detector_config(lib), model_files())
        for f in [ex.submit(faces_pass._work, []) for _ in range(workers)]:
            f.result()
        pids = list(ex._processes)  # their CPU is read from /proc: they outlive the clock
    load0, c0, w0, t0 = os.getloadavg()[0], cpu(), proc_cpu(pids), time.perf_counter()
    report = faces_pass.run(lib, workers=workers, pool=pool)
    secs, used = time.perf_counter() - t0, cpu() - c0 + proc_cpu(pids) - w0
    if pool is not None:
        pool.close()
    lib.close()
    return {"photos": report.photos, "faces": report.faces, "seconds": secs,
            "per_s": report.photos / secs, "cpu_ms": 1000 * used / max(1, report.photos),
            "load": (load0, os.getloadavg()[0]), "workers": workers, "warm": warm}


A, POLICY, TWO = ("alone", "with faces pass told a CLIP pass runs (shipped: it waits)",
                  "with faces pass, 2 workers")


def clip_beside_faces(tmp: Path, n: int, speed: list[Path], rounds: int) -> list[dict]:
    """Index n Flickr photos (test-tiny CLIP) into a fresh library per run, alternating runs
    alone, with a faces pass as the app runs it beside a CLIP pass (2 workers allowed,
    clip_busy true: since 2026-11-29 it hands out nothing and waits; until then 1 worker
    worked) and with a faces pass using both workers, each working on
    another library at the same time. A first run warms caches and is not counted; each
    round runs the three modes in a rotated order so a steady drift of the load cancels."""
    from photosearch.core.indexer import Indexer
    from photosearch.core.library import Library
    from photosearch.core.paths import resolve_library
    from photosearch.core.people import faces_pass

    photos = tmp / "clip"
    photos.mkdir()
    for src in sorted(FLICKR.glob("*.jpg"))[:n]:
        shutil.copyfile(src, photos / src.name)
    busy = tmp / "busy"  # many distinct face photos so the faces pass outlasts every run
    busy.mkdir()
    for k in range(16):
        for p in speed:
            Image.open(p).save(busy / f"{k}-{p.name}", quality=79 + k)
    flib = Library.open(resolve_library(tmp / "lib-busy"), model="test-tiny", pretrained="none")
    Indexer(flib, embed=False).run([str(busy)])
    out = []
    order = ["warm-up"]
    for r in range(rounds):
        modes = [A, POLICY, TWO]
        order += modes[r % 3:] + modes[:r % 3] + list(reversed(modes[r % 3:] + modes[:r % 3]))
    for i, mode in enumerate(order):
        stop = threading.Event()
        worker = None
        if mode in (POLICY, TWO):
            started = threading.Event()
            clip_busy = (lambda: True) if mode == POLICY else None

            def go(stop=stop, started=started, clip_busy=clip_busy) -> None:
                faces_pass.run(flib, workers=2, cancel=stop, clip_busy=clip_busy,
                               progress=lambda p: started.set() if p.done >= 2 else None)

            worker = threading.Thread(target=go)
            worker.start()
            if clip_busy is None:
                started.wait(120)  # the worker processes are up and analysing
        lib = Library.open(resolve_library(tmp / f"lib-clip{i}"), model="test-tiny",
                           pretrained="none")
        load0, t0 = os.getloadavg()[0], time.perf_counter()
        report = Indexer(lib).run([str(photos)])
        secs = time.perf_counter() - t0
        lib.close()
        if worker is not None:
            stop.set()
            worker.join()
        row = {"mode": mode, "photos": report.embedded, "seconds": secs,
               "per_s": report.embedded / secs, "load": load0}
        print(row, flush=True)
        if mode != "warm-up":
            out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--photos", type=int, default=30)
    ap.add_argument("--clip-photos", type=int, default=1000)
    ap.add_argument("--pass-copies", type=int, default=3,
                    help="the whole-pass runs look at this many re-encodings of the speed set")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_faces_speed_"))
    os.environ["PHOTOSEARCH_CACHE"] = str(tmp / "cache")
    load_start = os.getloadavg()[0]
    try:
        labelled, speed = make_sets(tmp, args.photos)
        rows = {}
        for name, config in CONFIGS.items():
            rows[name] = stage_costs(config, labelled, speed)
            print(name, rows[name], flush=True)
        wins = candidate_wins(labelled, speed)
        print(wins, flush=True)
        starts = [startup_cost(w) for w in (1, 2)]
        print(starts, flush=True)
        folder = pass_set(speed, tmp / "pass", args.pass_copies)
        passes = []
        for i, (workers, warm) in enumerate([(1, False), (2, False), (2, True), (1, True)]):
            passes.append(full_pass(folder, tmp, workers, warm, str(i)))
            print(passes[-1], flush=True)
        clip = clip_beside_faces(tmp, args.clip_photos, speed, args.rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_end = os.getloadavg()[0]
    if args.no_write:
        return
    lines = [
        f"1-minute load average at the start / end of the whole run: {load_start:.1f} / "
        f"{load_end:.1f} (2 cores, shared with other jobs; the wall-time rows say theirs).",
        "",
        f"Detection recall: photos of ../shared/data/faces (each scaled to 800 px) in which "
        f"at least one face is found, of {rows[next(iter(rows))]['n_labelled']}. CPU per "
        f"photo: {len(speed)} ~800 px Flickr8k photos with faces, one process, "
        "`time.process_time` (load-independent): decoding the reduced, oriented working copy "
        "vs detection + landmarks + descriptors; 'pixels reused' runs the same analysis on "
        "arrays already in memory (what decoding once would leave).",
        "",
        "| HOG setting (800 px photos) | recall | decode ms | detect+describe ms "
        "| total ms/photo | = photos/s per core | faces on the speed set |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rows.items():
        total = r["decode_ms"] + r["analyse_ms"]
        lines.append(f"| {name} | {r['recall']:.3f} ({r['found']}) | {r['decode_ms']:.0f} | "
                     f"{r['analyse_ms']:.0f} | {total:.0f} | {1000 / total:.1f} | "
                     f"{r['faces']} |")
    base = rows[next(iter(rows))]
    lines += [
        "",
        f"Decoding is {base['decode_ms'] / (base['decode_ms'] + base['analyse_ms']):.0%} of "
        f"the shipped setting's CPU per photo; re-running the analysis on pixels already in "
        f"memory cost {base['reuse_ms']:.0f} ms/photo (vs {base['analyse_ms']:.0f} ms with "
        "decoding timed apart), so decoding once would save at most the decode column. The "
        "CLIP pass decodes to 224 px, too small for faces, so reusing its pixels would mean "
        "keeping a second ~1000 px copy per photo in the indexer; not done.",
        "",
        f"**Stages and candidate wins** (shipped working copies of the {len(speed)} speed "
        f"photos, {wins['faces']} faces, one process, `time.process_time`):",
        "",
        "| HOG input | ms/photo | faces on the speed set | labelled photos with a face |",
        "|---|---|---|---|",
        *[f"| {name} | {ms:.0f} | {n} | {rec} of {wins['n_labelled']} |"
          for name, ms, n, rec in wins["hog"]],
        "",
        f"5-point landmarks: {wins['landmarks_ms']:.1f} ms/photo.",
        "",
        "| 128-d descriptor (num_jitters 0, dlib's default) | ms/face | max abs difference "
        "to shipped |",
        "|---|---|---|",
        *[f"| {name} | {ms:.0f} | {d:.1e} |" for name, ms, d in wins["desc"]],
        "",
        "The descriptor network is most of the CPU (dlib-bin is built without BLAS, so a "
        "batch runs the same per-face convolutions: batching across faces or photos gives "
        "identical vectors and no saving beyond the noise). Grayscale HOG saves a few ms "
        "but finds fewer faces on the speed set: not shipped. Neither is a smaller working "
        "copy (the 640 px rows above lose faces).",
        "",
        "**Worker processes start-up** (spawn, import, load the three models), paid once per "
        "pass when the pass starts its own processes (CLI `people scan`, `index`), once per "
        "minute of activity in the app (its background worker keeps them between passes "
        "and ends them after 60 s without a poke; ~100 MB resident each):",
        "",
        "| processes | wall s | CPU s |",
        "|---|---|---|",
        *[f"| {st['workers']} | {st['seconds']:.1f} | {st['cpu_s']:.1f} |" for st in starts],
        "",
        f"**Whole faces pass** (shipped HOG setting; a fresh library of {passes[0]['photos']} "
        f"photos: {args.pass_copies} re-encodings of the speed set; workers at nice 10; "
        "cold: the pass starts its processes, warm: they were started before the clock):",
        "",
        "| worker processes | start | photos/s wall | seconds | faces | CPU ms/photo "
        "(workers + coordinator) | load average before / after |",
        "|---|---|---|---|---|---|---|",
        *[f"| {p['workers']} | {'warm' if p['warm'] else 'cold'} | {p['per_s']:.2f} | "
          f"{p['seconds']:.1f} | {p['faces']} | {p['cpu_ms']:.0f} | {p['load'][0]:.1f} / "
          f"{p['load'][1]:.1f} |" for p in passes],
    ]
    best2 = max(p["per_s"] for p in passes if p["workers"] == 2)
    cpu_ms = float(np.median([p["cpu_ms"] for p in passes if p["warm"]]))
    lines += [
        "",
        f"Target (issue 13): >= 8 photos/s. Best run here with 2 workers: {best2:.1f} "
        f"photos/s, on a box whose other jobs kept the load near "
        f"{np.median([p['load'][0] for p in passes]):.1f}. CPU per photo (warm, median) "
        f"{cpu_ms:.0f} ms, so two free cores would give at most "
        f"{2000 / cpu_ms:.1f} photos/s. "
        + ("The target is met on this box." if best2 >= 8 else
           "The target is not met as measured here; the shipped policy uses both cores only "
           "when no CLIP pass runs, and the descriptor network (above) is what is left."),
        "",
        "CLIP pass (test-tiny model: decode + embed + catalog) indexing "
        f"{args.clip_photos} Flickr8k photos into a fresh library, alternating runs alone, "
        "with a faces pass as the app runs it beside a CLIP pass (clip_busy: 1 worker "
        "process at nice 10) and with a faces pass using 2 worker processes, each on another "
        "library at the same time:",
        "",
        "| run | CLIP pass photos/s | seconds | load average at start |",
        "|---|---|---|---|",
        *[f"| {c['mode']} | {c['per_s']:.1f} | {c['seconds']:.1f} | {c['load']:.1f} |"
          for c in clip],
    ]
    alone = [c["per_s"] for c in clip if c["mode"] == A]
    lines.append("")
    for mode in (POLICY, TWO):
        beside = [c["per_s"] for c in clip if c["mode"] == mode]
        lines.append(
            f"- {mode} / alone: median ratio {np.median(beside) / np.median(alone):.2f}, "
            f"mean ratio {np.mean(beside) / np.mean(alone):.2f} (runs: alone "
            f"{min(alone):.0f}-{max(alone):.0f}, this mode {min(beside):.0f}-"
            f"{max(beside):.0f} photos/s).")
    slow = {m: np.median([c["per_s"] for c in clip if c["mode"] == m]) / np.median(alone)
            for m in (POLICY, TWO)}
    lines += ["", "Second target (the CLIP pass not slowed while the faces pass runs): "
              + ("met within the noise here." if min(slow.values()) >= 0.95 else
                 f"**not met**: {1 - slow[POLICY]:.0%} slower with the shipped one worker, "
                 f"{1 - slow[TWO]:.0%} with two. The workers run at nice 10 against the CLIP "
                 "pass's decode threads at nice 5, and a nice-10 thread still gets about a "
                 "quarter of a core against a nice-5 one (CFS weights 110 vs 335); this "
                 "test-tiny CLIP pass is decode-bound and uses both cores. SCHED_IDLE for "
                 "the worker was tried once outside this script (2026-11-29, one alternating "
                 "run, 4 runs per mode): CLIP pass median ratio 0.92 against 0.90 at nice "
                 "10, within the noise, and the idle-class worker still finished 5-9 photos "
                 "per CLIP run, so the CLIP pass leaves gaps and part of the slowdown is "
                 "shared cache/memory, not CPU share. Pausing the faces pass while a CLIP "
                 "pass runs is the option left; not done.")]
    lines += ["", f"{len(alone)} runs per mode after a warm-up run; the box was shared with "
              "other jobs, so single runs scatter: read the median ratios. Where the spread "
              "within a mode is wider than the gap between modes, this run does not show a "
              "slowdown beyond the noise of the shared box."]
    write_section("People (faces): pass speed, cheap wins, CLIP pass beside it",
                  "python bench/bench_faces_speed.py", "\n".join(lines))


if __name__ == "__main__":
    main()
