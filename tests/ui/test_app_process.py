"""The app as a process: the installer's --smoke-test under Xvfb, and torch loading only
after the window is shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(extra)
    return env


@pytest.mark.slow
def test_smoke_test_under_xvfb():
    """What CI and the installer run: a real X server (Xvfb), the real window."""
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "xvfb-run is missing: run scripts/sysdeps.sh test (installs xvfb)"
    cmd = [xvfb, "-a", "-s", "-screen 0 1400x900x24",
           sys.executable, str(REPO / "main.py"), "--smoke-test"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=280, env=_env(),
                          cwd=REPO)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "smoke: window shown (torch imported before the window: no)" in out
    assert "smoke: indexed 6 photos (0 problems)" in out
    assert "smoke: search 'a red photo' -> 6 results" in out
    assert "smoke: find similar -> 5 results" in out
    assert out.strip().endswith("smoke: OK")


def test_window_is_shown_before_torch_is_imported(tmp_path):
    code = ("import sys; from photosearch.cli import main; "
            f"sys.exit(main(['--library', {str(tmp_path / 'lib')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=REPO,
                          env=_env(QT_QPA_PLATFORM="offscreen", PHOTOSEARCH_STARTUP_PROBE="1"))
    assert proc.returncode == 0, proc.stderr
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    assert json.loads(line)["torch_imported"] is False


def test_sigterm_closes_the_app_cleanly(tmp_path):
    """Logout or a service manager sends SIGTERM: the app closes its window, stops its
    workers, saves and releases the library's writer lock, and exits 0."""
    import signal
    import time

    lib = tmp_path / "lib"
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "--library", str(lib), "--model", "test-tiny",
         "--pretrained", "none"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)))
    deadline = time.monotonic() + 60
    while not (lib / "writer.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (lib / "writer.json").exists(), "the app did not take the writer lock"
    time.sleep(2)  # let it reach the event loop
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert not (lib / "writer.json").exists()  # lock released
