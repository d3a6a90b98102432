"""The Linux packaging scripts, on a stand-in bundle (the real PyInstaller build takes many
minutes and is `make package` / `make package-check`, see docs/packaging.md).

The stand-in "bundle" is a one-file launcher that runs this environment's photosearch, so
build_linux.sh's staging, control file, tarball and check_deb.sh's install / CLI smoke /
no-writes / clean-removal checks all run for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from photosearch import __version__

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "installer" / "build_linux.sh"
CHECK = REPO / "installer" / "check_deb.sh"

pytestmark = pytest.mark.skipif(not shutil.which("dpkg-deb"),
                                reason="dpkg-deb not available (not a Debian-family system)")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A .deb and tarball built by build_linux.sh from a stand-in one-folder bundle."""
    top = tmp_path_factory.mktemp("pkg")
    dist = top / "dist" / "photosearch"
    dist.mkdir(parents=True)
    app = dist / "photosearch"
    app.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m photosearch "$@"\n')
    app.chmod(0o755)
    (dist / "_internal").mkdir()
    (dist / "_internal" / "data.txt").write_text("bundled data")
    out = top / "out"
    run = subprocess.run(
        ["bash", str(BUILD), "--skip-pyinstaller", "--dist", str(dist), "--out", str(out),
         "--python", sys.executable, "--compress", "gzip"],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    debs = list(out.glob("photosearch_*.deb"))
    tarballs = list(out.glob("photosearch-*.tar.gz"))
    assert len(debs) == 1 and len(tarballs) == 1, os.listdir(out)
    assert not list(out.glob(".deb-stage*"))  # staging dir cleaned up
    return debs[0], tarballs[0], out


def _deb_paths(deb: Path) -> set[str]:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    return {line.split()[-1].lstrip(".") for line in listing.splitlines()}


def test_deb_installs_app_launcher_desktop_entry_metainfo_and_icons(built):
    deb, _, _ = built
    paths = _deb_paths(deb)
    for expected in ("/opt/photosearch/photosearch", "/opt/photosearch/_internal/data.txt",
                     "/usr/bin/photosearch", "/usr/share/applications/photosearch.desktop",
                     "/usr/share/metainfo/io.github.photosearch.metainfo.xml",
                     "/usr/share/icons/hicolor/scalable/apps/photosearch.svg",
                     "/usr/share/icons/hicolor/48x48/apps/photosearch.png",
                     "/usr/share/icons/hicolor/512x512/apps/photosearch.png",
                     "/usr/share/doc/photosearch/copyright"):
        assert expected in paths, expected
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True).stdout
    for line in listing.splitlines():  # root-owned, nothing group/world-writable
        perms, owner = line.split()[:2]
        assert owner == "root/root" and perms[5] != "w" and perms[8] != "w", line


def test_deb_control_names_version_and_qt_runtime_dependencies(built):
    deb, _, _ = built

    def field(name):
        return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True,
                              text=True, check=True).stdout.strip()

    assert field("Package") == "photosearch"
    assert field("Version").startswith(__version__ + "+")
    depends = field("Depends")
    for lib in ("libxcb-cursor0", "libegl1", "libxkbcommon-x11-0", "libfontconfig1"):
        assert lib in depends
    assert "libc6 (>= 2." in depends  # from the bundle's newest GLIBC_ symbol version
    assert int(field("Installed-Size")) > 0


def test_tarball_holds_the_one_folder_build(built):
    _, tarball, _ = built
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
        assert {"photosearch/photosearch", "photosearch/_internal/data.txt"} <= names
        assert tar.getmember("photosearch/photosearch").mode & 0o111


def test_build_info_reports_sizes(built):
    _, _, out = built
    info = (out / "build-info.txt").read_text()
    for key in ("bundle_mb:", "tarball_mb:", "deb_mb:", "pyinstaller_s:"):
        assert key in info


@pytest.mark.slow
def test_check_deb_installs_smoke_tests_and_removes(built, tmp_path):
    deb, _, _ = built
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHOTOSEARCH_")}
    run = subprocess.run(["bash", str(CHECK), "--scratch", str(tmp_path / "root"), "--no-gui",
                          str(deb)], capture_output=True, text=True, timeout=240, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "CLI smoke ok" in run.stderr and "removed cleanly" in run.stderr
    assert not (tmp_path / "root" / "opt" / "photosearch").exists()


def test_check_deb_fails_when_the_app_writes_into_its_install_dir(tmp_path):
    """The no-writes rule is really checked: a bundle that drops a file beside itself fails."""
    dist = tmp_path / "dist" / "photosearch"
    dist.mkdir(parents=True)
    app = dist / "photosearch"
    # a shell stand-in that answers the CLI smoke like the app would, and leaves a file
    app.write_text('#!/bin/sh\ntouch "$(dirname "$0")/stray.pyc"\n'
                   'case "$*" in *search*) echo \'[{"path": "red.png"}, {"path": "green.png"}, '
                   '{"path": "blue.png"}]\' ;; esac\n')
    app.chmod(0o755)
    subprocess.run(["bash", str(BUILD), "--skip-pyinstaller", "--dist", str(dist), "--out",
                    str(tmp_path / "out"), "--python", sys.executable, "--compress", "gzip"],
                   capture_output=True, check=True, timeout=120)
    deb = next((tmp_path / "out").glob("*.deb"))
    run = subprocess.run(["bash", str(CHECK), "--scratch", str(tmp_path / "root"), "--no-gui",
                          str(deb)], capture_output=True, text=True, timeout=240)
    assert run.returncode != 0
    assert "wrote into its install dir" in run.stderr
