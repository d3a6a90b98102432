"""Packaging metadata and bundle contents: desktop entry, AppStream metainfo, icons, the
PyInstaller spec's data collection, and the bundled-weights lookup of offline installers."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from photosearch import __version__
from photosearch.core import weights

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "resources"
DESKTOP = RESOURCES / "photosearch.desktop"
METAINFO = RESOURCES / "io.github.photosearch.metainfo.xml"
INSTALLER = REPO / "installer"

sys.path.insert(0, str(INSTALLER))
import bundle_contents as bc  # noqa: E402


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


# --- desktop entry and AppStream ---------------------------------------------------------

def test_desktop_entry_launches_the_installed_command_with_the_themed_icon():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] == "photosearch"  # /usr/bin/photosearch in the .deb
    assert entry["Icon"] == "photosearch"
    assert entry["Terminal"] == "false"
    assert {"Graphics", "Photography"} <= set(entry["Categories"].strip(";").split(";"))
    # the themed icon name must resolve to files the .deb installs
    assert (RESOURCES / "icons" / "photosearch.svg").is_file()
    assert (RESOURCES / "icons" / "hicolor" / "48x48" / "apps" / "photosearch.png").is_file()


def test_metainfo_matches_the_desktop_file_and_version():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "io.github.photosearch"
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("launchable").get("type") == "desktop-id"
    assert root.findtext("provides/binary") == "photosearch"
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert [r.get("version") for r in root.iter("release")][0] == __version__
    summary = root.findtext("summary")
    assert summary and len(summary) < 80 and not summary.endswith(".")


@pytest.mark.skipif(not shutil.which("desktop-file-validate"),
                    reason="desktop-file-validate not installed "
                           "(apt-get install desktop-file-utils)")
def test_desktop_file_validates():
    out = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout + out.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"),
                    reason="appstreamcli not installed (apt-get install appstream)")
def test_metainfo_validates():
    out = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_icons_have_the_sizes_their_names_claim():
    pngs = sorted((RESOURCES / "icons" / "hicolor").glob("*/apps/photosearch.png"))
    assert {p.parts[-3] for p in pngs} >= {"16x16", "32x32", "48x48", "128x128", "256x256",
                                           "512x512"}
    for png in pngs:
        w, h = (int(n) for n in png.parts[-3].split("x"))
        with Image.open(png) as im:
            assert im.size == (w, h) and im.mode == "RGBA"
    with Image.open(RESOURCES / "icons" / "photosearch.ico") as ico:
        assert (256, 256) in ico.info["sizes"] and (16, 16) in ico.info["sizes"]
    with Image.open(RESOURCES / "icons" / "photosearch.icns") as icns:
        assert icns.format == "ICNS"
    ET.parse(RESOURCES / "icons" / "photosearch.svg")  # well-formed


# --- what the PyInstaller spec collects --------------------------------------------------

def _dests(datas):
    return {Path(src).name: dest for src, dest in datas}


def test_spec_collects_open_clip_configs_and_tokenizer_vocab():
    datas = bc.package_datas()
    for src, _ in datas:
        assert Path(src).is_file(), src
    dests = _dests(datas)
    open_clip_dir = bc.package_dir("open_clip")
    assert dests["ViT-B-32.json"] == str(Path("open_clip", "model_configs"))
    assert dests["bpe_simple_vocab_16e6.txt.gz"] == "open_clip"
    n_configs = len(list((open_clip_dir / "model_configs").glob("*.json")))
    configs_dir = str(Path("open_clip", "model_configs"))
    assert sum(dest == configs_dir for dest in dests.values()) == n_configs


def test_spec_collects_every_project_model_config_and_migration():
    datas = bc.package_datas()
    collected = {(Path(src).name, dest) for src, dest in datas}
    core = REPO / "photosearch" / "core"
    migrations = sorted(core.glob("migrations/*.sql"))
    configs = sorted(core.glob("model_configs/*.json"))
    assert migrations and configs
    for f in migrations:
        assert (f.name, str(Path("photosearch", "core", "migrations"))) in collected
    for f in configs:
        assert (f.name, str(Path("photosearch", "core", "model_configs"))) in collected


def test_spec_collects_torchvision_operator_libraries():
    """torchvision loads its ops by file name; without them open_clip cannot import."""
    import importlib.machinery

    binaries = bc.package_binaries()
    tv = bc.package_dir("torchvision")
    expected = {p.name for p in tv.iterdir()
                if p.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))}
    assert expected  # e.g. _C_stable.so, image_stable.so
    assert {Path(src).name for src, dest in binaries if dest == "torchvision"} == expected
    # pyexiv2 opens its bundled exiv2 by path (ctypes) from pyexiv2/lib
    assert any(Path(src).name.startswith(("libexiv2.", "exiv2.")) for src, dest in binaries
               if dest == "pyexiv2/lib")


def test_spec_fails_loudly_when_data_is_missing(monkeypatch):
    monkeypatch.setitem(bc.PACKAGE_DATA, "photosearch", ["core/no_such_dir/*.json"])
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        bc.package_datas()


def test_hidden_imports_cover_cli_command_modules_and_exclude_test_tools():
    from photosearch.cli import COMMAND_MODULES

    hidden = set(bc.hidden_imports())
    assert set(COMMAND_MODULES) <= hidden  # imported by name, invisible to analysis
    assert {"photosearch.core.catalog", "photosearch.core.embedder", "pillow_heif"} <= hidden
    assert not any(m.endswith("__main__") for m in hidden)
    assert {"pytest", "_pytest", "pytestqt", "triton", "PyInstaller"} <= set(bc.EXCLUDES)
    assert not hidden & set(bc.EXCLUDES)


def test_spec_and_launcher_are_valid_python():
    spec = (INSTALLER / "photosearch.spec").read_text()
    compile(spec, "photosearch.spec", "exec")
    assert "launcher.py" in spec and "bundle_contents" in spec
    launcher = (INSTALLER / "launcher.py").read_text()
    compile(launcher, "launcher.py", "exec")
    assert "freeze_support()" in launcher and "from photosearch.cli import main" in launcher


# --- offline installers: a bundled weights file ------------------------------------------

def test_bundled_model_is_staged_under_the_name_the_app_looks_up(tmp_path, monkeypatch):
    weights_file = tmp_path / "open_clip_model.safetensors"
    weights_file.write_bytes(b"not really weights")
    monkeypatch.setenv(bc.BUNDLE_MODEL_ENV, str(weights_file))
    monkeypatch.setenv(bc.BUNDLE_MODEL_ID_ENV, "ViT-B-16/openai")
    [(staged, dest)] = bc.bundled_model(stage_dir=tmp_path / "stage")
    assert dest == "models"
    assert Path(staged).name == "ViT-B-16--openai.safetensors"
    assert Path(staged).read_bytes() == b"not really weights"
    monkeypatch.setenv(bc.BUNDLE_MODEL_ENV, str(tmp_path / "missing.bin"))
    with pytest.raises(FileNotFoundError):
        bc.bundled_model(stage_dir=tmp_path / "stage")
    monkeypatch.delenv(bc.BUNDLE_MODEL_ENV)
    assert bc.bundled_model(stage_dir=tmp_path / "stage") == []


def test_bundled_weights_resolve_offline_before_any_download(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    name = weights.bundled_file_name("ViT-B-32", "laion2b_s34b_b79k", ".safetensors")
    (models / name).write_bytes(b"x")
    monkeypatch.setenv(weights.BUNDLED_MODELS_ENV, str(models))
    spec = weights.resolve("ViT-B-32", "laion2b_s34b_b79k", tmp_path / "cache", download=False)
    assert spec.path == str(models / name)
    assert spec.model_id == "ViT-B-32/laion2b_s34b_b79k"  # same id as downloaded weights
    assert spec.mean is not None  # preprocessing still comes from open_clip's table
    with pytest.raises(weights.WeightsUnavailable):  # other tags are not satisfied by it
        weights.resolve("ViT-B-32", "openai", tmp_path / "cache", download=False)


def test_frozen_build_looks_in_its_own_models_dirs(tmp_path, monkeypatch):
    monkeypatch.delenv(weights.BUNDLED_MODELS_ENV, raising=False)
    assert weights.bundled_model_dirs() == []  # not frozen: no install-dir lookups
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "photosearch"))
    assert weights.bundled_model_dirs() == [tmp_path / "_internal" / "models", tmp_path / "models"]
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / weights.bundled_file_name("RN50", "openai", ".pt")
    target.write_bytes(b"x")
    assert weights.bundled_weights("RN50", "openai") == str(target)
    assert weights.bundled_weights("RN50", "yfcc15m") is None


def test_bundled_file_names_are_safe():
    name = weights.bundled_file_name("hf-hub:org/model", "a b", ".bin")
    assert name == "hf-hub_org_model--a_b.bin"


def _runtime_distributions() -> set[str]:
    """Every distribution photosearch needs at run time (its dependency tree, no extras)."""
    import re
    from importlib.metadata import PackageNotFoundError, distribution

    seen, todo = set(), ["photosearch"]
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        seen.add(name)
        try:
            reqs = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for req in reqs:
            if "extra ==" in req:
                continue
            todo.append(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0])
    return seen


def test_excludes_drop_nothing_a_runtime_dependency_needs():
    import re
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    needed = _runtime_distributions()
    assert {"hnswlib", "torch", "open-clip-torch", "watchdog"} <= needed
    # Listed as dependencies but never imported by what the app runs: triton (torch.compile
    # only), setuptools (torch.utils.cpp_extension), pip.
    allowed = {"triton", "setuptools", "pip"}
    for module in bc.EXCLUDES:
        for dist in owners.get(module, []):
            dist = re.sub(r"[-_.]+", "-", dist).lower()
            assert dist not in needed or dist in allowed, f"{module} belongs to runtime dep {dist}"


# --- installers built elsewhere: keep them consistent with the spec and each other -------

def test_windows_installer_is_per_user_with_start_menu_entry_and_uninstaller():
    iss = (INSTALLER / "windows" / "photosearch.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss  # no admin rights
    assert "DefaultDirName={autopf}" in iss  # %LOCALAPPDATA%\Programs when per-user
    assert r'Source: "{#Root}\dist\photosearch\*"' in iss  # the spec's COLLECT name
    assert r'Name: "{autoprograms}\photosearch"; Filename: "{app}\photosearch.exe"' in iss
    assert "[UninstallDelete]" in iss and r"resources\icons\photosearch.ico" in iss
    spec = (INSTALLER / "photosearch.spec").read_text()
    assert '"photosearch-cli"' in spec  # the console twin the installer and CI call


def test_macos_script_builds_the_spec_bundle_into_a_dmg():
    script = INSTALLER / "macos" / "build_macos.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    text = script.read_text()
    assert "installer/photosearch.spec" in text and "dist/photosearch.app" in text
    assert "hdiutil create" in text and "ln -s /Applications" in text
    assert 'name="photosearch.app"' in (INSTALLER / "photosearch.spec").read_text()


def test_ci_workflow_builds_and_smoke_tests_all_three_installers():
    import yaml

    wf = yaml.safe_load((REPO / ".github" / "workflows" / "installers.yml").read_text())
    jobs = wf["jobs"]
    runs = {name: "\n".join(step.get("run", "") for step in job["steps"])
            for name, job in jobs.items()}
    assert "make test" in runs["test"]
    assert "make package" in runs["linux"] and "installer/check_deb.sh" in runs["linux"]
    assert "build_windows.ps1" in runs["windows"] and "--smoke-test" in runs["windows"]
    assert "build_macos.sh" in runs["macos"] and "--smoke-test" in runs["macos"]
    for name in ("linux", "windows", "macos"):
        assert jobs[name]["needs"] == "test"
