"""What turning people (faces) on would cost this library: the line the Settings switch
and the first-run offer show, and whether the feature can run here at all."""

from __future__ import annotations

from importlib.util import find_spec

from ..catalog import Catalog
from ..durations import rough_span
from .models import INSTALL_HINT, MODEL_ID, installed, source_dir
from .store import FaceStore

# CPU seconds per photo of the faces pass (HOG default settings, decode + detect + describe,
# workers and coordinator): 250 ms on ~800 px Flickr photos with faces, shared 2-core box
# (bench/bench_faces.py, docs/benchmarks.md "People (faces)"). The app runs one worker
# process per core at nice 10 (faces_pass.default_workers; one while a CLIP pass runs), so
# this over the workers is about the wall time per photo when the cores are free.
CPU_SECONDS_PER_PHOTO = 0.25


def available() -> str | None:
    """None when the faces pass can run, else the reason (nothing is imported)."""
    if find_spec("dlib") is None:
        return f"dlib is not installed; {INSTALL_HINT}"
    if source_dir() is None and installed() is None:
        return f"the face model files are not installed; {INSTALL_HINT}"
    return None


def describe_estimate(pending: int, workers: int = 1) -> str:
    per = CPU_SECONDS_PER_PHOTO / max(1, workers)
    secs = pending * per
    span = rough_span(secs)
    return (f"{pending} photos to look at, about {span} ({per:.2f} s/photo, measured on a "
            "2-core CPU)")


def people_estimate(catalog: Catalog, workers: int = 1) -> str:
    """Photos still to look at and the expected time; the reason when it cannot run."""
    reason = available()
    if reason:
        return f"Not available: {reason}"
    return describe_estimate(FaceStore(catalog).pending_count(MODEL_ID), workers)
