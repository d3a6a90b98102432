"""Bounded memory per file (issue 16): huge, sparse and extreme-aspect files.

Each hostile file is built here. Memory is measured in a child process (peak RSS from
getrusage), with an address-space cap so a regression fails the test instead of the box.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from ..conftest import REPO, make_image

CAP_BYTES = 3 << 30  # address-space cap for the child: a regression fails, not the machine


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def _run_child(code: str, *args: str) -> tuple[int, str, str, int]:
    """Run python `code` in a child (capped); returns (rc, stdout, stderr, peak RSS in MiB)."""
    wrapper = (
        "import resource, sys\n"
        "def _peak():\n"
        "    print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " file=sys.stderr)\n"
        "import atexit; atexit.register(_peak)\n" + code)
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True,
                          text=True, env=env, timeout=300, preexec_fn=_limit_memory)
    peaks = [int(line.split()[1]) for line in proc.stderr.splitlines()
             if line.startswith("PEAK_RSS_KB")]
    return proc.returncode, proc.stdout, proc.stderr, (peaks[-1] // 1024 if peaks else -1)


def _png(path: Path, width: int, height: int) -> Path:
    """An RGB PNG of width x height white pixels, written by hand (a few hundred bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return path


INDEX_CHILD = (
    "from photosearch.cli import main\n"
    "sys.exit(main(['--library', sys.argv[1], '--model', 'test-tiny', '--pretrained', 'none',"
    " 'index', '--no-embed', sys.argv[2]]))\n")
PROBLEMS_CHILD = (
    "from photosearch.cli import main\n"
    "sys.exit(main(['--library', sys.argv[1], 'problems', '--json']))\n")


def test_sparse_10gb_jpeg_is_refused_by_size_without_reading_it(tmp_path):
    photos = tmp_path / "photos"
    good = make_image(photos / "good.jpg", fmt="JPEG")
    huge = make_image(photos / "huge.jpg", color=(10, 200, 10), fmt="JPEG")
    # A real JPEG header followed by ~10 GB of zeros that are never written (sparse).
    subprocess.run(["truncate", "-s", "10G", str(huge)], check=True)
    assert huge.stat().st_size == 10 << 30
    assert huge.stat().st_blocks * 512 < 10 << 20  # sparse: the test really wrote little

    lib = tmp_path / "lib"
    rc, out, err, peak_mib = _run_child(INDEX_CHILD, str(lib), str(photos))
    assert rc == 0, err
    assert 0 < peak_mib < 1024, f"peak RSS {peak_mib} MiB while indexing a sparse 10 GB file"

    rc, out, err, _ = _run_child(PROBLEMS_CHILD, str(lib))
    assert rc == 0, err
    problems = {Path(p["path"]).name: p["reason"] for p in json.loads(out)}
    assert set(problems) == {"huge.jpg"}, problems
    reason = problems["huge.jpg"]
    assert "too large" in reason and "10.0 GiB" in reason and "1.0 GiB" in reason, reason
    assert "max_file_bytes" in reason  # says what to change
    assert good.exists() and huge.stat().st_size == 10 << 30  # nothing touched


def test_100000x1_png_is_embedded_with_bounded_memory(tmp_path):
    strip = _png(tmp_path / "strip.png", 100_000, 1)
    assert strip.stat().st_size < 1000
    code = (
        "from photosearch.core import imaging\n"
        "imaging.setup_decoders()\n"
        "d = imaging.decode_for_model(sys.argv[1], 224)\n"
        "print(d.pixels.shape, d.width, d.height)\n")
    rc, out, err, peak_mib = _run_child(code, str(strip))
    assert rc == 0, err
    assert out.split() == ["(224,", "224,", "3)", "100000", "1"], out
    # Python + numpy + Pillow + imagehash alone is ~100 MiB; today's code needed ~3 GiB.
    assert 0 < peak_mib < 400, f"peak RSS {peak_mib} MiB for a 372-byte PNG"


def test_strip_is_fitted_by_its_long_side_not_stretched():
    from PIL import Image

    from photosearch.core.imaging import resize_center_crop

    strip = Image.new("RGB", (6000, 20), (0, 0, 0))  # 300:1, black
    pixels = resize_center_crop(strip, 224)
    assert pixels.shape == (224, 224, 3)
    assert (pixels.max(axis=(1, 2)) == 0).any()  # one row is all strip: it spans the width
    assert pixels[0, 0].min() == 255  # padded, not cropped to a black square
    normal = resize_center_crop(Image.new("RGB", (300, 200), (0, 0, 0)), 224)
    assert normal.max() == 0  # ordinary photos keep CLIP's short-side + centre-crop geometry


def test_too_many_pixels_quotes_the_library_limit_not_pillows(tmp_path):
    from photosearch.core import imaging

    big = _png(tmp_path / "wide.png", 3000, 2000)  # 6 MP, decoded as white
    try:
        imaging.setup_decoders(max_pixels=5_000_000)
        try:
            imaging.decode_for_model(str(big), 224)
        except imaging.ImageError as exc:
            reason = str(exc)
        else:
            raise AssertionError("a 6 MP image passed a 5 MP limit")
        assert "6 megapixels" in reason and "limit is 5 megapixels" in reason, reason
        assert "max_pixels" in reason
        # Twice the limit is where Pillow itself raises: still the library's number.
        imaging.setup_decoders(max_pixels=2_000_000)
        try:
            imaging.open_image(str(big))
        except imaging.ImageError as exc:
            assert "limit is 2 megapixels" in str(exc), str(exc)
        else:
            raise AssertionError("a 6 MP image passed a 2 MP limit")
    finally:
        imaging.setup_decoders()


def test_every_decoder_failure_reason_is_a_sentence(tmp_path):
    from photosearch.core import imaging

    imaging.setup_decoders()
    good = make_image(tmp_path / "a.jpg", fmt="JPEG").read_bytes()
    cases = {
        "truncated.jpg": good[: len(good) // 3],
        "garbage.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        "text.jpg": b"hello",
        "zero_dims.png": _png(tmp_path / "z.png", 1, 1).read_bytes().replace(
            struct.pack(">II", 1, 1), struct.pack(">II", 0, 1), 1),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        try:
            imaging.decode_for_model(str(path), 64)
        except imaging.ImageError as exc:
            reason = str(exc)
            assert len(reason) > 20 and not reason.rstrip().endswith(":"), (name, reason)
        else:
            raise AssertionError(f"{name} decoded")
