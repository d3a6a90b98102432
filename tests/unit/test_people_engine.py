"""People engine on the REAL dlib models and REAL face photos: model install, detection,
orientation, descriptor distances, clustering purity."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from PIL import Image

from photosearch.core.people import cluster
from photosearch.core.people.models import (
    FORBIDDEN_FILES,
    MODEL_FILES,
    FaceModelsUnavailable,
    install_models,
    model_files,
    source_dir,
)
from tests.unit.people_helpers import faces_dir, labels, model_dir  # noqa: F401


@pytest.fixture(scope="module")
def analyzer(model_dir):  # noqa: F811
    from photosearch.core.people.analyze import FaceAnalyzer
    from photosearch.core.people.models import installed

    return FaceAnalyzer(files=installed(model_dir))


@pytest.fixture(scope="module")
def all_faces(analyzer):
    """(file, identity, faces) for every labelled photo."""
    return [(f, ident, analyzer.analyze(faces_dir() / f)) for f, ident in labels()]


def _labelled(all_faces):
    """One labelled face per photo: the only face, or the one nearest the identity's
    single-face photos (several people in the photo, only one labelled)."""
    anchors = defaultdict(list)
    for _, ident, faces in all_faces:
        if len(faces) == 1:
            anchors[ident].append(faces[0].descriptor)
    out = []
    for f, ident, faces in all_faces:
        if not faces:
            continue
        ref = np.array(anchors[ident])
        best = min(faces, key=lambda x: float(np.linalg.norm(ref - x.descriptor, axis=1).mean()))
        out.append((f, ident, best))
    return out


def test_install_copies_only_the_three_permitted_models(tmp_path):
    dest = tmp_path / "models"
    files = install_models(dest)
    assert sorted(p.name for p in dest.iterdir()) == sorted(MODEL_FILES)
    for name in FORBIDDEN_FILES:
        assert not (dest / name).exists()
    src = source_dir()
    assert src is not None
    for name in MODEL_FILES:
        assert (dest / name).stat().st_size == (src / name).stat().st_size
    assert files.descriptor.name == "dlib_face_recognition_resnet_model_v1.dat"
    # a second install is a no-op that keeps the files
    assert install_models(dest) == files


def test_missing_models_say_what_to_install(tmp_path, monkeypatch):
    import photosearch.core.people.models as models

    monkeypatch.setattr(models, "source_dir", lambda: None)
    with pytest.raises(FaceModelsUnavailable, match=r"photosearch\[people\].*dlib-bin"):
        model_files(tmp_path / "empty")
    with pytest.raises(FaceModelsUnavailable, match="not installed"):
        model_files(tmp_path / "empty", install=False)


def test_detection_finds_the_labelled_person_in_almost_every_photo(all_faces):
    found = [f for f, _, faces in all_faces if faces]
    assert len(found) >= len(all_faces) - 3, [f for f, _, fs in all_faces if not fs]
    for f, _, faces in all_faces:
        w, h = Image.open(faces_dir() / f).size
        for face in faces:
            left, top, right, bottom = face.box
            assert 0 <= left < right <= w + 1 and 0 <= top < bottom <= h + 1
            assert face.descriptor.shape == (128,) and face.descriptor.dtype == np.float32
            assert face.landmarks.shape == (5, 2)
            # landmarks (eyes, nose) lie in or near the box
            assert (face.landmarks[:, 0] > left - 0.5 * (right - left)).all()
            assert (face.landmarks[:, 0] < right + 0.5 * (right - left)).all()


def test_boxes_are_in_oriented_full_size_coordinates(analyzer, tmp_path):
    """A photo stored rotated with an EXIF orientation tag gives the same boxes as the
    upright photo: boxes are measured on the image as the user sees it."""
    src = faces_dir() / "Chris_Pratt/1.jpg"  # 800x450: also checks the scaling back
    upright = Image.open(src).convert("RGB")
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what orientation 6 undoes
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = tmp_path / "rotated.jpg"
    stored.save(rotated, quality=95, exif=exif)
    a = analyzer.analyze(src)
    b = analyzer.analyze(rotated)
    assert len(a) == len(b) == 1
    assert np.abs(np.array(a[0].box) - np.array(b[0].box)).max() <= 6
    assert np.linalg.norm(a[0].descriptor - b[0].descriptor) < 0.15


def test_same_person_descriptors_are_closer_than_different_people(all_faces):
    picked = _labelled(all_faces)
    x = np.array([f.descriptor for _, _, f in picked])
    t = np.array([ident for _, ident, _ in picked])
    d = cluster.pairwise(x)
    same = (t[:, None] == t[None, :]) & ~np.eye(len(t), dtype=bool)
    diff = t[:, None] != t[None, :]
    assert d[same].mean() < 0.55 < d[diff].mean()
    assert (d[same] < 0.6).mean() > 0.9
    assert (d[diff] >= 0.6).mean() > 0.99
    nearest = [t[np.argsort(d[i])[1]] == t[i] for i in range(len(t))]
    assert np.mean(nearest) >= 0.95


def test_default_clustering_is_pure_on_real_faces(all_faces):
    """All detected faces are clustered (unlabelled ones too); labelled ones are scored."""
    picked = {id(f): ident for _, ident, f in _labelled(all_faces)}
    faces = [f for _, _, fs in all_faces for f in fs]
    labels_ = cluster.average_link(np.array([f.descriptor for f in faces]))
    keep = [i for i, f in enumerate(faces) if id(f) in picked]
    truth = [picked[id(faces[i])] for i in keep]
    s = cluster.scores(truth, labels_[keep])
    assert s["pairwise_precision"] >= 0.98
    assert s["bcubed_f1"] >= 0.9
    assert 9 <= s["clusters"] <= 14
    cw = cluster.scores(truth, cluster.chinese_whispers(
        np.array([f.descriptor for f in faces]), 0.5)[keep])
    assert cw["pairwise_precision"] >= 0.98


def test_scores_on_a_hand_made_example():
    truth = ["a", "a", "a", "b", "b"]
    pred = [1, 1, 2, 2, 2]  # one 'a' wrongly with the b's
    s = cluster.scores(truth, pred)
    # pairs predicted together: (0,1) (2,3) (2,4) (3,4) -> right: (0,1) (3,4)
    assert s["pairwise_precision"] == pytest.approx(2 / 4)
    assert s["pairwise_recall"] == pytest.approx(2 / 4)
    # B-cubed precision: items 0,1 -> 1; 2 -> 1/3; 3,4 -> 2/3
    assert s["bcubed_precision"] == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3) / 5)
    assert s["clusters"] == 2


def test_average_link_by_components_equals_plain_linkage(monkeypatch):
    """Computing average link per component (and the kNN graph for large sets) gives the
    same partition as one linkage over everything."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    rng = np.random.default_rng(3)
    centres = rng.normal(0, 1, (12, 128)) * 0.12
    x = (centres[rng.integers(0, 12, 400)] + rng.normal(0, 0.02, (400, 128))).astype(np.float32)
    plain = fcluster(linkage(pdist(x.astype(np.float64)), "average"), 0.55, "distance")

    def same_partition(a, b) -> bool:
        return len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(set(a)) == len(set(b))

    assert same_partition(cluster.average_link(x, 0.55), plain)
    monkeypatch.setattr(cluster, "EXACT_LIMIT", 10)  # force the hnswlib kNN graph
    assert same_partition(cluster.average_link(x, 0.55), plain)


def test_accurate_cnn_detector_finds_the_same_face(analyzer, model_dir):  # noqa: F811
    """The opt-in CNN (mmod) detector on one small real photo: same face as HOG."""
    from photosearch.core.people.analyze import FaceAnalyzer
    from photosearch.core.people.detect import DetectorConfig
    from photosearch.core.people.models import installed
    from photosearch.core.people.xmp_regions import iou

    photo = faces_dir() / "Elton_John/1.jpg"  # 300x300: the slow detector stays quick
    cnn = FaceAnalyzer(DetectorConfig(kind="cnn"), installed(model_dir))
    assert cnn.detector_id == "cnn-1000"
    a, b = analyzer.analyze(photo), cnn.analyze(photo)
    assert len(a) == len(b) == 1
    assert iou(tuple(map(float, a[0].box)), tuple(map(float, b[0].box))) > 0.4
    assert np.linalg.norm(a[0].descriptor - b[0].descriptor) < 0.3
    with pytest.raises(ValueError, match="unknown face detector"):
        DetectorConfig(kind="fast")
