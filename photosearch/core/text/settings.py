"""The `text` section of settings.json (OCR on or off, speed knobs) and the time estimate."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from ..config import read_section
from ..durations import rough_span
from .normalize import MIN_CHARS

log = logging.getLogger(__name__)

# Seconds per photo for the first estimate, before this library has timed its own photos:
# shipped settings (detector 960 px down or up, 1 thread): 0.82 CPU s per 500 px photo
# (bench/bench_text_real.py) and a 1.67 s wall median on 500-1000 px photos on the shared,
# loaded 2-core box (bench/bench_text.py); docs/benchmarks.md. Afterwards the library's own
# recent mean is used.
CPU_SECONDS_PER_PHOTO = 1.2
LEGACY_DET_SIDE = 640  # the default det_side before det_upscale existed


@dataclass
class TextSettings:
    enabled: bool = False  # off by default on CPU: see estimate()
    # detector input, longer side (0 = rapidocr's default: shorter side scaled to 736),
    # scaled down or, with det_upscale, also up. 960 both ways: one-word recall on real text
    # in real 500 px photos went from 0.54 (640, no upscaling) to 0.81 on the dev split of
    # bench/bench_text_real.py, at ~4x the CPU time on such photos (docs/benchmarks.md)
    det_side: int = 960
    det_upscale: bool = True
    max_side: int = 1600  # photos are decoded to at most this many pixels on the longer side
    # the detector's box score cut (rapidocr's default 0.5): 0.3 found LINE (upright letters
    # stacked on a post) and LONDOA on an umbrella on the dev split at no fragment on the
    # text-free photos; the detector's work is the same, only the recogniser reads more boxes
    box_thresh: float = 0.3
    # onnxruntime threads per photo (0 = all cores). 1 measured faster than all cores on the
    # 2-core box (1.33 vs 0.80 photos/s at det 640): photos in parallel use the cores better
    threads: int = 1
    # photos read at once, each on its own engine (onnxruntime releases the GIL); 0 = one
    # per core. 2 on the 2-core box: bench/bench_text_real.py --throughput
    workers: int = 2
    min_chars: int = MIN_CHARS  # lines with fewer letters/digits are dropped as fragments
    nice: int = 10  # the text pass runs at lower CPU priority than the rest of the app
    clip_prior: bool = False  # skip photos CLIP thinks have no text (unmeasured: off)
    clip_prior_min: float = 0.18

    @classmethod
    def from_settings(cls, settings) -> TextSettings:
        raw = getattr(settings, "text", None)
        out: TextSettings = read_section(cls, raw, "text", _accepts)
        if (isinstance(raw, dict) and "det_upscale" not in raw
                and raw.get("det_side") == LEGACY_DET_SIDE):
            # written by a version whose default was 640 without upscaling (store() writes
            # every field): that was the old default, not a choice; use today's
            out.det_side = cls().det_side
        return out

    def reading_version(self) -> str:
        """What a photo's text record says read it: the engine and models (engine_version)
        plus the settings that change WHAT is read. A record with another value is read
        again (at the pass's low priority; the old text serves until then). Speed knobs
        (threads, workers, nice) are left out: they change nothing that is stored."""
        from .engine import engine_version

        up = "up" if self.det_upscale else ""
        return (f"{engine_version()}/det{self.det_side}{up}-box{self.box_thresh:g}"
                f"-max{self.max_side}-chars{self.min_chars}")

    def store(self, settings) -> None:
        """Write back into a Settings object (the caller saves it)."""
        settings.text = asdict(self)


def estimate_seconds(pending: int, measured: float | None = None, workers: int = 1) -> float:
    """Expected duration of a text pass over `pending` photos on this machine: the library's
    own recent mean time per photo (each worker's) when it has one, else the benchmarked
    CPU figure, shared by `workers` photos read at once."""
    per = measured if measured else CPU_SECONDS_PER_PHOTO
    return pending * per / max(1, workers)


def describe_estimate(pending: int, measured: float | None = None, workers: int = 1) -> str:
    secs = estimate_seconds(pending, measured, workers)
    per = (measured if measured else CPU_SECONDS_PER_PHOTO) / max(1, workers)
    span = rough_span(secs)
    basis = "measured on this library" if measured else "estimated for a 2-core CPU"
    return f"{pending} photos to read, about {span} ({per:.2f} s/photo, {basis})"


def _accepts(default: object, v: object) -> bool:
    """Booleans for booleans, whole numbers >= 0 for whole numbers, else any number."""
    if isinstance(default, bool):
        return isinstance(v, bool)
    if isinstance(default, int):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0
    return isinstance(v, (int, float)) and not isinstance(v, bool)
