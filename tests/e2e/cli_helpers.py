"""Running the CLI in-process (fast) or as a real subprocess (exit codes, signals)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from photosearch.cli import main

TINY = ["--model", "test-tiny", "--pretrained", "none"]


def cli(capsys, library: Path, *args: str) -> tuple[int, str, str]:
    """Run `photosearch --library LIB <tiny model> ARGS` in this process."""
    capsys.readouterr()
    code = main(["--library", str(library), *TINY, *args])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys, library: Path, *args: str):
    code, out, err = cli(capsys, library, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def run_subprocess(library: Path, *args: str, env=None, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "photosearch", "--library", str(library), *TINY, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env or dict(os.environ),
                          timeout=kw.pop("timeout", 180), **kw)
