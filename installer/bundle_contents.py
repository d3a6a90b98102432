"""What goes into the PyInstaller bundle besides the code PyInstaller finds on its own.

Kept out of the .spec file so it can be unit-tested without running PyInstaller: every
function returns plain data in PyInstaller's shape ((source, destination-dir) pairs, module
names). The spec (installer/photosearch.spec) is a thin wrapper around these.

Why each item is needed:
- open_clip reads its model configs (model_configs/*.json) and the BPE tokenizer vocabulary
  (bpe_simple_vocab_16e6.txt.gz) from files next to its modules;
- photosearch reads its own model configs (the tiny test model) and its numbered SQL
  migrations from files next to its modules;
- the CLI imports its command modules by name (importlib), so static analysis cannot see
  them: every photosearch submodule is a hidden import;
- test-only and build-only packages are excluded, and triton too: it only serves
  torch.compile, which photosearch never uses, and it is ~900 MB (torch imports without it);
- people (faces), when the `people` extra is installed: dlib (a native extension) and the
  THREE permitted dlib model files, copied into the bundle's dlib-face-models/ folder, where
  photosearch.core.people.models looks in a frozen build; never the 68-point landmark model
  (research-only licence), which face-recognition-models also carries;
- text in photos (OCR), when the `ocr` extra is installed: rapidocr's configs, its bundled
  PP-OCRv6 models and their licence file (MODEL_LICENSES.md).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESOURCES = REPO / "resources"

# Package data the app opens at run time, as glob patterns relative to each package dir.
PACKAGE_DATA = {
    "open_clip": ["model_configs/*.json", "*.txt.gz"],
    "photosearch": ["core/model_configs/*.json", "core/migrations/*.sql"],
    # the icon fonts and their charmaps (ui/icons.py: Phosphor through qtawesome); qtawesome
    # loads every bundled font when it makes its first icon
    "qtawesome": ["fonts/*.ttf", "fonts/*.json"],
}
# Shipped when installed (the `ocr` extra): rapidocr reads its configs and the bundled
# PP-OCRv6 models (~27 MB, hash-checked at load) from files next to its modules, and picks
# its inference engine by importing it by name.
OPTIONAL_PACKAGE_DATA = {
    "rapidocr": ["*.yaml", "models/*.onnx"],
}
OPTIONAL_HIDDEN_IMPORTS = {"rapidocr": ["rapidocr.inference_engine.onnxruntime"],
                           "dlib": ["dlib", "_dlib_pybind11"], "scipy": ["scipy.cluster.hierarchy"]}

# People (faces): the model files the app may use (photosearch.core.people.models), shipped
# into this bundle folder; the file names come from that module so the two cannot drift.
FACE_MODELS_DEST = "dlib-face-models"

# Never shipped: test runners, the build tools themselves, GUI toolkits we don't use, and
# triton (torch.compile only). Nothing a runtime dependency needs: a unit test walks the
# dependency tree to make sure.
EXCLUDES = [
    "pytest", "_pytest", "pytestqt", "pytest_timeout", "iniconfig",
    "PyInstaller", "_pyinstaller_hooks_contrib", "altgraph", "pip", "setuptools",
    "tkinter", "_tkinter", "IPython", "matplotlib", "notebook", "jupyter_client",
    "triton", "tests",
]

# Env vars read by the spec (set by build_linux.sh --bundle-model / build_macos.sh / CI).
BUNDLE_MODEL_ENV = "PHOTOSEARCH_BUNDLE_MODEL"  # path of a weights file to ship
BUNDLE_MODEL_ID_ENV = "PHOTOSEARCH_BUNDLE_MODEL_ID"  # "model/pretrained-tag" it belongs to


def package_dir(name: str) -> Path:
    """Directory of an importable package, found without importing it (importing open_clip
    would import torch, which takes seconds)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name!r} is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations)))


def package_datas() -> list[tuple[str, str]]:
    """(file, dest dir) for every data file in PACKAGE_DATA; fails if a pattern finds none,
    because a bundle missing them only fails at run time, on the user's machine."""
    out = []
    wanted = dict(PACKAGE_DATA)
    wanted.update({k: v for k, v in OPTIONAL_PACKAGE_DATA.items()
                   if importlib.util.find_spec(k) is not None})
    for pkg, patterns in wanted.items():
        root = package_dir(pkg)
        for pattern in patterns:
            found = sorted(root.glob(pattern))
            if not found:
                raise FileNotFoundError(f"{pkg}: no files match {pattern} in {root}")
            for f in found:
                out.append((str(f), str(Path(pkg) / f.parent.relative_to(root))))
    return out


# Packages that load native libraries by file name at run time (torch.ops.load_library),
# so PyInstaller's import analysis does not see them: torchvision's operators
# (_C_stable / image_stable in recent releases). Without them `import torchvision`, and so
# open_clip, fails with "operator torchvision::nms does not exist". pyexiv2 loads its bundled
# libexiv2 with ctypes.CDLL from pyexiv2/lib (core/xmp.py).
NATIVE_LIBS = ["torchvision", "pyexiv2.lib"]


def package_binaries() -> list[tuple[str, str]]:
    """(library, dest dir) for the native libraries in the top dir of each NATIVE_LIBS package."""
    import importlib.machinery

    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES) + (".dylib", ".dll")
    out = []
    for pkg in NATIVE_LIBS:
        root = package_dir(pkg)
        libs = sorted(p for p in root.iterdir() if p.is_file() and p.name.endswith(suffixes))
        if not libs:
            raise FileNotFoundError(f"{pkg}: no native libraries in {root}")
        out += [(str(p), pkg.replace(".", "/")) for p in libs]
    return out


def face_model_datas() -> list[tuple[str, str]]:
    """(file, dest dir) for the three permitted dlib model files, when face-recognition-models
    is installed (the `people` extra); [] otherwise. Never the 68-point model."""
    from photosearch.core.people.models import FORBIDDEN_FILES, MODEL_FILES, source_dir

    src = source_dir()
    if src is None:
        return []
    out = []
    for name in MODEL_FILES:
        if name in FORBIDDEN_FILES:  # cannot happen; guards an edit of MODEL_FILES
            raise ValueError(f"{name} must never be shipped")
        f = src / name
        if not f.is_file():
            raise FileNotFoundError(f"face model {name} missing from {src}")
        out.append((str(f), FACE_MODELS_DEST))
    return out


def rapidocr_licence_datas() -> list[tuple[str, str]]:
    """rapidocr's model licence (Apache-2.0 attribution duties) into the bundle's
    rapidocr/ folder, when rapidocr is installed."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("rapidocr")
    except PackageNotFoundError:
        return []
    files = [f for f in dist.files or [] if f.name in ("MODEL_LICENSES.md", "LICENSE")]
    return [(str(f.locate()), "rapidocr") for f in files if Path(str(f.locate())).is_file()]


def optional_feature_sizes() -> dict[str, int]:
    """Bytes the optional features add to a bundle, from what this module collects (the
    data files) and the installed native packages PyInstaller then copies whole (dlib's
    extension, onnxruntime, OpenCV). scipy is left out: PyInstaller takes only the parts
    scipy.cluster.hierarchy imports, which only a full build can measure."""
    def size(path: Path) -> int:
        if path.is_file():
            return path.stat().st_size
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    out: dict[str, int] = {}
    faces = face_model_datas()
    if faces:
        out["face models (3 dlib files)"] = sum(size(Path(f)) for f, _ in faces)
        import importlib.machinery

        dlib_ext = importlib.machinery.PathFinder.find_spec("_dlib_pybind11")
        if dlib_ext is not None and dlib_ext.origin:
            out["dlib native extension"] = size(Path(dlib_ext.origin))
    if importlib.util.find_spec("rapidocr") is not None:
        root = package_dir("rapidocr")
        out["rapidocr models + configs"] = sum(
            size(f) for pattern in OPTIONAL_PACKAGE_DATA["rapidocr"] for f in root.glob(pattern))
        if importlib.util.find_spec("cv2") is not None:
            cv2 = package_dir("cv2")
            libs = cv2.parent / "opencv_python_headless.libs"
            out["OpenCV headless (cv2 + its libs)"] = size(cv2) + (size(libs) if libs.is_dir()
                                                                   else 0)
    return out


def resource_datas() -> list[tuple[str, str]]:
    """The app icon, for the window and the About box (resources/icons in the bundle)."""
    icons = RESOURCES / "icons"
    files = [icons / "photosearch.svg", icons / "hicolor" / "256x256" / "apps" / "photosearch.png"]
    return [(str(f), "resources/icons") for f in files]


def hidden_imports() -> list[str]:
    """Every module of the photosearch package (the CLI imports command modules by name)."""
    root = package_dir("photosearch")
    mods = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts[-1] == "__main__":
            continue
        mods.append(".".join(parts))
    for pkg, names in OPTIONAL_HIDDEN_IMPORTS.items():
        if importlib.util.find_spec(pkg) is not None:
            mods += names
    # onnxruntime is imported lazily (the torch-free query path, core/onnx_models.py), and
    # onnx only inside torch.onnx.export (core/onnx_export.py); onnxruntime.quantization
    # (which imports onnx) only when the 8-bit image tower is built (core/quantised_tower.py)
    return mods + ["pillow_heif", "hnswlib", "onnxruntime", "onnx",
                   "onnxruntime.quantization"]


def bundled_model(stage_dir: Path | None = None) -> list[tuple[str, str]]:
    """The optional weights file for offline installs, named the way the app looks it up
    (photosearch.core.weights.bundled_weights), into the bundle's models/ dir. The file is
    staged under that name in stage_dir (default build/bundled-model)."""
    src = os.environ.get(BUNDLE_MODEL_ENV)
    if not src:
        return []
    src_path = Path(src).expanduser().resolve()
    if not src_path.is_file():
        raise FileNotFoundError(f"{BUNDLE_MODEL_ENV}={src}: no such file")
    from photosearch.core.config import DEFAULT_MODEL, DEFAULT_PRETRAINED
    from photosearch.core.weights import bundled_file_name

    model_id = os.environ.get(BUNDLE_MODEL_ID_ENV) or f"{DEFAULT_MODEL}/{DEFAULT_PRETRAINED}"
    if not re.fullmatch(r"[^/]+/[^/]+", model_id):
        raise ValueError(f"{BUNDLE_MODEL_ID_ENV} must be MODEL/PRETRAINED, got {model_id!r}")
    model, tag = model_id.split("/")
    staged = (stage_dir or REPO / "build" / "bundled-model") / bundled_file_name(
        model, tag, src_path.suffix)
    staged.parent.mkdir(parents=True, exist_ok=True)
    if staged.exists() or staged.is_symlink():
        staged.unlink()
    try:
        os.link(src_path, staged)  # weights are large: no copy when on the same disk
    except OSError:
        shutil.copy2(src_path, staged)
    return [(str(staged), "models")]


def torch_flavour() -> str:
    """'cuda' or 'cpu': which torch build this environment has (decides the bundle size)."""
    try:
        from importlib.metadata import distribution

        dist = distribution("torch")
    except Exception:  # noqa: BLE001 - no torch: report rather than fail the spec
        return "none"
    if "+cpu" in dist.version:
        return "cpu"
    if "+cu" in dist.version:  # download.pytorch.org CUDA wheels may carry CUDA themselves
        return "cuda"
    needs = " ".join(dist.requires or [])
    return "cuda" if "nvidia-" in needs else "cpu"
