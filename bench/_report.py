"""Write one benchmark's results as a section of docs/benchmarks.md (replacing its old one)."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nEach section is written by the script it names; re-run it to refresh.\n"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        import torch

        gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
        tv = torch.__version__
    except ImportError:
        gpu, tv = "no GPU", "n/a"
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {gpu}; Python "
            f"{platform.python_version()}, torch {tv}")


def write_section(name: str, command: str, body: str) -> None:
    """Replace (or add) the section for `name` in docs/benchmarks.md."""
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text("utf-8") if DOC.exists() else HEADER
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=DOC.parent).stdout.strip()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"<!-- bench:{name} -->\n## {name}\n\n"
               f"- date: {stamp} (commit {commit})\n- machine: {machine()}\n"
               f"- command: `{command}`\n\n{body.strip()}\n<!-- /bench:{name} -->\n")
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->\n",
                         re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, "utf-8")


def measure_and_report(section: str, script: str, measure, args, argv: list[str]) -> None:
    """Run `measure(args, tmp)` in a temp folder removed afterwards, print its report and,
    unless `args.no_write`, write it as `section` of docs/benchmarks.md with the command
    line that made it."""
    import shutil
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f"{Path(script).stem}_"))
    try:
        body = measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(body)
    if not args.no_write:
        write_section(section, " ".join([f".venv/bin/python bench/{Path(script).name}",
                                         *argv]), body)
